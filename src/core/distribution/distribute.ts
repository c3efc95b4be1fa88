/**
 * Distributing a stored status: who hears of it. Called in the transaction that persisted it, by
 * the client API's use cases and (later) the inbox alike, so a remote post reaches local timelines
 * by the same rules as a local one (GoToSocial's `surface*` step). What must be seen at once is done
 * here, in the transaction: the author's own home row, mention, reblog and update notifications.
 * The rest — followers' homes, lists, followed hashtags, `status` notifications, conversations and
 * stream events — runs in the fan-out jobs (fanout.ts), enqueued here so it commits with the status.
 */
import type { AfterCommit, AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Status } from "../../store/schema.ts";
import { federate } from "../fediverse/outbound.ts";
import { createNotification } from "../notifications/create.ts";
import { addToHomeFeed } from "../timelines/feed.ts";

/** `recipients` (local accounts) hear that `status` mentions them, but not those muting its conversation. */
async function notifyMentioned(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Pick<Status, "id" | "account_id" | "conversation_id">,
  recipients: string[],
): Promise<void> {
  if (recipients.length === 0) return;
  const muted = new Set(
    status.conversation_id
      ? (
          await trx
            .selectFrom("conversation_mutes")
            .select("account_id")
            .where("conversation_id", "=", status.conversation_id)
            .where("account_id", "in", recipients)
            .execute()
        ).map((r) => r.account_id)
      : [],
  );
  for (const recipientId of recipients) {
    if (muted.has(recipientId)) continue;
    await createNotification(ctx, trx, after, {
      recipientId,
      fromId: status.account_id,
      type: "mention",
      statusId: status.id,
    });
  }
}

/** The local accounts among `accountIds`, in the given order (remote ones hear by federation). */
async function localAccounts(trx: Db, accountIds: string[]): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const rows = await trx
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", accountIds)
    .where("domain", "=", "")
    .execute();
  const local = new Set(rows.map((a) => a.id));
  return accountIds.filter((id) => local.has(id));
}

/**
 * A new status or reblog, just persisted in `trx`: a local author's own home gets it now (they see
 * their post at once), the mentioned accounts or the reblogged author are notified, and the
 * `status.fanout` job takes it to everyone else.
 */
export async function distributeStatus(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Status,
): Promise<void> {
  if (status.local) await addToHomeFeed(trx, status.account_id, status);
  if (status.reblog_of_id) {
    const original = await trx
      .selectFrom("statuses")
      .select("account_id")
      .where("id", "=", status.reblog_of_id)
      .executeTakeFirst();
    if (original) {
      await createNotification(ctx, trx, after, {
        recipientId: original.account_id,
        fromId: status.account_id,
        type: "reblog",
        statusId: status.id,
      });
    }
  } else {
    const mentioned = await trx
      .selectFrom("mentions as m")
      .innerJoin("accounts as a", "a.id", "m.account_id")
      .select("m.account_id")
      .where("m.status_id", "=", status.id)
      .where("m.silent", "=", 0)
      .where("a.domain", "=", "")
      .orderBy("m.id")
      .execute();
    await notifyMentioned(
      ctx,
      trx,
      after,
      status,
      mentioned.map((m) => m.account_id),
    );
  }
  await ctx.queue.enqueue(trx, "status.fanout", { statusId: status.id });
  if (status.local)
    await federate(ctx, trx, { type: "status.create", accountId: status.account_id, statusId: status.id });
}

/**
 * An edit, just persisted in `trx`: accounts the new text mentions for the first time are notified,
 * local accounts that reblogged it get an `update` notification, and the `status.update_fanout` job
 * announces `status.update` wherever the status is shown.
 */
export async function distributeStatusUpdate(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Status,
  newlyMentioned: string[],
): Promise<void> {
  await notifyMentioned(ctx, trx, after, status, await localAccounts(trx, newlyMentioned));
  const boosters = await trx
    .selectFrom("statuses")
    .innerJoin("accounts", "accounts.id", "statuses.account_id")
    .select("statuses.account_id")
    .where("statuses.reblog_of_id", "=", status.id)
    .where("accounts.domain", "=", "")
    .execute();
  for (const b of new Set(boosters.map((r) => r.account_id))) {
    await createNotification(ctx, trx, after, {
      recipientId: b,
      fromId: status.account_id,
      type: "update",
      statusId: status.id,
    });
  }
  await ctx.queue.enqueue(trx, "status.update_fanout", { statusId: status.id });
  if (status.local)
    await federate(ctx, trx, { type: "status.update", accountId: status.account_id, statusId: status.id });
}
