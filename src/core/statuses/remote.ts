/**
 * Remote posts into our store, through the same persist → distribute path as local ones: a Note
 * (created, edited, deleted by its author) and an Announce (a reblog row). What comes in is a
 * RemoteNote (already checked and sanitised by federation/converters); who wrote it, whom it
 * mentions and what it replies to the inbox has resolved to our accounts and statuses first.
 *
 * Idempotent by uri: the same Note delivered twice — even at once — leaves one status and one set
 * of notifications (statuses.uri is unique; the second transaction rolls back whole).
 */
import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { upsertRemoteEmojis } from "../accounts/remote.ts";
import { distributeStatus, distributeStatusUpdate } from "../distribution/distribute.ts";
import { ForbiddenError, ValidationError } from "../errors.ts";
import type { RemoteNote, RemotePoll } from "../remote/types.ts";
import { normalizeHashtag } from "../text/extract.ts";
import { normalizeLanguage } from "./compose.ts";
import { deleteStatusIn } from "./delete.ts";
import { persistStatus, persistStatusEdit, type StatusDraft, type StatusRevision } from "./persist.ts";
import type { NewPoll } from "./polls.ts";

export interface ResolvedNote {
  /** the author's account (upserted from the actor the Note is attributed to) */
  accountId: string;
  /** our accounts for the Note's mentions (those that could not be resolved are left out) */
  mentionIds: string[];
  /** the status `inReplyTo` names, when we hold it */
  inReplyToId: string | null;
}

export interface Ingested {
  status: Status;
  /** false when the status was already there (a redelivery) */
  created: boolean;
}

export function isUniqueViolation(err: unknown): boolean {
  return /unique|duplicate/i.test(String((err as Error)?.message));
}

export function findStatusByUri(db: Db, uri: string): Promise<Status | undefined> {
  return db.selectFrom("statuses").selectAll().where("uri", "=", uri).executeTakeFirst();
}

/** The remote author, who must be the actor the Note names and live on the Note's server. */
async function remoteAuthor(db: Db, note: RemoteNote, accountId: string): Promise<Account> {
  const author = await db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
  if (!author || author.domain === "") throw new ValidationError("Validation failed: unknown remote author");
  if (author.uri !== note.actorUri) throw new ForbiddenError("The post is not attributed to this actor");
  if (new URL(author.uri).host.toLowerCase() !== new URL(note.uri).host.toLowerCase())
    throw new ForbiddenError("The post does not live on its author's server");
  if (author.suspended_at) throw new ForbiddenError("The author is suspended");
  return author;
}

function language(note: RemoteNote): string | null {
  try {
    return normalizeLanguage(note.language);
  } catch {
    return null; // a code we do not know is as good as none
  }
}

function tags(note: RemoteNote): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of note.hashtags) {
    const key = normalizeHashtag(name);
    if (key && !out.has(key)) out.set(key, name);
  }
  return out;
}

function remotePoll(ctx: AppContext, poll: RemotePoll | null): NewPoll | null {
  if (!poll) return null;
  const now = ctx.now().toISOString();
  return {
    options: poll.options.map((o) => o.title),
    multiple: poll.multiple,
    hideTotals: false,
    // a poll that says it is closed but not when ended when we heard of it
    expiresAt: poll.expiresAt ?? (poll.closed ? now : null),
    remoteCounts: poll.options.map((o) => o.votes),
    votersCount: poll.votersCount,
  };
}

/** A remote post is dated as its server says, but never in the future. */
function pastOrNow(ctx: AppContext, iso: string | null): string {
  const now = ctx.now().toISOString();
  return iso && iso < now ? iso : now;
}

/** The conversation a remote `context` names: ours when we know it, else a new one with that uri. */
async function conversationFor(ctx: AppContext, trx: Db, contextUri: string | null): Promise<string | null> {
  if (!contextUri) return null;
  const found = await trx
    .selectFrom("conversations")
    .select("id")
    .where("uri", "=", contextUri)
    .executeTakeFirst();
  if (found) return found.id;
  const id = ctx.ids();
  await trx
    .insertInto("conversations")
    .values({ id, uri: contextUri, created_at: ctx.now().toISOString() })
    .execute();
  return id;
}

/**
 * A remote Note (Create, or a fetched post): stored and distributed like a local post — local
 * followers of the author get it in their homes, mentioned local accounts are notified, private
 * and direct posts reach only whom they may. Returns the existing status for a uri already held.
 */
export async function ingestRemoteNote(
  ctx: AppContext,
  note: RemoteNote,
  resolved: ResolvedNote,
): Promise<Ingested> {
  const existing = await findStatusByUri(ctx.db, note.uri);
  if (existing) return sameAuthor(existing, resolved.accountId);
  await remoteAuthor(ctx.db, note, resolved.accountId);
  try {
    const status = await transaction(ctx, async (trx, after) => {
      const author = await remoteAuthor(trx, note, resolved.accountId);
      const parent = resolved.inReplyToId
        ? await trx
            .selectFrom("statuses")
            .select("id")
            .where("id", "=", resolved.inReplyToId)
            .executeTakeFirst()
        : undefined;
      const draft: StatusDraft = {
        id: ctx.ids(),
        uri: note.uri,
        url: note.url,
        accountId: author.id,
        local: false,
        inReplyToId: parent?.id ?? null,
        conversationId: parent ? null : await conversationFor(ctx, trx, note.context),
        text: "",
        content: note.content,
        spoilerText: note.summary,
        sensitive: note.sensitive,
        visibility: note.visibility,
        language: language(note),
        createdAt: pastOrNow(ctx, note.published),
        mentions: resolved.mentionIds,
        tags: tags(note),
        poll: remotePoll(ctx, note.poll),
      };
      const status = await persistStatus(ctx, trx, draft);
      await upsertRemoteEmojis(ctx, trx, author.domain, note.emojis);
      await distributeStatus(ctx, trx, after, status);
      return status;
    });
    return { status, created: true };
  } catch (err) {
    // the same Note delivered twice at once: the unique uri decides, the loser answers with the winner's
    if (!isUniqueViolation(err)) throw err;
    const winner = await findStatusByUri(ctx.db, note.uri);
    if (!winner) throw err;
    return sameAuthor(winner, resolved.accountId);
  }
}

function sameAuthor(status: Status, accountId: string): Ingested {
  if (status.account_id !== accountId) throw new ForbiddenError("This post belongs to another account");
  return { status, created: false };
}

/** A remote poll's new counts (Mastodon sends an Update as votes come in): no edit, no history. */
async function refreshPollCounts(trx: Db, status: Status, poll: NewPoll | null): Promise<void> {
  if (!status.poll_id || !poll?.remoteCounts) return;
  const votes = poll.remoteCounts.reduce((a, b) => a + b, 0);
  await trx
    .updateTable("polls")
    .set({
      remote_counts: JSON.stringify(poll.remoteCounts),
      votes_count: votes,
      voters_count: poll.votersCount ?? (poll.multiple ? 0 : votes),
      ...(poll.expiresAt ? { expires_at: poll.expiresAt } : {}),
    })
    .where("id", "=", status.poll_id)
    .where("options", "=", JSON.stringify(poll.options))
    .execute();
}

/**
 * A remote Update of a Note: only its author may change it; an Update older than the version we
 * hold is ignored (deliveries can arrive out of order). The edit keeps history like a local one;
 * new mentions are notified and local rebloggers hear of it. Returns null for a post we do not hold
 * (the inbox may then take it as new) and the status unchanged when nothing changed.
 */
export async function updateRemoteNote(
  ctx: AppContext,
  note: RemoteNote,
  resolved: ResolvedNote,
): Promise<Status | null> {
  return transaction(ctx, async (trx, after) => {
    const status = await findStatusByUri(trx, note.uri);
    if (!status) return null;
    if (status.account_id !== resolved.accountId || status.local)
      throw new ForbiddenError("Only the author can edit this post");
    await remoteAuthor(trx, note, resolved.accountId);
    const editedAt = pastOrNow(ctx, note.updated);
    const poll = remotePoll(ctx, note.poll);
    // a poll's counts come by Update without an edit (its `updated` stays the last edit's)
    await refreshPollCounts(trx, status, poll);
    if (status.edited_at && editedAt <= status.edited_at) return status;
    const revision: StatusRevision = {
      text: "",
      content: note.content,
      spoilerText: note.summary,
      sensitive: note.sensitive,
      language: language(note),
      poll,
      mentions: resolved.mentionIds,
      tags: tags(note),
      editedAt,
    };
    const edit = await persistStatusEdit(ctx, trx, status, revision);
    await upsertRemoteEmojis(ctx, trx, new URL(note.uri).host.toLowerCase(), note.emojis);
    if (!edit) return status;
    await distributeStatusUpdate(ctx, trx, after, edit.status, edit.newlyMentioned);
    return edit.status;
  });
}

/**
 * A remote Delete of a post (or an Undo of an Announce, which deletes the reblog row) by the
 * account it belongs to; everyone shown it hears of it. Returns false when we do not hold it;
 * throws ForbiddenError when it belongs to someone else (or is ours).
 */
export async function deleteRemoteStatus(ctx: AppContext, uri: string, accountId: string): Promise<boolean> {
  return transaction(ctx, async (trx, after) => {
    const status = await findStatusByUri(trx, uri);
    if (!status) return false;
    if (status.account_id !== accountId || status.local)
      throw new ForbiddenError("Only the author can delete this post");
    await deleteStatusIn(ctx, trx, after, status);
    return true;
  });
}
