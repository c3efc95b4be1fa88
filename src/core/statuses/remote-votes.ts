/**
 * Votes from other servers on local polls: ActivityPub carries a vote as a Note whose `name` is the
 * option's title, in reply to the poll (Mastodon's form). One vote per option per account; a
 * single-choice poll takes one option per account.
 */
import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { federatePollUpdate } from "../fediverse/outbound.ts";

export async function receiveRemoteVote(
  ctx: AppContext,
  voter: Account,
  status: Status,
  optionTitle: string,
): Promise<boolean> {
  if (!status.local || !status.poll_id || voter.domain === "") return false;
  const pollId = status.poll_id;
  return transaction(ctx, async (trx) => {
    const poll = await trx.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirst();
    if (!poll) return false;
    if (poll.expires_at && poll.expires_at <= ctx.now().toISOString()) return false;
    const choice = (JSON.parse(poll.options) as string[]).indexOf(optionTitle);
    if (choice < 0) return false;
    const mine = await trx
      .selectFrom("poll_votes")
      .select("choice")
      .where("poll_id", "=", poll.id)
      .where("account_id", "=", voter.id)
      .execute();
    if (mine.some((v) => v.choice === choice)) return false;
    if (!poll.multiple && mine.length > 0) return false;
    await trx
      .insertInto("poll_votes")
      .values({
        id: ctx.ids(),
        poll_id: poll.id,
        account_id: voter.id,
        choice,
        created_at: ctx.now().toISOString(),
      })
      .execute();
    await trx
      .updateTable("polls")
      .set((eb) => ({
        votes_count: eb("votes_count", "+", 1),
        voters_count: mine.length === 0 ? eb("voters_count", "+", 1) : eb.ref("voters_count"),
      }))
      .where("id", "=", poll.id)
      .execute();
    // the voter's server (and the author's other followers) hear the new counts, debounced
    await federatePollUpdate(ctx, trx, { accountId: poll.account_id, statusId: status.id, pollId: poll.id });
    return true;
  });
}
