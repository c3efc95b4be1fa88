/** A thread around a status: ancestors up the reply chain, descendants depth-first (as Mastodon). */
import { sql } from "kysely";
import type { AppContext } from "../../app.ts";
import { muteActive } from "../../store/predicates.ts";
import type { Status } from "../../store/schema.ts";
import { visibleTo } from "../visibility.ts";
import { getVisibleStatus } from "./load.ts";

// Mastodon's limits: anonymous readers get a short context (40 up, 60 down, 20 levels deep)
export const ANCESTORS_LIMIT = 40;
export const DESCENDANTS_LIMIT_ANON = 60;
export const DESCENDANTS_DEPTH_ANON = 20;
export const DESCENDANTS_LIMIT = 4096;
export const DESCENDANTS_DEPTH = 64;
/**
 * Replies the walk down a thread reads at most, level by level, before ordering them depth-first:
 * a request then costs the same for a thread of a thousand replies as of a million. In a thread
 * larger than this the deepest replies are the ones left out.
 */
export const DESCENDANTS_WALK_LIMIT = 4096;

export interface StatusContext {
  ancestors: Status[];
  descendants: Status[];
}

/** Hides statuses by accounts the viewer mutes (blocks are already part of `visibleTo`). */
function notMuted(viewerId: string | null, nowIso: string) {
  if (!viewerId) return sql<boolean>`1 = 1`;
  return sql<boolean>`not exists (select 1 from mutes cm where cm.account_id = ${viewerId}
    and cm.target_account_id = statuses.account_id and ${muteActive("cm", nowIso)})`;
}

export async function statusContext(
  ctx: AppContext,
  statusId: string,
  viewerId: string | null,
): Promise<StatusContext> {
  const status = await getVisibleStatus(ctx, statusId, viewerId);
  if (status.reblog_of_id) return { ancestors: [], descendants: [] };
  const nowIso = ctx.now().toISOString();

  let ancestors: Status[] = [];
  if (status.in_reply_to_id) {
    const up = await sql<{ id: string; depth: number }>`
      with recursive up(id, parent, depth) as (
        select id, in_reply_to_id, 1 from statuses where id = ${status.in_reply_to_id}
        union all
        select s.id, s.in_reply_to_id, up.depth + 1 from statuses s join up on s.id = up.parent
        where up.depth < ${ANCESTORS_LIMIT}
      )
      select id, depth from up`.execute(ctx.db);
    const ids = up.rows.map((r) => r.id);
    if (ids.length) {
      const rows = await ctx.db
        .selectFrom("statuses")
        .selectAll()
        .where("id", "in", ids)
        .where(visibleTo(viewerId))
        .where(notMuted(viewerId, nowIso))
        .execute();
      const depth = new Map(up.rows.map((r) => [r.id, Number(r.depth)]));
      ancestors = rows.sort((a, b) => (depth.get(b.id) ?? 0) - (depth.get(a.id) ?? 0));
    }
  }

  const limit = viewerId ? DESCENDANTS_LIMIT : DESCENDANTS_LIMIT_ANON;
  const depth = viewerId ? DESCENDANTS_DEPTH : DESCENDANTS_DEPTH_ANON;
  // path = ids from the root joined by '/'; ids have a fixed width, so sorting by path is depth-first.
  // Both databases produce a recursive CTE's rows level by level and stop once the LIMIT of the
  // query reading it is met, so `walked` is where the walk ends. Reblogs are left out when the rows
  // are loaded, not in the walk: a condition on reblog_of_id here once led SQLite's planner to read
  // the reblog index (every original) for each reply instead of statuses_in_reply_to.
  const down = await sql<{ id: string; path: string }>`
    with recursive down(id, path, depth) as (
      select id, cast(id as text), 1 from statuses where in_reply_to_id = ${status.id}
      union all
      select s.id, down.path || '/' || s.id, down.depth + 1 from statuses s join down on s.in_reply_to_id = down.id
      where down.depth < ${depth}
    )
    select id, path from (select id, path from down limit ${DESCENDANTS_WALK_LIMIT}) walked
    order by path limit ${limit * 2}`.execute(ctx.db);
  let descendants: Status[] = [];
  if (down.rows.length) {
    const order = new Map(down.rows.map((r, i) => [r.id, i]));
    const rows = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "in", [...order.keys()])
      .where("reblog_of_id", "is", null)
      .where(visibleTo(viewerId))
      .where(notMuted(viewerId, nowIso))
      .execute();
    descendants = rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0)).slice(0, limit);
  }
  return { ancestors, descendants };
}
