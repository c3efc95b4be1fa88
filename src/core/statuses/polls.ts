/** Polls: validation and creation (with a status), voting. */
import type { AppContext } from "../../app.ts";
import { transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Poll } from "../../store/schema.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { federate, federatePollUpdate } from "../fediverse/outbound.ts";
import { CODE_POINTS_PER_CHAR, codePointsOver, graphemeCount } from "../text/count.ts";
import { canView } from "../visibility.ts";

export interface PollInput {
  options: string[];
  expiresIn: number;
  multiple?: boolean;
  hideTotals?: boolean;
}

export const POLL_MIN_EXPIRY = 300;
export const POLL_MAX_EXPIRY = 2_629_746;
export const POLL_OPTION_MAX_CHARS = 50;

export function validatePoll(ctx: AppContext, poll: PollInput): void {
  const options = poll.options.map((o) => o.trim());
  if (options.length < 2) throw new ValidationError("Validation failed: Poll must have at least 2 options");
  if (options.length > ctx.config.maxPollOptions)
    throw new ValidationError(
      `Validation failed: Poll can't contain more than ${ctx.config.maxPollOptions} items`,
    );
  if (options.some((o) => o === ""))
    throw new ValidationError("Validation failed: Poll contains an empty option");
  // graphemes, as Mastodon counts; the code-point cap comes first so marks stacked on one letter cost nothing
  if (
    options.some(
      (o) =>
        codePointsOver(o, CODE_POINTS_PER_CHAR * POLL_OPTION_MAX_CHARS) ||
        graphemeCount(o) > POLL_OPTION_MAX_CHARS,
    )
  )
    throw new ValidationError(
      `Validation failed: Poll contains an item with more than ${POLL_OPTION_MAX_CHARS} characters`,
    );
  if (new Set(options).size !== options.length)
    throw new ValidationError("Validation failed: Poll contains duplicate items");
  if (poll.expiresIn < POLL_MIN_EXPIRY)
    throw new ValidationError("Validation failed: Poll duration is too short");
  if (poll.expiresIn > POLL_MAX_EXPIRY)
    throw new ValidationError("Validation failed: Poll duration is too long");
}

/**
 * A poll as it is stored: made by compose from a client's PollInput, or (later) by the inbox from a
 * remote Question, whose end is a time rather than a duration.
 */
export interface NewPoll {
  options: string[];
  multiple: boolean;
  hideTotals: boolean;
  /** null: a remote poll without an end (Misskey allows them) */
  expiresAt: string | null;
  /** a remote poll: votes per option as its server counts them, and its voters (and votes) count */
  remoteCounts?: number[];
  votersCount?: number | null;
}

/** A validated PollInput as it will be stored, ending `expiresIn` seconds from now. */
export function newPoll(ctx: AppContext, input: PollInput): NewPoll & { expiresAt: string } {
  return {
    options: input.options.map((o) => o.trim()),
    multiple: !!input.multiple,
    hideTotals: !!input.hideTotals,
    expiresAt: new Date(ctx.now().getTime() + input.expiresIn * 1000).toISOString(),
  };
}

/**
 * Votes per option: a remote poll's as its server last reported them (they include the votes our
 * users sent it once it has counted them), a local poll's from its votes.
 */
export function optionCounts(poll: Poll, local: Map<number, number> | undefined): Map<number, number> {
  if (poll.remote_counts) {
    try {
      const counts = JSON.parse(poll.remote_counts) as unknown;
      if (Array.isArray(counts)) return new Map(counts.map((n, i) => [i, Number(n) || 0]));
    } catch {
      // a malformed row falls back to the local votes
    }
  }
  return local ?? new Map();
}

/**
 * Inserts a poll for a status and schedules its expiry job. A remote poll starts with the counts
 * its server reported (votes and voters; a single-choice poll has one vote per voter).
 */
export async function insertPoll(
  ctx: AppContext,
  trx: Db,
  input: NewPoll,
  accountId: string,
  statusId: string,
  pollId: string = ctx.ids(),
): Promise<Poll> {
  const remoteVotes = (input.remoteCounts ?? []).reduce((a, b) => a + b, 0);
  const poll: Poll = {
    id: pollId,
    status_id: statusId,
    account_id: accountId,
    options: JSON.stringify(input.options),
    multiple: input.multiple ? 1 : 0,
    hide_totals: input.hideTotals ? 1 : 0,
    expires_at: input.expiresAt,
    votes_count: remoteVotes,
    voters_count: input.votersCount ?? (input.multiple ? 0 : remoteVotes),
    closed_notified: 0,
    remote_counts: input.remoteCounts ? JSON.stringify(input.remoteCounts) : null,
    created_at: ctx.now().toISOString(),
  };
  await trx.insertInto("polls").values(poll).execute();
  if (input.expiresAt)
    await ctx.queue.enqueue(trx, "poll.expire", { pollId: poll.id }, { runAt: new Date(input.expiresAt) });
  return poll;
}

export async function getPoll(
  ctx: AppContext,
  pollId: string,
  viewerId: string | null,
  db: Db = ctx.db,
): Promise<Poll> {
  const poll = await db.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirst();
  if (!poll?.status_id) throw new NotFoundError();
  const status = await db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "=", poll.status_id)
    .executeTakeFirst();
  if (!status || !(await canView(ctx, db, status, viewerId))) throw new NotFoundError();
  return poll;
}

/** Votes in a poll, following Mastodon's rules; returns the updated poll. */
export async function votePoll(
  ctx: AppContext,
  voter: Account,
  pollId: string,
  choices: number[],
): Promise<Poll> {
  const unique = [...new Set(choices)];
  if (unique.length === 0) throw new ValidationError("Validation failed: Choices can't be blank");
  try {
    return await transaction(ctx, async (trx) => {
      const poll = await getPoll(ctx, pollId, voter.id, trx);
      if (poll.account_id === voter.id)
        throw new ValidationError("Validation failed: You cannot vote in your own poll");
      if (poll.expires_at && poll.expires_at <= ctx.now().toISOString())
        throw new ValidationError("Validation failed: The poll has already ended");
      const options = JSON.parse(poll.options) as string[];
      if (unique.some((c) => !Number.isInteger(c) || c < 0 || c >= options.length))
        throw new ValidationError("Validation failed: Choice is not a valid option");
      if (!poll.multiple && unique.length > 1)
        throw new ValidationError("Validation failed: You can only choose one option in this poll");
      const already = await trx
        .selectFrom("poll_votes")
        .select("id")
        .where("poll_id", "=", poll.id)
        .where("account_id", "=", voter.id)
        .executeTakeFirst();
      if (already) throw new ValidationError("Validation failed: You have already voted on this poll");
      const nowIso = ctx.now().toISOString();
      await trx
        .insertInto("poll_votes")
        .values(
          unique.map((choice) => ({
            id: ctx.ids(),
            poll_id: poll.id,
            account_id: voter.id,
            choice,
            created_at: nowIso,
          })),
        )
        .execute();
      await trx
        .updateTable("polls")
        .set((eb) => ({
          votes_count: eb("votes_count", "+", unique.length),
          voters_count: eb("voters_count", "+", 1),
        }))
        .where("id", "=", poll.id)
        .execute();
      // a remote poll's server counts the vote: it hears of it (its counts come back by Update)
      const author = await trx
        .selectFrom("accounts")
        .select("domain")
        .where("id", "=", poll.account_id)
        .executeTakeFirst();
      if (voter.domain === "" && author && author.domain !== "" && poll.status_id)
        await federate(ctx, trx, {
          type: "poll.vote",
          accountId: voter.id,
          statusId: poll.status_id,
          choices: unique,
        });
      // our own poll: its followers and remote voters hear the new counts (debounced)
      if (author?.domain === "" && poll.status_id)
        await federatePollUpdate(ctx, trx, {
          accountId: poll.account_id,
          statusId: poll.status_id,
          pollId: poll.id,
        });
      return trx.selectFrom("polls").selectAll().where("id", "=", poll.id).executeTakeFirstOrThrow();
    });
  } catch (err) {
    // two concurrent votes by the same account: the unique index decides, the loser gets Mastodon's error
    if (/unique|duplicate/i.test(String((err as Error)?.message)))
      throw new ValidationError("Validation failed: You have already voted on this poll");
    throw err;
  }
}
