/**
 * Grouped notifications (Mastodon 4.3, /api/v2/notifications): a page holds at most one
 * notification per group, newest first, and each group reports its size, newest member and a
 * sample of the accounts behind it.
 */
import type { AppContext } from "../../app.ts";
import type { Page } from "../../store/paginate.ts";
import type { Notification, Status } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { GROUPABLE_TYPES } from "./group-key.ts";
import { baseQuery, type NotificationFilter, withVisibleStatuses } from "./query.ts";

/** How many accounts a group shows (Mastodon's SAMPLE_ACCOUNTS_SIZE). */
export const SAMPLE_ACCOUNTS = 8;

export interface GroupFilter extends NotificationFilter {
  /** types that may group; default favourite, reblog and follow */
  groupedTypes?: string[];
}

export interface NotificationGroup {
  groupKey: string;
  type: string;
  notificationsCount: number;
  mostRecentNotificationId: string;
  pageMinId: string;
  pageMaxId: string;
  latestPageNotificationAt: string;
  sampleAccountIds: string[];
  statusId: string | null;
}

export interface NotificationGroupPage {
  groups: NotificationGroup[];
  /** the statuses the groups refer to, all visible to the viewer */
  statuses: Map<string, Status>;
  /** representative notification ids, newest first (the Link header's cursors) */
  cursorIds: string[];
}

function effectiveKey(n: Notification, grouped: readonly string[]): string {
  return n.group_key && grouped.includes(n.type) ? n.group_key : `ungrouped-${n.id}`;
}

function groupedTypesOf(filter: GroupFilter): readonly string[] {
  return filter.groupedTypes?.length
    ? filter.groupedTypes.filter((t) => GROUPABLE_TYPES.includes(t))
    : GROUPABLE_TYPES;
}

function filtered(ctx: AppContext, viewerId: string, filter: NotificationFilter) {
  let q = baseQuery(ctx, viewerId, { includeFiltered: filter.includeFiltered });
  if (filter.types?.length) q = q.where("n.type", "in", filter.types);
  if (filter.excludeTypes?.length) q = q.where("n.type", "not in", filter.excludeTypes);
  if (filter.accountId) q = q.where("n.from_account_id", "=", filter.accountId);
  return q;
}

/**
 * Walks the viewer's notifications in batches and keeps the first (in page order) of each group
 * until `limit` groups are found — what Mastodon's recursive CTE does, portable to SQLite.
 */
async function representatives(
  ctx: AppContext,
  viewerId: string,
  filter: GroupFilter,
  page: Page,
  grouped: readonly string[],
): Promise<Notification[]> {
  const ascending = page.minId !== undefined && page.sinceId === undefined;
  const batch = Math.max(page.limit * 2, 40);
  const seen = new Set<string>();
  const out: Notification[] = [];
  let cursor: string | undefined;
  for (let round = 0; round < 50 && out.length < page.limit; round++) {
    let q = filtered(ctx, viewerId, filter);
    if (page.maxId) q = q.where("n.id", "<", page.maxId);
    if (page.sinceId) q = q.where("n.id", ">", page.sinceId);
    if (page.minId) q = q.where("n.id", ">", page.minId);
    if (cursor) q = q.where("n.id", ascending ? ">" : "<", cursor);
    const rows = await q
      .orderBy("n.id", ascending ? "asc" : "desc")
      .limit(batch)
      .execute();
    for (const r of rows) {
      const key = effectiveKey(r, grouped);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
      if (out.length >= page.limit) break;
    }
    if (rows.length < batch) break;
    cursor = rows[rows.length - 1].id;
  }
  return ascending ? out.reverse() : out;
}

/** Group members (newest first) within the page's id range, as Mastodon's load_groups_data. */
async function describeGroups(
  ctx: AppContext,
  viewerId: string,
  reps: Notification[],
  grouped: readonly string[],
  range: { begin: string | null; end: string | null },
): Promise<NotificationGroup[]> {
  const keys = [
    ...new Set(reps.map((r) => effectiveKey(r, grouped)).filter((k) => !k.startsWith("ungrouped-"))),
  ];
  const members = new Map<string, Notification[]>();
  if (keys.length) {
    let q = baseQuery(ctx, viewerId).where("n.group_key", "in", keys);
    if (range.end) q = q.where("n.id", "<=", range.end);
    for (const r of await q.orderBy("n.id", "desc").execute()) {
      const k = r.group_key as string;
      let list = members.get(k);
      if (!list) {
        list = [];
        members.set(k, list);
      }
      list.push(r);
    }
  }
  return reps.map((rep) => {
    const key = effectiveKey(rep, grouped);
    const list = members.get(key) ?? [rep];
    const newest = list[0];
    const inPage = range.begin ? list.filter((m) => m.id >= (range.begin as string)) : list;
    const oldestInPage = inPage.length ? inPage[inPage.length - 1] : rep;
    const sample: string[] = [];
    for (const m of list) {
      if (!sample.includes(m.from_account_id)) sample.push(m.from_account_id);
      if (sample.length >= SAMPLE_ACCOUNTS) break;
    }
    return {
      groupKey: key,
      type: rep.type,
      notificationsCount: list.length,
      mostRecentNotificationId: newest.id,
      pageMinId: oldestInPage.id,
      pageMaxId: newest.id,
      latestPageNotificationAt: newest.created_at,
      sampleAccountIds: sample,
      statusId: rep.status_id,
    };
  });
}

export async function listNotificationGroups(
  ctx: AppContext,
  viewerId: string,
  filter: GroupFilter,
  page: Page,
): Promise<NotificationGroupPage> {
  const grouped = groupedTypesOf(filter);
  const raw = await representatives(ctx, viewerId, filter, page, grouped);
  const { notifications: reps, statuses } = await withVisibleStatuses(ctx, viewerId, raw);
  if (raw.length === 0) return { groups: [], statuses, cursorIds: [] };
  // the id range this page covers; an incomplete page reaches to the end it was walking towards
  let begin: string | null = raw[raw.length - 1].id;
  let end: string | null = raw[0].id;
  if (raw.length < page.limit) {
    if (page.minId !== undefined && page.sinceId === undefined) end = page.maxId ?? null;
    else begin = page.sinceId ?? null;
  }
  const groups = await describeGroups(ctx, viewerId, reps, grouped, { begin, end });
  return { groups, statuses, cursorIds: raw.map((r) => r.id) };
}

function byGroupKey(ctx: AppContext, viewerId: string, groupKey: string) {
  const q = baseQuery(ctx, viewerId);
  if (groupKey.startsWith("ungrouped-")) {
    const id = groupKey.slice("ungrouped-".length);
    return /^\d{1,20}$/.test(id) ? q.where("n.id", "=", id) : null;
  }
  return q.where("n.group_key", "=", groupKey);
}

/** One group by key (404 when the viewer has none with that key). */
export async function getNotificationGroup(
  ctx: AppContext,
  viewerId: string,
  groupKey: string,
): Promise<{ group: NotificationGroup; statuses: Map<string, Status> }> {
  const q = byGroupKey(ctx, viewerId, groupKey);
  const row = q ? await q.orderBy("n.id", "desc").limit(1).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError();
  const { notifications, statuses } = await withVisibleStatuses(ctx, viewerId, [row]);
  if (notifications.length === 0) throw new NotFoundError();
  const [group] = await describeGroups(ctx, viewerId, [row], GROUPABLE_TYPES, { begin: null, end: null });
  return { group, statuses };
}

/** Account ids of a group's notifications, newest first, without repeats. */
export async function notificationGroupAccountIds(
  ctx: AppContext,
  viewerId: string,
  groupKey: string,
  limit = 80,
): Promise<string[]> {
  const q = byGroupKey(ctx, viewerId, groupKey);
  if (!q) throw new NotFoundError();
  const rows = await q
    .clearSelect()
    .select("n.from_account_id")
    .orderBy("n.id", "desc")
    .limit(1000)
    .execute();
  if (rows.length === 0) throw new NotFoundError();
  return [...new Set(rows.map((r) => r.from_account_id))].slice(0, limit);
}

/** Deletes every notification of the group; like Mastodon, an unknown key is not an error. */
export async function dismissNotificationGroup(ctx: AppContext, viewerId: string, groupKey: string) {
  let q = ctx.db.deleteFrom("notifications").where("account_id", "=", viewerId);
  if (groupKey.startsWith("ungrouped-")) {
    const id = groupKey.slice("ungrouped-".length);
    if (!/^\d{1,20}$/.test(id)) return;
    q = q.where("id", "=", id);
  } else {
    q = q.where("group_key", "=", groupKey);
  }
  await q.execute();
}

/** Groups with notifications newer than the notifications marker, counted up to `limit`. */
export async function unreadGroupCount(
  ctx: AppContext,
  viewerId: string,
  filter: GroupFilter,
  limit: number,
): Promise<number> {
  const marker = await ctx.db
    .selectFrom("markers")
    .select("last_read_id")
    .where("account_id", "=", viewerId)
    .where("timeline", "=", "notifications")
    .executeTakeFirst();
  const reps = await representatives(
    ctx,
    viewerId,
    filter,
    { minId: marker?.last_read_id ?? "0", limit },
    groupedTypesOf(filter),
  );
  return reps.length;
}
