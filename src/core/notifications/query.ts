import type { AppContext } from "../../app.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import type { Notification, Status } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { notBlockedSql, visibleStatusIds } from "../timelines/visible.ts";

export interface NotificationFilter {
  types?: string[];
  excludeTypes?: string[];
  accountId?: string;
  /** include what the notification policy filtered (Mastodon's include_filtered) */
  includeFiltered?: boolean;
}

export interface NotificationPage {
  notifications: Notification[];
  /** the statuses the notifications refer to, all visible to the viewer */
  statuses: Map<string, Status>;
  /** pagination keys of the raw page (including skipped rows), newest first */
  cursorIds: string[];
}

/** The viewer's notifications from accounts still there and not blocked; filtered ones only when asked. */
export function baseQuery(ctx: AppContext, viewerId: string, opts: { includeFiltered?: boolean } = {}) {
  let q = ctx.db
    .selectFrom("notifications as n")
    .innerJoin("accounts as a", "a.id", "n.from_account_id")
    .selectAll("n")
    .where("n.account_id", "=", viewerId)
    .where("a.suspended_at", "is", null)
    .where(notBlockedSql(viewerId, "n.from_account_id"));
  if (!opts.includeFiltered) q = q.where("n.filtered", "=", 0);
  return q;
}

/** Loads the statuses of `rows` and drops notifications whose status the viewer may no longer see. */
export async function withVisibleStatuses(
  ctx: AppContext,
  viewerId: string,
  rows: Notification[],
): Promise<{ notifications: Notification[]; statuses: Map<string, Status> }> {
  const ids = [...new Set(rows.map((r) => r.status_id).filter((id): id is string => !!id))];
  const statuses = new Map<string, Status>();
  if (ids.length) {
    const loaded = await ctx.db.selectFrom("statuses").selectAll().where("id", "in", ids).execute();
    const visible = await visibleStatusIds(ctx.db, viewerId, loaded);
    for (const s of loaded) if (visible.has(s.id)) statuses.set(s.id, s);
  }
  return { notifications: rows.filter((r) => !r.status_id || statuses.has(r.status_id)), statuses };
}

export async function listNotifications(
  ctx: AppContext,
  viewerId: string,
  filter: NotificationFilter,
  page: Page,
): Promise<NotificationPage> {
  let q = baseQuery(ctx, viewerId, { includeFiltered: filter.includeFiltered });
  if (filter.types?.length) q = q.where("n.type", "in", filter.types);
  if (filter.excludeTypes?.length) q = q.where("n.type", "not in", filter.excludeTypes);
  if (filter.accountId) q = q.where("n.from_account_id", "=", filter.accountId);
  const rows = await paginate(q, "n.id", page);
  return { ...(await withVisibleStatuses(ctx, viewerId, rows)), cursorIds: rows.map((r) => r.id) };
}

export async function getNotification(
  ctx: AppContext,
  viewerId: string,
  id: string,
): Promise<{ notification: Notification; status: Status | null }> {
  // shown even when filtered, as Mastodon's show (a request's notifications are opened one by one)
  const row = await baseQuery(ctx, viewerId, { includeFiltered: true })
    .where("n.id", "=", id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  const { notifications, statuses } = await withVisibleStatuses(ctx, viewerId, [row]);
  if (notifications.length === 0) throw new NotFoundError();
  return { notification: row, status: row.status_id ? (statuses.get(row.status_id) ?? null) : null };
}

export async function dismissNotification(ctx: AppContext, viewerId: string, id: string): Promise<void> {
  const res = await ctx.db
    .deleteFrom("notifications")
    .where("account_id", "=", viewerId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError();
}

export async function clearNotifications(ctx: AppContext, viewerId: string): Promise<void> {
  await ctx.db.deleteFrom("notifications").where("account_id", "=", viewerId).execute();
}

/** Notifications newer than the notifications marker, counted up to `limit`. */
export async function unreadNotificationCount(
  ctx: AppContext,
  viewerId: string,
  filter: NotificationFilter,
  limit: number,
): Promise<number> {
  const marker = await ctx.db
    .selectFrom("markers")
    .select("last_read_id")
    .where("account_id", "=", viewerId)
    .where("timeline", "=", "notifications")
    .executeTakeFirst();
  let q = baseQuery(ctx, viewerId);
  if (marker) q = q.where("n.id", ">", marker.last_read_id);
  if (filter.types?.length) q = q.where("n.type", "in", filter.types);
  if (filter.excludeTypes?.length) q = q.where("n.type", "not in", filter.excludeTypes);
  if (filter.accountId) q = q.where("n.from_account_id", "=", filter.accountId);
  const rows = await q.clearSelect().select("n.id").limit(limit).execute();
  return rows.length;
}
