import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../../store/db.ts";
import { muteActive } from "../../store/predicates.ts";
import { prepared } from "../../store/prepared.ts";
import type { Status } from "../../store/schema.ts";
import { audienceSql, inAudience } from "../visibility.ts";

/**
 * Visibility rules as SQL conditions for timeline queries (one query per page, no per-row round
 * trips), and a batched in-memory check for short lists (notifications, conversations).
 *
 * A status is visible to a viewer when it is public or unlisted, written by the viewer, private and
 * the viewer follows its author, or the viewer is mentioned in it. Accounts the viewer blocks, is
 * blocked by, or mutes are hidden on top of that.
 */

/** Visibility (blocks aside) of the statuses row aliased `alias`: the rule in core/visibility.ts. */
export function visibleStatusSql(viewerId: string | null, alias: string): RawBuilder<SqlBool> {
  return audienceSql(viewerId, alias);
}

/** The account in column `accountColumn` is neither blocked by, blocking, nor muted by the viewer. */
export function notHiddenSql(viewerId: string, accountColumn: string, nowIso: string): RawBuilder<SqlBool> {
  const a = sql.ref(accountColumn);
  return sql<SqlBool>`(not exists (select 1 from blocks hb1 where hb1.account_id = ${viewerId} and hb1.target_account_id = ${a})
    and not exists (select 1 from blocks hb2 where hb2.account_id = ${a} and hb2.target_account_id = ${viewerId})
    and not exists (select 1 from mutes hm where hm.account_id = ${viewerId} and hm.target_account_id = ${a}
      and ${muteActive("hm", nowIso)}))`;
}

/** No block either way between the viewer and the account in `accountColumn` (mutes do not count). */
export function notBlockedSql(viewerId: string, accountColumn: string): RawBuilder<SqlBool> {
  const a = sql.ref(accountColumn);
  return sql<SqlBool>`(not exists (select 1 from blocks nb1 where nb1.account_id = ${viewerId} and nb1.target_account_id = ${a})
    and not exists (select 1 from blocks nb2 where nb2.account_id = ${a} and nb2.target_account_id = ${viewerId}))`;
}

/**
 * Ids of accounts hidden from the viewer's timelines (blocked either way, muted, or on a domain the
 * viewer blocks), in one query.
 */
export async function hiddenAccountList(db: Db, viewerId: string, nowIso: string): Promise<string[]> {
  // run on every timeline page: compiled once (a named statement on PostgreSQL). The domain part
  // must go from the viewer's few domain blocks to accounts_domain: SQLite keeps the left table of
  // a CROSS JOIN in the outer loop (as an inner join, with exact statistics, it read every account
  // to probe the blocks); PostgreSQL plans it as the inner join it is.
  const rows = await prepared(
    db,
    "hidden-accounts",
    (p) => {
      const viewer = p.value("viewer");
      const raw = sql<{
        id: string;
      }>`select target_account_id as id from blocks where account_id = ${viewer}
    union select account_id as id from blocks where target_account_id = ${viewer}
    union select target_account_id as id from mutes where account_id = ${viewer}
      and ${muteActive("mutes", p.value("now"))}
    union select da.id from account_domain_blocks db cross join accounts da
      where db.account_id = ${viewer} and da.domain = db.domain`;
      return { compile: () => raw.compile(db) };
    },
    { viewer: viewerId, now: nowIso },
  );
  return rows.map((r) => r.id);
}

function notIn(column: string, ids: string[]): RawBuilder<SqlBool> {
  if (ids.length === 0) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`${sql.ref(column)} not in (${sql.join(ids)})`;
}

/**
 * Conditions for a page of statuses aliased `s`, with its reblogged original left-joined as `r`:
 * both visible, neither author among `hidden` (from hiddenAccountList). Hidden accounts are passed
 * as a list rather than probed per row: correlated block/mute subqueries cost more than the page.
 */
export function timelineFilterSql(viewerId: string | null, hidden: string[] = []): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${visibleStatusSql(viewerId, "s")} and ${notIn("s.account_id", hidden)}
    and (s.reblog_of_id is null or (r.id is not null and ${visibleStatusSql(viewerId, "r")}
      and ${notIn("r.account_id", hidden)})))`;
}

/**
 * The author in `column` is not suspended. A list of the few suspended accounts (partial index
 * accounts_suspended) rather than a join to accounts: with exact statistics SQLite's planner
 * prefixed such a join with a Bloom filter built from every account, on each page.
 */
export function authorNotSuspendedSql(column: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} not in (select sa.id from accounts sa where sa.suspended_at is not null)`;
}

/** The account in `column` is not among `hidden`. */
export function notHiddenListSql(column: string, hidden: string[]): RawBuilder<SqlBool> {
  return notIn(column, hidden);
}

/** Ids of accounts the viewer blocks, is blocked by, or mutes (optionally only notification mutes). */
export async function hiddenAccountIds(
  db: Db,
  viewerId: string,
  nowIso: string,
): Promise<{ blocked: Set<string>; muted: Set<string>; mutedNotifications: Set<string> }> {
  const [out, inn, mutes] = await Promise.all([
    db.selectFrom("blocks").select("target_account_id as id").where("account_id", "=", viewerId).execute(),
    db.selectFrom("blocks").select("account_id as id").where("target_account_id", "=", viewerId).execute(),
    db
      .selectFrom("mutes")
      .select(["target_account_id as id", "hide_notifications"])
      .where("account_id", "=", viewerId)
      .where(muteActive("mutes", nowIso))
      .execute(),
  ]);
  return {
    blocked: new Set([...out, ...inn].map((r) => r.id)),
    muted: new Set(mutes.map((r) => r.id)),
    mutedNotifications: new Set(mutes.filter((m) => m.hide_notifications).map((m) => m.id)),
  };
}

/**
 * Batched check for a few statuses (reblogs are checked together with their originals): returns the
 * ids the viewer may see. Hidden (blocked/muted) authors are not considered here.
 */
export async function visibleStatusIds(
  db: Db,
  viewerId: string | null,
  statuses: Pick<Status, "id" | "account_id" | "visibility" | "reblog_of_id">[],
): Promise<Set<string>> {
  const all = new Map(statuses.map((s) => [s.id, s]));
  const missing = statuses.map((s) => s.reblog_of_id).filter((id): id is string => !!id && !all.has(id));
  if (missing.length > 0) {
    const originals = await db
      .selectFrom("statuses")
      .select(["id", "account_id", "visibility", "reblog_of_id"])
      .where("id", "in", missing)
      .execute();
    for (const o of originals) all.set(o.id, o);
  }
  const needFollow = new Set<string>();
  const needMention: string[] = [];
  for (const s of all.values()) {
    if (s.visibility === "public" || s.visibility === "unlisted" || s.account_id === viewerId) continue;
    if (s.visibility === "private") needFollow.add(s.account_id);
    needMention.push(s.id);
  }
  let followed = new Set<string>();
  let mentioned = new Set<string>();
  if (viewerId && needMention.length > 0) {
    const [f, m] = await Promise.all([
      needFollow.size
        ? db
            .selectFrom("follows")
            .select("target_account_id")
            .where("account_id", "=", viewerId)
            .where("target_account_id", "in", [...needFollow])
            .execute()
        : Promise.resolve([]),
      db
        .selectFrom("mentions")
        .select("status_id")
        .where("account_id", "=", viewerId)
        .where("status_id", "in", needMention)
        .execute(),
    ]);
    followed = new Set(f.map((r) => r.target_account_id));
    mentioned = new Set(m.map((r) => r.status_id));
  }
  const ok = (s: Pick<Status, "id" | "account_id" | "visibility"> | undefined): boolean =>
    !!s && inAudience(s, viewerId, { follows: followed.has(s.account_id), mentioned: mentioned.has(s.id) });
  const result = new Set<string>();
  for (const s of statuses) {
    if (ok(s) && (!s.reblog_of_id || ok(all.get(s.reblog_of_id)))) result.add(s.id);
  }
  return result;
}
