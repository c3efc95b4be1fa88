/**
 * Notification requests (Mastodon 4.3+): the notifications a policy filtered, summed up per sender.
 * Accepting one merges the sender's filtered notifications into the normal list (at once, in the
 * same transaction, so `merged` is always true) and lets the sender through from then on;
 * dismissing one deletes them. Both tell the user's streams `notifications_merged` / nothing.
 */
import { type AfterCommit, type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import type { NotificationRequest, Status } from "../../store/schema.ts";
import { recordDirectStatus } from "../conversations.ts";
import { NotFoundError } from "../errors.ts";
import { channels } from "../events.ts";
import { visibleStatusIds } from "../timelines/visible.ts";
import { REQUEST_TYPES } from "./policy.ts";

/** Mastodon's NotificationRequest::MAX_MEANINGFUL_COUNT. */
const MAX_COUNT = 100;

/** Creates or brings up to date the request of `fromId`'s filtered notifications to `recipientId`. */
export async function refreshRequest(
  ctx: AppContext,
  trx: Db,
  recipientId: string,
  fromId: string,
  lastStatusId: string | null,
): Promise<void> {
  const counted = await trx
    .selectFrom("notifications")
    .select("id")
    .where("account_id", "=", recipientId)
    .where("from_account_id", "=", fromId)
    .where("filtered", "=", 1)
    .where("type", "in", REQUEST_TYPES)
    .limit(MAX_COUNT)
    .execute();
  const nowIso = ctx.now().toISOString();
  await trx
    .insertInto("notification_requests")
    .values({
      id: ctx.ids(),
      account_id: recipientId,
      from_account_id: fromId,
      last_status_id: lastStatusId,
      notifications_count: counted.length,
      created_at: nowIso,
      updated_at: nowIso,
    })
    .onConflict((oc) =>
      oc.columns(["account_id", "from_account_id"]).doUpdateSet({
        last_status_id: lastStatusId,
        notifications_count: counted.length,
        updated_at: nowIso,
      }),
    )
    .execute();
}

export interface RequestPage {
  requests: NotificationRequest[];
  /** pagination keys of the page as read (including requests left empty), newest first */
  cursorIds: string[];
  /** each request's last status, when the viewer may still see it */
  statuses: Map<string, Status>;
}

function ownRequests(ctx: AppContext, viewerId: string) {
  return ctx.db
    .selectFrom("notification_requests as r")
    .innerJoin("accounts as a", "a.id", "r.from_account_id")
    .selectAll("r")
    .where("r.account_id", "=", viewerId)
    .where("a.suspended_at", "is", null);
}

/**
 * What each sender's request holds now: the stored count and last status are brought up to date
 * (a held mention's status may have been deleted since), and requests left empty are not shown.
 */
async function current(
  ctx: AppContext,
  viewerId: string,
  rows: NotificationRequest[],
): Promise<NotificationRequest[]> {
  if (rows.length === 0) return rows;
  const held = await ctx.db
    .selectFrom("notifications")
    .select((eb) => ["from_account_id", eb.fn.countAll().as("n"), eb.fn.max("status_id").as("last")])
    .where("account_id", "=", viewerId)
    .where(
      "from_account_id",
      "in",
      rows.map((r) => r.from_account_id),
    )
    .where("filtered", "=", 1)
    .where("type", "in", REQUEST_TYPES)
    .groupBy("from_account_id")
    .execute();
  const bySender = new Map(held.map((h) => [h.from_account_id, h]));
  return rows.flatMap((r) => {
    const h = bySender.get(r.from_account_id);
    if (!h) return [];
    return [{ ...r, notifications_count: Math.min(Number(h.n), MAX_COUNT), last_status_id: h.last ?? null }];
  });
}

/** Mastodon's policy summary: requests pending (at most 100) and the notifications they hold. */
export async function policySummary(
  ctx: AppContext,
  accountId: string,
): Promise<{ pendingRequests: number; pendingNotifications: number }> {
  const rows = await current(ctx, accountId, await ownRequests(ctx, accountId).limit(MAX_COUNT).execute());
  return {
    pendingRequests: rows.length,
    pendingNotifications: rows.reduce((n, r) => n + r.notifications_count, 0),
  };
}

async function withStatuses(
  ctx: AppContext,
  viewerId: string,
  raw: NotificationRequest[],
): Promise<RequestPage> {
  const rows = await current(ctx, viewerId, raw);
  const ids = [...new Set(rows.map((r) => r.last_status_id).filter((id): id is string => !!id))];
  const statuses = new Map<string, Status>();
  if (ids.length) {
    const loaded = await ctx.db.selectFrom("statuses").selectAll().where("id", "in", ids).execute();
    const visible = await visibleStatusIds(ctx.db, viewerId, loaded);
    for (const s of loaded) if (visible.has(s.id)) statuses.set(s.id, s);
  }
  return { requests: rows, statuses, cursorIds: raw.map((r) => r.id) };
}

export async function listRequests(ctx: AppContext, viewerId: string, page: Page): Promise<RequestPage> {
  return withStatuses(ctx, viewerId, await paginate(ownRequests(ctx, viewerId), "r.id", page));
}

export async function getRequest(ctx: AppContext, viewerId: string, id: string): Promise<RequestPage> {
  const row = await ownRequests(ctx, viewerId).where("r.id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError();
  return withStatuses(ctx, viewerId, [row]);
}

async function takeRequests(trx: Db, viewerId: string, ids: string[]): Promise<NotificationRequest[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom("notification_requests")
    .selectAll()
    .where("account_id", "=", viewerId)
    .where("id", "in", ids)
    .execute();
  if (rows.length)
    await trx
      .deleteFrom("notification_requests")
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
  return rows;
}

/**
 * Accepts the viewer's requests among `ids` (others' and unknown ids are ignored, as Mastodon's
 * bulk form does); `single` makes an unknown id a 404. The senders' filtered notifications join the
 * normal list and their future ones are never filtered.
 */
export async function acceptRequests(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
  opts: { single?: boolean } = {},
): Promise<void> {
  await transaction(ctx, async (trx, after) => {
    const rows = await takeRequests(trx, viewerId, ids);
    if (opts.single && rows.length === 0) throw new NotFoundError();
    for (const r of rows) await acceptSender(ctx, trx, after, viewerId, r.from_account_id);
    if (rows.length) announceMerged(ctx, after, viewerId);
  });
}

async function acceptSender(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  viewerId: string,
  fromId: string,
): Promise<void> {
  await trx
    .insertInto("notification_permissions")
    .values({ account_id: viewerId, from_account_id: fromId, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.columns(["account_id", "from_account_id"]).doNothing())
    .execute();
  // the private mentions held back from the viewer's conversations (recordDirectStatus skipped them)
  const direct = await trx
    .selectFrom("notifications as n")
    .innerJoin("statuses as s", "s.id", "n.status_id")
    .select(["s.id", "s.account_id", "s.conversation_id"])
    .where("n.account_id", "=", viewerId)
    .where("n.from_account_id", "=", fromId)
    .where("n.filtered", "=", 1)
    .where("n.type", "=", "mention")
    .where("s.visibility", "=", "direct")
    .orderBy("s.id")
    .execute();
  await trx
    .updateTable("notifications")
    .set({ filtered: 0 })
    .where("account_id", "=", viewerId)
    .where("from_account_id", "=", fromId)
    .where("filtered", "=", 1)
    .execute();
  for (const s of direct) await recordDirectStatus(ctx, trx, after, s);
}

function announceMerged(ctx: AppContext, after: AfterCommit, viewerId: string): void {
  after(() => ctx.events.publish(channels.user(viewerId), { event: "notifications_merged", id: viewerId }));
}

/** Dismisses the viewer's requests among `ids`: the senders' filtered notifications are deleted. */
export async function dismissRequests(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
  opts: { single?: boolean } = {},
): Promise<void> {
  await transaction(ctx, async (trx) => {
    const rows = await takeRequests(trx, viewerId, ids);
    if (opts.single && rows.length === 0) throw new NotFoundError();
    for (const r of rows)
      await trx
        .deleteFrom("notifications")
        .where("account_id", "=", viewerId)
        .where("from_account_id", "=", r.from_account_id)
        .where("filtered", "=", 1)
        .execute();
  });
}
