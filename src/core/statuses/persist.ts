/**
 * Persisting statuses: the rows a status owns and the counters it moves, written inside the
 * caller's transaction, for a local post (from compose.ts) and a remote one (from the inbox) alike.
 * Nothing here decides who hears of it: that is distribution/ (called in the same transaction).
 * Removing statuses: remove.ts.
 */
import { sql } from "kysely";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Poll, Status } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { attachStatusTags } from "../tags.ts";
import type { Visibility } from "../visibility.ts";
import { insertPoll, type NewPoll } from "./polls.ts";

const IDEMPOTENCY_WINDOW_MS = 3600_000;

/**
 * A status ready to store: composed from a local post or reblog (compose.ts), or read from a remote
 * Note or Announce by the inbox, with its own uri and url, its mentions resolved to accounts and
 * its content already rendered (or sanitised).
 */
export interface StatusDraft {
  id: string;
  uri: string;
  url: string;
  accountId: string;
  /** written on this server */
  local: boolean;
  /** a status we hold; the reply joins its conversation */
  inReplyToId?: string | null;
  reblogOfId?: string | null;
  /** the thread, when no parent gives it (a remote context); else the parent's, else a new one */
  conversationId?: string | null;
  /** source as typed (empty for remote posts) */
  text?: string;
  /** HTML */
  content?: string;
  spoilerText?: string;
  sensitive?: boolean;
  visibility: Visibility;
  language?: string | null;
  applicationId?: string | null;
  createdAt: string;
  editedAt?: string | null;
  /** ids of the accounts it mentions */
  mentions?: string[];
  /** hashtags: normalised name → name as written */
  tags?: Map<string, string>;
  poll?: NewPoll | null;
  /** a local client's Idempotency-Key, recorded with the status so that a retry finds it */
  idempotencyKey?: string | null;
}

/** Whether a status counts as a reply on its parent (Mastodon counts public and unlisted ones). */
export function countsAsReply(s: Pick<Status, "visibility">): boolean {
  return s.visibility === "public" || s.visibility === "unlisted";
}

/** A timestamp column set to `at` unless it already holds a later time (old remote posts arrive late). */
function atLeast(column: string, at: string) {
  const col = sql.ref(column);
  return sql<string>`case when ${col} is null or ${col} < ${at} then ${at} else ${col} end`;
}

/**
 * Stores a new status or reblog in `trx`: the row (in its parent's conversation, or a new one),
 * mentions, hashtags, poll (and its expiry job), the idempotency key, and the counters — the
 * author's statuses (direct ones are not counted, as in Mastodon), the parent's replies, the
 * original's reblogs. Throws NotFoundError when the parent is gone.
 */
export async function persistStatus(ctx: AppContext, trx: Db, draft: StatusDraft): Promise<Status> {
  let parent: Pick<Status, "id" | "account_id" | "conversation_id"> | undefined;
  if (draft.inReplyToId) {
    parent = await trx
      .selectFrom("statuses")
      .select(["id", "account_id", "conversation_id"])
      .where("id", "=", draft.inReplyToId)
      .executeTakeFirst();
    if (!parent) throw new NotFoundError("The status you are trying to reply to does not appear to exist.");
  }
  let conversationId: string | null = null;
  if (!draft.reblogOfId) {
    conversationId = parent?.conversation_id ?? draft.conversationId ?? null;
    if (!conversationId) {
      conversationId = ctx.ids();
      await trx
        .insertInto("conversations")
        .values({ id: conversationId, uri: null, created_at: ctx.now().toISOString() })
        .execute();
    }
  }
  const status: Status = {
    id: draft.id,
    uri: draft.uri,
    url: draft.url,
    account_id: draft.accountId,
    local: draft.local ? 1 : 0,
    in_reply_to_id: parent?.id ?? null,
    in_reply_to_account_id: parent?.account_id ?? null,
    reblog_of_id: draft.reblogOfId ?? null,
    conversation_id: conversationId,
    text: draft.text ?? "",
    content: draft.content ?? "",
    spoiler_text: draft.spoilerText ?? "",
    sensitive: draft.sensitive ? 1 : 0,
    visibility: draft.visibility,
    language: draft.language ?? null,
    application_id: draft.applicationId ?? null,
    poll_id: draft.poll ? ctx.ids() : null,
    replies_count: 0,
    reblogs_count: 0,
    favourites_count: 0,
    created_at: draft.createdAt,
    edited_at: draft.editedAt ?? null,
    updated_at: draft.editedAt ?? draft.createdAt,
  };
  await trx.insertInto("statuses").values(status).execute();
  if (draft.poll && status.poll_id) {
    await insertPoll(ctx, trx, draft.poll, status.account_id, status.id, status.poll_id);
  }
  await insertMentions(ctx, trx, status.id, draft.mentions ?? []);
  await attachStatusTags(ctx, trx, status.id, draft.tags ?? new Map(), status.visibility);
  if (draft.idempotencyKey) await recordIdempotencyKey(ctx, trx, status, draft.idempotencyKey);

  await trx
    .updateTable("accounts")
    .set((eb) => ({
      statuses_count:
        status.visibility === "direct" ? eb.ref("statuses_count") : eb("statuses_count", "+", 1),
      last_status_at: atLeast("last_status_at", status.created_at),
    }))
    .where("id", "=", status.account_id)
    .execute();
  if (parent && countsAsReply(status)) {
    await trx
      .updateTable("statuses")
      .set((eb) => ({ replies_count: eb("replies_count", "+", 1) }))
      .where("id", "=", parent.id)
      .execute();
  }
  if (status.reblog_of_id) {
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "+", 1) }))
      .where("id", "=", status.reblog_of_id)
      .execute();
  }
  return status;
}

async function insertMentions(
  ctx: AppContext,
  trx: Db,
  statusId: string,
  accountIds: string[],
): Promise<void> {
  const unique = [...new Set(accountIds)];
  if (unique.length === 0) return;
  await trx
    .insertInto("mentions")
    .values(
      unique.map((accountId) => ({ id: ctx.ids(), status_id: statusId, account_id: accountId, silent: 0 })),
    )
    .execute();
}

async function recordIdempotencyKey(ctx: AppContext, trx: Db, status: Status, key: string): Promise<void> {
  const stale = new Date(ctx.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
  await trx
    .deleteFrom("idempotency_keys")
    .where("account_id", "=", status.account_id)
    .where("key", "=", key)
    .where("created_at", "<=", stale)
    .execute();
  // a concurrent post with the same key fails here, on the primary key: createStatus answers with the winner
  await trx
    .insertInto("idempotency_keys")
    .values({ account_id: status.account_id, key, status_id: status.id, created_at: ctx.now().toISOString() })
    .execute();
}

/** The status an Idempotency-Key names, if it was used within the last hour. */
export async function findIdempotent(
  ctx: AppContext,
  accountId: string,
  key: string,
): Promise<Status | null> {
  const since = new Date(ctx.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
  const row = await ctx.db
    .selectFrom("idempotency_keys")
    .innerJoin("statuses", "statuses.id", "idempotency_keys.status_id")
    .selectAll("statuses")
    .where("idempotency_keys.account_id", "=", accountId)
    .where("idempotency_keys.key", "=", key)
    .where("idempotency_keys.created_at", ">", since)
    .executeTakeFirst();
  return row ?? null;
}

/** The new state of an edited status: from compose.ts (a local edit) or a remote Update. */
export interface StatusRevision {
  text: string;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  /** undefined keeps the poll, null removes it; the same options keep it with its votes */
  poll?: NewPoll | null;
  /** ids of the accounts the new text mentions */
  mentions: string[];
  tags: Map<string, string>;
  /** defaults to now */
  editedAt?: string;
}

export interface PersistedEdit {
  status: Status;
  /** accounts mentioned for the first time (to notify) */
  newlyMentioned: string[];
}

async function snapshot(ctx: AppContext, trx: Db, s: Status, createdAt: string): Promise<void> {
  let pollOptions: string | null = null;
  if (s.poll_id) {
    const poll = await trx
      .selectFrom("polls")
      .select("options")
      .where("id", "=", s.poll_id)
      .executeTakeFirst();
    pollOptions = poll?.options ?? null;
  }
  await trx
    .insertInto("status_edits")
    .values({
      id: ctx.ids(),
      status_id: s.id,
      account_id: s.account_id,
      text: s.text,
      content: s.content,
      spoiler_text: s.spoiler_text,
      sensitive: s.sensitive,
      poll_options: pollOptions,
      created_at: createdAt,
    })
    .execute();
}

function samePoll(poll: Poll, next: NewPoll): boolean {
  const options = JSON.parse(poll.options) as string[];
  return (
    options.length === next.options.length &&
    options.every((o, i) => o === next.options[i]) &&
    !!poll.multiple === next.multiple
  );
}

/**
 * Applies a revision to `status` (as read in `trx`), as Mastodon's UpdateStatusService: the first
 * edit keeps the original as the first history entry, then the new version is recorded; a changed
 * poll is replaced (its votes go), a changed hide-totals setting kept; mentions the text dropped
 * stay as silent mentions, so whoever could see the post still can. Returns null when nothing changed.
 */
export async function persistStatusEdit(
  ctx: AppContext,
  trx: Db,
  status: Status,
  rev: StatusRevision,
): Promise<PersistedEdit | null> {
  const oldPoll = status.poll_id
    ? await trx.selectFrom("polls").selectAll().where("id", "=", status.poll_id).executeTakeFirst()
    : undefined;
  const pollChanged =
    rev.poll === null ? !!oldPoll : rev.poll !== undefined && (!oldPoll || !samePoll(oldPoll, rev.poll));
  const pollSettingsChanged =
    !!rev.poll && !!oldPoll && !pollChanged && !!oldPoll.hide_totals !== rev.poll.hideTotals;
  const sensitive = rev.sensitive ? 1 : 0;
  // content too: a remote edit has no source text, and a local one renders mentions as they now resolve
  const unchanged =
    rev.text === status.text &&
    rev.content === status.content &&
    rev.spoilerText === status.spoiler_text &&
    sensitive === status.sensitive &&
    rev.language === status.language &&
    !pollChanged &&
    !pollSettingsChanged;
  if (unchanged) return null;

  const editedAt = rev.editedAt ?? ctx.now().toISOString();
  const first = await trx
    .selectFrom("status_edits")
    .select("id")
    .where("status_id", "=", status.id)
    .executeTakeFirst();
  if (!first) await snapshot(ctx, trx, status, status.created_at);

  let pollId = status.poll_id;
  if (pollChanged) {
    if (oldPoll) await trx.deleteFrom("polls").where("id", "=", oldPoll.id).execute(); // votes cascade
    pollId = rev.poll ? (await insertPoll(ctx, trx, rev.poll, status.account_id, status.id)).id : null;
  } else if (pollSettingsChanged && oldPoll && rev.poll) {
    await trx
      .updateTable("polls")
      .set({ hide_totals: rev.poll.hideTotals ? 1 : 0 })
      .where("id", "=", oldPoll.id)
      .execute();
  }

  const fields = {
    text: rev.text,
    content: rev.content,
    spoiler_text: rev.spoilerText,
    sensitive,
    language: rev.language,
    poll_id: pollId,
    edited_at: editedAt,
    updated_at: editedAt,
  };
  await trx.updateTable("statuses").set(fields).where("id", "=", status.id).execute();
  const updated: Status = { ...status, ...fields };

  const oldMentions = new Set(
    (await trx.selectFrom("mentions").select("account_id").where("status_id", "=", status.id).execute()).map(
      (m) => m.account_id,
    ),
  );
  const mentioned = [...new Set(rev.mentions)];
  const newlyMentioned = mentioned.filter((id) => !oldMentions.has(id));
  await insertMentions(ctx, trx, status.id, newlyMentioned);
  await attachStatusTags(ctx, trx, status.id, rev.tags, status.visibility);
  await trx
    .deleteFrom("status_tags")
    .where("status_id", "=", status.id)
    .where("tag_id", "not in", (eb) =>
      eb
        .selectFrom("tags")
        .select("id")
        .where("name", "in", ["", ...rev.tags.keys()]),
    )
    .execute();
  await trx
    .updateTable("mentions")
    .set({ silent: 1 })
    .where("status_id", "=", status.id)
    .where("account_id", "not in", ["", ...mentioned])
    .execute();
  await trx
    .updateTable("mentions")
    .set({ silent: 0 })
    .where("status_id", "=", status.id)
    .where("account_id", "in", ["", ...mentioned])
    .execute();
  await snapshot(ctx, trx, updated, editedAt);
  return { status: updated, newlyMentioned };
}
