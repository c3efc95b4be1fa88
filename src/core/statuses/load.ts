import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Status } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { canView, visibleTo } from "../visibility.ts";

export async function findStatus(db: Db, id: string): Promise<Status | undefined> {
  return db.selectFrom("statuses").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The status if `viewerId` may see it; 404 otherwise, as Mastodon answers for hidden statuses. */
export async function getVisibleStatus(
  ctx: AppContext,
  id: string,
  viewerId: string | null,
  db: Db = ctx.db,
): Promise<Status> {
  const status = await findStatus(db, id);
  if (!status || !(await canView(ctx, db, status, viewerId))) throw new NotFoundError();
  return status;
}

/** One of the viewer's own statuses (not a reblog); 404 for anyone else's, as Mastodon does. */
export async function getOwnStatus(
  ctx: AppContext,
  id: string,
  accountId: string,
  db: Db = ctx.db,
): Promise<Status> {
  const status = await findStatus(db, id);
  if (!status || status.account_id !== accountId || status.reblog_of_id) throw new NotFoundError();
  return status;
}

/** Statuses by id in the given order, keeping only those visible to the viewer. */
export async function getVisibleStatuses(
  ctx: AppContext,
  ids: string[],
  viewerId: string | null,
): Promise<Status[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "in", [...new Set(ids)])
    .where(visibleTo(viewerId))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((s): s is Status => !!s);
}
