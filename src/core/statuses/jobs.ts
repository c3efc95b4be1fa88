/** Job handlers owned by the statuses domain. */
import { type AppContext, transaction } from "../../app.ts";
import { federatePollUpdate } from "../fediverse/outbound.ts";
import { createNotification } from "../notifications/create.ts";

/** Notifies voters and the author once a poll has closed; idempotent (closed_notified flag). */
export async function expirePoll(ctx: AppContext, pollId: string): Promise<void> {
  await transaction(ctx, async (trx, after) => {
    const poll = await trx.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirst();
    if (!poll?.status_id || poll.closed_notified || !poll.expires_at) return;
    // an edit may have replaced the poll or moved its end; a job that fires early does nothing
    if (poll.expires_at > ctx.now().toISOString()) return;
    const claimed = await trx
      .updateTable("polls")
      .set({ closed_notified: 1 })
      .where("id", "=", poll.id)
      .where("closed_notified", "=", 0)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    const voters = await trx
      .selectFrom("poll_votes")
      .select("account_id")
      .distinct()
      .where("poll_id", "=", poll.id)
      .execute();
    const status = await trx
      .selectFrom("statuses")
      .select(["id", "local"])
      .where("id", "=", poll.status_id)
      .executeTakeFirst();
    // our poll's final counts go out at once (remote copies show it closed with them)
    if (status?.local)
      await federatePollUpdate(
        ctx,
        trx,
        { accountId: poll.account_id, statusId: status.id, pollId: poll.id },
        0,
      );
    const recipients = new Set([poll.account_id, ...voters.map((v) => v.account_id)]);
    for (const recipientId of recipients) {
      await createNotification(ctx, trx, after, {
        recipientId,
        fromId: poll.account_id,
        type: "poll",
        statusId: poll.status_id,
      });
    }
  });
}
