/** Job handlers owned by the statuses domain. */
import { type AppContext, transaction } from "../../app.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { channels } from "../events.ts";
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
    const recipients = new Set([poll.account_id, ...voters.map((v) => v.account_id)]);
    for (const recipientId of recipients) {
      // the author is notified "from" themselves in Mastodon; createNotification skips self-notices,
      // so the author's notice is inserted directly
      if (recipientId === poll.account_id) {
        const author = await trx
          .selectFrom("accounts")
          .select("domain")
          .where("id", "=", recipientId)
          .executeTakeFirst();
        if (author?.domain !== "") continue;
        const id = ctx.ids();
        await trx
          .insertInto("notifications")
          .values({
            id,
            account_id: recipientId,
            from_account_id: poll.account_id,
            type: "poll",
            status_id: poll.status_id,
            created_at: ctx.now().toISOString(),
          })
          .execute();
        after(() => ctx.events.publish(channels.user(recipientId), { event: "notification", id }));
        continue;
      }
      await createNotification(ctx, trx, after, {
        recipientId,
        fromId: poll.account_id,
        type: "poll",
        statusId: poll.status_id,
      });
    }
  });
}

export function registerStatusJobs(queue: JobQueue, ctx: AppContext): void {
  queue.register("poll.expire", async (payload) => {
    if (typeof payload.pollId === "string") await expirePoll(ctx, payload.pollId);
  });
  // Remote delivery of deletes arrives with federation; until then there is nothing to do.
  queue.register("status.delete", async () => {});
}
