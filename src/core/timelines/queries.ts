import { type SqlBool, sql } from "kysely";
import type { AppContext } from "../../app.ts";
import { type Page, paginate, paginatePrepared } from "../../store/paginate.ts";
import type { Status } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { loadTargetAccount } from "../follows/graph.ts";
import { STATUS_KEY_COLUMNS, type StatusKey } from "../statuses/view.ts";
import { normalizeHashtag } from "../text/extract.ts";
import {
  authorNotSuspendedSql,
  hiddenAccountList,
  notBlockedSql,
  notHiddenListSql,
  timelineFilterSql,
  visibleStatusSql,
} from "./visible.ts";

/**
 * Timeline reads: one indexed query per page returning status rows newest first (callers serialise
 * them through core/statuses/hydrate.ts). Pagination keys are the status ids.
 */

// without the content: hydration reads it only for statuses whose rendered body the renderer lacks
const HOME_COLUMNS = STATUS_KEY_COLUMNS.map((c) => `s.${c}` as const);

/** Home: the materialised feed, visibility re-checked and blocked/muted authors left out. */
export async function homeTimeline(ctx: AppContext, viewerId: string, page: Page): Promise<StatusKey[]> {
  const hidden = await hiddenAccountList(ctx.db, viewerId, ctx.now().toISOString());
  const h = hidden.length;
  // the hottest read: compiled once per shape (number of hidden accounts, page parameters)
  return paginatePrepared(
    ctx.db,
    `home:${h}`,
    (p) =>
      ctx.db
        .selectFrom("home_feed as hf")
        .innerJoin("statuses as s", "s.id", "hf.status_id")
        .leftJoin("statuses as r", "r.id", "s.reblog_of_id")
        .select(HOME_COLUMNS)
        .where("hf.account_id", "=", p.value("viewer"))
        .where(timelineFilterSql(p.value("viewer"), p.list("hidden", h))),
    "hf.status_id",
    page,
    { viewer: viewerId, hidden },
  );
}

export interface PublicTimelineOptions {
  local?: boolean;
  remote?: boolean;
  onlyMedia?: boolean;
}

/** Public: public statuses that are not reblogs nor replies to others (Mastodon's PublicFeed). */
export async function publicTimeline(
  ctx: AppContext,
  viewerId: string | null,
  opts: PublicTimelineOptions,
  page: Page,
): Promise<Status[]> {
  if (opts.onlyMedia) return []; // no media attachments exist yet
  let q = ctx.db
    .selectFrom("statuses as s")
    .selectAll("s")
    .where("s.visibility", "=", "public")
    .where("s.reblog_of_id", "is", null)
    .where(authorNotSuspendedSql("s.account_id"))
    .where((eb) =>
      eb.or([
        eb("s.in_reply_to_account_id", "is", null),
        eb("s.in_reply_to_account_id", "=", eb.ref("s.account_id")),
      ]),
    );
  if (opts.local) q = q.where("s.local", "=", 1);
  else if (opts.remote) q = q.where("s.local", "=", 0);
  if (viewerId)
    q = q.where(
      notHiddenListSql("s.account_id", await hiddenAccountList(ctx.db, viewerId, ctx.now().toISOString())),
    );
  return paginate(q, "s.id", page);
}

export interface TagTimelineOptions {
  any?: string[];
  all?: string[];
  none?: string[];
  local?: boolean;
  remote?: boolean;
  onlyMedia?: boolean;
}

async function tagIds(ctx: AppContext, names: string[]): Promise<Map<string, string>> {
  const keys = [...new Set(names.map(normalizeHashtag).filter(Boolean))];
  if (keys.length === 0) return new Map();
  const rows = await ctx.db.selectFrom("tags").select(["id", "name"]).where("name", "in", keys).execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

const hasTag = (ids: string[]) =>
  sql<SqlBool>`exists (select 1 from status_tags tst where tst.status_id = s.id and tst.tag_id in (${sql.join(ids)}))`;

/** Hashtag: public statuses carrying the tag (or any of `any`), all of `all`, none of `none`. */
export async function tagTimeline(
  ctx: AppContext,
  viewerId: string | null,
  tag: string,
  opts: TagTimelineOptions,
  page: Page,
): Promise<Status[]> {
  if (opts.onlyMedia) return [];
  const known = await tagIds(ctx, [tag, ...(opts.any ?? []), ...(opts.all ?? []), ...(opts.none ?? [])]);
  const idOf = (n: string) => known.get(normalizeHashtag(n));
  const anyIds = [tag, ...(opts.any ?? [])].map(idOf).filter((id): id is string => !!id);
  if (anyIds.length === 0) return [];
  // Read from the tag's side: status_tags is keyed (tag_id, status_id), so one tag's statuses come
  // newest first straight from that key and a page stops after `limit` of them. Read from the
  // statuses' side instead, a rare tag meant walking every public status to find a page. The CROSS
  // JOIN keeps SQLite to that order (it never reorders one; without statistics it preferred to
  // start from the statuses); PostgreSQL plans it as the inner join it is.
  let q = ctx.db
    .selectFrom("status_tags as tt")
    .crossJoin("statuses as s")
    .whereRef("s.id", "=", "tt.status_id")
    .selectAll("s")
    .where("tt.tag_id", anyIds.length === 1 ? "=" : "in", anyIds.length === 1 ? anyIds[0] : anyIds)
    .where("s.visibility", "=", "public")
    .where("s.reblog_of_id", "is", null)
    .where(authorNotSuspendedSql("s.account_id"));
  if (anyIds.length > 1) {
    // a status carrying several of the tags comes once: on the first of them it carries
    q = q.where(
      sql<SqlBool>`tt.tag_id = (select min(tt2.tag_id) from status_tags tt2 where tt2.status_id = tt.status_id and tt2.tag_id in (${sql.join(anyIds)}))`,
    );
  }
  for (const name of opts.all ?? []) {
    const id = idOf(name);
    if (!id) return [];
    q = q.where(hasTag([id]));
  }
  const noneIds = (opts.none ?? []).map(idOf).filter((id): id is string => !!id);
  if (noneIds.length) q = q.where(sql<SqlBool>`not ${hasTag(noneIds)}`);
  if (opts.local) q = q.where("s.local", "=", 1);
  else if (opts.remote) q = q.where("s.local", "=", 0);
  if (viewerId)
    q = q.where(
      notHiddenListSql("s.account_id", await hiddenAccountList(ctx.db, viewerId, ctx.now().toISOString())),
    );
  return paginate(q, "tt.status_id", page);
}

/**
 * A list: statuses and reblogs of its members (read by query, not materialised), the owner's
 * visibility and hidden accounts applied, replies as the list's replies_policy says.
 */
export async function listTimeline(
  ctx: AppContext,
  ownerId: string,
  listId: string,
  page: Page,
): Promise<Status[]> {
  const list = await ctx.db
    .selectFrom("lists")
    .selectAll()
    .where("id", "=", listId)
    .where("account_id", "=", ownerId)
    .executeTakeFirst();
  if (!list) throw new NotFoundError();
  const hidden = await hiddenAccountList(ctx.db, ownerId, ctx.now().toISOString());
  let replies: ReturnType<typeof sql<SqlBool>>;
  if (list.replies_policy === "none") replies = sql<SqlBool>`false`;
  else if (list.replies_policy === "list")
    replies = sql<SqlBool>`s.in_reply_to_account_id in (select la2.account_id from list_accounts la2 where la2.list_id = ${listId})`;
  else
    replies = sql<SqlBool>`s.in_reply_to_account_id in (select f2.target_account_id from follows f2 where f2.account_id = ${ownerId})`;
  return paginate(
    ctx.db
      .selectFrom("list_accounts as la")
      .innerJoin("follows as f", (j) =>
        j.onRef("f.target_account_id", "=", "la.account_id").on("f.account_id", "=", ownerId),
      )
      .innerJoin("statuses as s", "s.account_id", "la.account_id")
      .leftJoin("statuses as r", "r.id", "s.reblog_of_id")
      .selectAll("s")
      .where("la.list_id", "=", listId)
      .where(sql<SqlBool>`(s.reblog_of_id is null or f.show_reblogs = 1)`)
      .where(
        sql<SqlBool>`(s.in_reply_to_account_id is null or s.in_reply_to_account_id = s.account_id
          or s.in_reply_to_account_id = ${ownerId} or ${replies})`,
      )
      .where(timelineFilterSql(ownerId, hidden)),
    "s.id",
    page,
  );
}

export interface AccountStatusesOptions {
  excludeReplies?: boolean;
  excludeReblogs?: boolean;
  onlyMedia?: boolean;
  pinned?: boolean;
  tagged?: string;
}

/** An account's statuses as the viewer may see them; nothing for someone the account blocks. */
export async function accountStatuses(
  ctx: AppContext,
  viewerId: string | null,
  accountId: string,
  opts: AccountStatusesOptions,
  page: Page,
): Promise<Status[]> {
  await loadTargetAccount(ctx.db, accountId);
  if (opts.onlyMedia) return [];
  if (viewerId && viewerId !== accountId) {
    const blocked = await ctx.db
      .selectFrom("blocks")
      .select("id")
      .where("account_id", "=", accountId)
      .where("target_account_id", "=", viewerId)
      .executeTakeFirst();
    if (blocked) return [];
  }
  let q = ctx.db
    .selectFrom("statuses as s")
    .leftJoin("statuses as r", "r.id", "s.reblog_of_id")
    .selectAll("s")
    .where("s.account_id", "=", accountId)
    .where(visibleStatusSql(viewerId, "s"));
  q = q.where(
    viewerId
      ? sql<SqlBool>`(s.reblog_of_id is null or (r.id is not null and ${visibleStatusSql(viewerId, "r")} and ${notBlockedSql(viewerId, "r.account_id")}))`
      : sql<SqlBool>`(s.reblog_of_id is null or (r.id is not null and ${visibleStatusSql(null, "r")}))`,
  );
  if (opts.pinned) {
    q = q.where(
      // from the few pins to their statuses, not through all of the account's statuses
      sql<SqlBool>`s.id in (select sp.status_id from status_pins sp where sp.account_id = ${accountId})`,
    );
  }
  if (opts.excludeReplies) {
    q = q.where((eb) =>
      eb.or([
        eb("s.in_reply_to_id", "is", null),
        eb("s.in_reply_to_account_id", "=", eb.ref("s.account_id")),
      ]),
    );
  }
  if (opts.excludeReblogs) q = q.where("s.reblog_of_id", "is", null);
  if (opts.tagged) {
    const ids = await tagIds(ctx, [opts.tagged]);
    const id = ids.get(normalizeHashtag(opts.tagged));
    if (!id) return [];
    q = q.where(hasTag([id]));
  }
  return paginate(q, "s.id", page);
}
