/**
 * Who may see a status. One rule set, in two forms that must agree: `canView` for a single loaded
 * status and `visibleTo` as a SQL condition for list queries (timelines, context, account statuses).
 *
 * - the author always sees their own statuses;
 * - public/unlisted: everyone (anonymous included);
 * - private: followers of the author and accounts mentioned in it;
 * - direct: accounts mentioned in it;
 * - a block in either direction between viewer and author hides the status (and a reblog is hidden
 *   when viewer and the reblogged status's author block each other).
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { AppContext } from "../app.ts";
import type { Db } from "../store/db.ts";
import { isBlockedEitherWay } from "../store/predicates.ts";
import type { Status } from "../store/schema.ts";

export type Visibility = Status["visibility"];
export const VISIBILITIES = [
  "public",
  "unlisted",
  "private",
  "direct",
] as const satisfies readonly Visibility[];

type StatusLike = Pick<Status, "id" | "account_id" | "visibility" | "reblog_of_id">;

/**
 * The audience rule itself, blocks aside: whether a status of this visibility reaches the viewer,
 * given whether the viewer follows its author and is mentioned in it. Every other form (the SQL
 * below, batched checks in timelines) states this same rule.
 */
export function inAudience(
  status: Pick<Status, "account_id" | "visibility">,
  viewerId: string | null,
  rel: { follows: boolean; mentioned: boolean },
): boolean {
  if (status.visibility === "public" || status.visibility === "unlisted") return true;
  if (!viewerId) return false;
  if (status.account_id === viewerId || rel.mentioned) return true;
  return status.visibility === "private" && rel.follows;
}

async function canViewOne(db: Db, status: StatusLike, viewerId: string | null): Promise<boolean> {
  if (viewerId && status.account_id === viewerId) return true;
  if (!viewerId) return inAudience(status, null, { follows: false, mentioned: false });
  if (await isBlockedEitherWay(db, viewerId, status.account_id)) return false;
  if (inAudience(status, viewerId, { follows: false, mentioned: false })) return true;
  const mentioned = await db
    .selectFrom("mentions")
    .select("id")
    .where("status_id", "=", status.id)
    .where("account_id", "=", viewerId)
    .executeTakeFirst();
  if (mentioned || status.visibility !== "private")
    return inAudience(status, viewerId, { follows: false, mentioned: !!mentioned });
  const follows = await db
    .selectFrom("follows")
    .select("id")
    .where("account_id", "=", viewerId)
    .where("target_account_id", "=", status.account_id)
    .executeTakeFirst();
  return inAudience(status, viewerId, { follows: !!follows, mentioned: false });
}

/** Whether `viewerId` (null = anonymous) may see `status`; for a reblog, the original is checked too. */
export async function canView(
  _ctx: AppContext,
  db: Db,
  status: StatusLike,
  viewerId: string | null,
): Promise<boolean> {
  if (!(await canViewOne(db, status, viewerId))) return false;
  if (!status.reblog_of_id) return true;
  const original = await db
    .selectFrom("statuses")
    .select(["id", "account_id", "visibility", "reblog_of_id"])
    .where("id", "=", status.reblog_of_id)
    .executeTakeFirst();
  if (!original) return false;
  return canViewOne(db, original, viewerId);
}

/**
 * `inAudience` as SQL on the statuses row aliased `table` (blocks aside): own, public/unlisted,
 * private to followers, or mentioned.
 */
export function audienceSql(viewerId: string | null, table: string): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  if (!viewerId) return sql<SqlBool>`(${col("visibility")} in ('public', 'unlisted'))`;
  return sql<SqlBool>`(${col("visibility")} in ('public', 'unlisted')
    or ${col("account_id")} = ${viewerId}
    or (${col("visibility")} = 'private' and exists (select 1 from follows vf
         where vf.account_id = ${viewerId} and vf.target_account_id = ${col("account_id")}))
    or exists (select 1 from mentions vm where vm.status_id = ${col("id")} and vm.account_id = ${viewerId}))`;
}

/**
 * SQL condition on a `statuses` row (or the alias given as `table`) that is true when `viewerId` may
 * see it. Use as `.where(visibleTo(viewerId))` or, for an alias, `.where(visibleTo(viewerId, "s"))`.
 * It mirrors `canView`, including the check of a reblog's original.
 */
export function visibleTo(viewerId: string | null, table = "statuses"): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  if (!viewerId) return sql<SqlBool>`(${col("visibility")} in ('public', 'unlisted'))`;
  const v = viewerId;
  const own = sql`${col("account_id")} = ${v}`;
  const notBlocked = sql`not exists (select 1 from blocks vb where (vb.account_id = ${col("account_id")} and vb.target_account_id = ${v}) or (vb.account_id = ${v} and vb.target_account_id = ${col("account_id")}))`;
  const originalOk = sql`(${col("reblog_of_id")} is null or exists (select 1 from statuses vo where vo.id = ${col("reblog_of_id")} and (vo.account_id = ${v} or (
      ${audienceSql(v, "vo")}
      and not exists (select 1 from blocks vob where (vob.account_id = vo.account_id and vob.target_account_id = ${v}) or (vob.account_id = ${v} and vob.target_account_id = vo.account_id))))))`;
  return sql<SqlBool>`(${own} or (${audienceSql(v, table)} and ${notBlocked} and ${originalOk}))`;
}

/** Same as `visibleTo`, typed as a plain expression for callers that combine conditions. */
export function visibleToExpression(viewerId: string | null, table = "statuses"): Expression<SqlBool> {
  return visibleTo(viewerId, table);
}
