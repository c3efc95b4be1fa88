/**
 * What local actions leave to tell other servers. A use case that changes something remote servers
 * must hear of records an outbound event in its own transaction (`federate`); the
 * `federation.outbound` job turns it into ActivityPub deliveries after the commit. So a post saved
 * is a post delivered, even if the process dies between the two, and core never sees
 * ActivityStreams: the federation adapter renders the activity from the event when the job runs.
 *
 * Events of one actor run in the order they were recorded (the job's ordering key), so a Follow
 * is never overtaken by its Undo.
 */
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";

const zId = z.string().regex(/^\d{1,20}$/, "not an id");
const zUri = z.string().min(1).max(2048);
const zVisibility = z.enum(["public", "unlisted", "private", "direct"]);

export const outboundEventSchema = z.discriminatedUnion("type", [
  /** a local status (Create Note) or reblog (Announce) */
  z.object({ type: z.literal("status.create"), accountId: zId, statusId: zId }),
  z.object({ type: z.literal("status.update"), accountId: zId, statusId: zId }),
  /** a local status or reblog removed (Delete / Undo Announce); the rows are gone when it runs */
  z.object({
    type: z.literal("status.delete"),
    accountId: zId,
    statusId: zId,
    uri: zUri,
    visibility: zVisibility,
    /** set for a reblog: the original's uri and its author (who hears the Undo) */
    reblogOfUri: zUri.nullable(),
    reblogOfAuthorId: zId.nullable(),
    /** remote accounts the status mentioned (they hear of a followers-only or direct deletion) */
    remoteMentionIds: z.array(zId).max(1000),
  }),
  z.object({ type: z.literal("like"), accountId: zId, statusId: zId, undo: z.boolean() }),
  z.object({ type: z.literal("follow"), accountId: zId, targetId: zId, uri: zUri, undo: z.boolean() }),
  /** a local account accepting or rejecting a remote follow request */
  z.object({
    type: z.literal("follow.answer"),
    accountId: zId,
    followerId: zId,
    followUri: zUri.nullable(),
    accepted: z.boolean(),
  }),
  z.object({ type: z.literal("block"), accountId: zId, targetId: zId, uri: zUri, undo: z.boolean() }),
  z.object({ type: z.literal("profile.update"), accountId: zId }),
  /** a local poll's counts changed (remote votes, debounced) or it closed: Update(Question) */
  z.object({ type: z.literal("poll.update"), accountId: zId, statusId: zId }),
  /** a report about a remote account forwarded to its server (Flag, signed by the instance actor) */
  z.object({ type: z.literal("flag"), accountId: zId, reportId: zId }),
  /** a local account moved to another (Move to its followers); the target is named by its uri */
  z.object({ type: z.literal("account.move"), accountId: zId, targetUri: zUri }),
  /**
   * a local account deleted (Delete of the actor): the inboxes of its remote followers and
   * followed accounts are read before the rows go, one per server where a shared inbox exists
   */
  z.object({
    type: z.literal("account.delete"),
    accountId: zId,
    recipients: z
      .array(z.object({ accountId: zId, uri: zUri, inbox: zUri, sharedInbox: zUri.nullable() }))
      .max(100_000),
  }),
  z.object({
    type: z.literal("poll.vote"),
    accountId: zId,
    statusId: zId,
    choices: z.array(z.number().int().min(0)).min(1).max(64),
  }),
]);

export type OutboundEvent = z.infer<typeof outboundEventSchema>;

/**
 * Records `event` in `trx` for delivery after commit. Callers only pass events of local accounts;
 * whether anyone remote is to hear is decided when the job runs (most local actions have no remote
 * audience, and the job then ends at once).
 */
export async function federate(
  ctx: AppContext,
  trx: Db,
  event: OutboundEvent,
  opts: { runAt?: Date; dedupeKey?: string } = {},
): Promise<void> {
  if (!ctx.config.federation) return;
  await ctx.queue.enqueue(trx, "federation.outbound", event, opts);
}

/**
 * A local poll's counts are to be sent: remote votes are gathered for
 * `TORGAI_POLL_UPDATE_DEBOUNCE_MS` into one Update(Question) (Mastodon debounces them too), at most
 * one pending per poll; the poll's end sends at once.
 */
export async function federatePollUpdate(
  ctx: AppContext,
  trx: Db,
  event: { accountId: string; statusId: string; pollId: string },
  delayMs: number = ctx.config.pollUpdateDebounceMs,
): Promise<void> {
  await federate(
    ctx,
    trx,
    { type: "poll.update", accountId: event.accountId, statusId: event.statusId },
    {
      runAt: new Date(ctx.now().getTime() + delayMs),
      // a pending one already carries the counts of this vote when it runs
      dedupeKey: delayMs > 0 ? `poll.update:${event.pollId}` : undefined,
    },
  );
}

/** The id of a local Follow activity: kept on the follow (request) row, echoed by Accept/Undo. */
export function followActivityUri(ctx: AppContext, username: string, followId: string): string {
  return `${ctx.uris.actor(username)}#follows/${followId}`;
}

/** The id of a local Block activity. */
export function blockActivityUri(ctx: AppContext, username: string, blockId: string): string {
  return `${ctx.uris.actor(username)}#blocks/${blockId}`;
}
