import type { AfterCommit, AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { isBlockedEitherWay, muteActive } from "../../store/predicates.ts";
import { channels } from "../events.ts";
import { enqueuePushDeliveries } from "../push/notify.ts";
import { notificationGroupKey } from "./group-key.ts";
import { decideNotification, REQUEST_TYPES } from "./policy.ts";
import { refreshRequest } from "./requests.ts";

export type NotificationType =
  | "mention"
  | "status"
  | "reblog"
  | "follow"
  | "follow_request"
  | "favourite"
  | "poll"
  | "update";

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  "mention",
  "status",
  "reblog",
  "follow",
  "follow_request",
  "favourite",
  "poll",
  "update",
];

/**
 * Records a notification inside the caller's transaction, streams it after commit and enqueues its
 * Web Push deliveries (src/core/push/notify.ts). Nothing is
 * recorded for oneself (but a poll's end), from an account the recipient blocks, or one muted with
 * hide_notifications, nor what the recipient's notification policy drops; what it filters is kept
 * aside (not streamed, not listed) and, for mentions, summed up in a request of its sender.
 * Returns the notification id, or null when suppressed.
 */
export async function createNotification(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  input: { recipientId: string; fromId: string; type: NotificationType; statusId?: string | null },
): Promise<string | null> {
  // a poll's author hears of its end "from" themselves, as in Mastodon; nothing else notifies oneself
  if (input.recipientId === input.fromId && input.type !== "poll") return null;
  const recipient = await trx
    .selectFrom("accounts")
    .select(["id", "domain"])
    .where("id", "=", input.recipientId)
    .executeTakeFirst();
  if (recipient?.domain !== "") return null; // missing, or remote: remote accounts get activities
  const nowIso = ctx.now().toISOString();
  const blocked = await isBlockedEitherWay(trx, input.recipientId, input.fromId);
  if (blocked) return null;
  const muted = await trx
    .selectFrom("mutes")
    .select("id")
    .where("account_id", "=", input.recipientId)
    .where("target_account_id", "=", input.fromId)
    .where("hide_notifications", "=", 1)
    .where(muteActive("mutes", nowIso))
    .executeTakeFirst();
  if (muted) return null;
  const decision = await decideNotification(ctx, trx, input);
  if (decision === "drop") return null;
  const filtered = decision === "filter";
  const id = ctx.ids();
  const groupKey = await notificationGroupKey(trx, input.recipientId, input.type, input.statusId, ctx.now());
  await trx
    .insertInto("notifications")
    .values({
      id,
      account_id: input.recipientId,
      from_account_id: input.fromId,
      type: input.type,
      status_id: input.statusId ?? null,
      group_key: groupKey,
      filtered: filtered ? 1 : 0,
      created_at: nowIso,
    })
    .execute();
  if (filtered) {
    if (REQUEST_TYPES.includes(input.type))
      await refreshRequest(ctx, trx, input.recipientId, input.fromId, input.statusId ?? null);
    return id;
  }
  after(() => ctx.events.publish(channels.user(input.recipientId), { event: "notification", id }));
  // Web Push: a delivery job per subscription that wants it, committed with the notification
  await enqueuePushDeliveries(ctx, trx, {
    id,
    recipientId: input.recipientId,
    fromId: input.fromId,
    type: input.type,
  });
  return id;
}
