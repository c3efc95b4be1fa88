/**
 * Which subscriptions hear of a notification: those of its recipient whose alerts include its type
 * and whose policy admits its sender (all; followed: the recipient follows them; follower: they
 * follow the recipient; none). Decided when the notification is recorded, in its transaction, so a
 * `push.deliver` job exists only for a notification that committed; the job checks again before
 * sending (the subscription may have changed or gone meanwhile).
 */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { PushSubscription } from "../../store/schema.ts";
import { subscriptionAlerts } from "./subscriptions.ts";

export interface PushedNotification {
  id: string;
  recipientId: string;
  fromId: string;
  type: string;
}

async function follows(db: Db, accountId: string, targetId: string): Promise<boolean> {
  const row = await db
    .selectFrom("follows")
    .select("id")
    .where("account_id", "=", accountId)
    .where("target_account_id", "=", targetId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Mastodon's `pushable?`: the alert for the type is on and the policy admits the sender. */
export async function pushable(
  db: Db,
  sub: Pick<PushSubscription, "alerts" | "policy">,
  n: Pick<PushedNotification, "recipientId" | "fromId" | "type">,
): Promise<boolean> {
  const alerts = subscriptionAlerts(sub) as Record<string, boolean | undefined>;
  if (!alerts[n.type]) return false;
  switch (sub.policy) {
    case "all":
      return true;
    case "followed":
      return follows(db, n.recipientId, n.fromId);
    case "follower":
      return follows(db, n.fromId, n.recipientId);
    default:
      return false;
  }
}

/** Enqueues one `push.deliver` job per subscription that should hear of the notification. */
export async function enqueuePushDeliveries(
  ctx: AppContext,
  trx: Db,
  n: PushedNotification,
): Promise<number> {
  const subs = await trx
    .selectFrom("push_subscriptions")
    .select(["id", "alerts", "policy"])
    .where("account_id", "=", n.recipientId)
    .execute();
  let enqueued = 0;
  for (const sub of subs) {
    if (!(await pushable(trx, sub, n))) continue;
    await ctx.queue.enqueue(trx, "push.deliver", { subscriptionId: sub.id, notificationId: n.id });
    enqueued++;
  }
  return enqueued;
}
