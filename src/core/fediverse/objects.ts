/**
 * What the federation adapter needs to render local accounts and statuses as ActivityStreams, and
 * to address deliveries — as plain data (the converters never query). Only local rows are served
 * as our objects; remote ones are the origin server's to serve.
 */
import type { AppContext } from "../../app.ts";
import type { Account, Poll, Status } from "../../store/schema.ts";
import type { OutboundEvent } from "./outbound.ts";

export interface NoteMention {
  accountId: string;
  uri: string;
  /** user@domain for remote accounts, user for local ones */
  acct: string;
  local: boolean;
}

export interface NotePoll {
  poll: Poll;
  options: string[];
  /** votes per option index */
  counts: number[];
}

export interface NoteData {
  status: Status;
  author: Account;
  /** the parent status's uri, when it is a reply */
  inReplyToUri: string | null;
  mentions: NoteMention[];
  /** hashtags as the post wrote them */
  tags: string[];
  poll: NotePoll | null;
  /** for a reblog: the original's uri and author */
  reblogOf: { uri: string; authorId: string; authorUri: string } | null;
}

/** A local account that may federate (not suspended), by username (exact, as in its actor URI). */
export async function findLocalActor(ctx: AppContext, username: string): Promise<Account | null> {
  const row = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("username", "=", username)
    .where("domain", "=", "")
    .where("suspended_at", "is", null)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * A local account by username whether or not it is suspended: a deleted account's actor is still
 * served (without its profile) with its keys, which verify its Delete and retried deliveries.
 */
export async function findLocalActorOrGone(ctx: AppContext, username: string): Promise<Account | null> {
  const row = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("username", "=", username)
    .where("domain", "=", "")
    .executeTakeFirst();
  return row ?? null;
}

/** The private keys of a local account (PKCS#8 PEM), read only to sign. */
export async function localPrivateKeys(
  ctx: AppContext,
  accountId: string,
): Promise<{ rsa: string; ed25519: string } | null> {
  const row = await ctx.db
    .selectFrom("account_keys")
    .select(["private_key_pem", "ed25519_private_key"])
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row ? { rsa: row.private_key_pem, ed25519: row.ed25519_private_key } : null;
}

export async function loadAccount(ctx: AppContext, id: string): Promise<Account | null> {
  return (await ctx.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}

export async function loadAccounts(ctx: AppContext, ids: readonly string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  return ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "in", [...new Set(ids)])
    .execute();
}

/** A status with everything its Note (or Announce) needs; null when it is gone. */
export async function loadNoteData(ctx: AppContext, statusId: string): Promise<NoteData | null> {
  const status = await ctx.db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "=", statusId)
    .executeTakeFirst();
  if (!status) return null;
  const author = await loadAccount(ctx, status.account_id);
  if (!author) return null;
  let reblogOf: NoteData["reblogOf"] = null;
  if (status.reblog_of_id) {
    const original = await ctx.db
      .selectFrom("statuses as s")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .select(["s.uri", "s.account_id", "a.uri as author_uri"])
      .where("s.id", "=", status.reblog_of_id)
      .executeTakeFirst();
    if (!original) return null;
    reblogOf = { uri: original.uri, authorId: original.account_id, authorUri: original.author_uri };
  }
  const parent = status.in_reply_to_id
    ? await ctx.db
        .selectFrom("statuses")
        .select("uri")
        .where("id", "=", status.in_reply_to_id)
        .executeTakeFirst()
    : undefined;
  const mentions = await ctx.db
    .selectFrom("mentions as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .select(["a.id", "a.uri", "a.username", "a.domain"])
    .where("m.status_id", "=", status.id)
    .orderBy("m.id")
    .execute();
  const tags = await ctx.db
    .selectFrom("status_tags as st")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select(["t.display_name", "t.name"])
    .where("st.status_id", "=", status.id)
    .orderBy("t.name")
    .execute();
  let poll: NotePoll | null = null;
  if (status.poll_id) {
    const row = await ctx.db
      .selectFrom("polls")
      .selectAll()
      .where("id", "=", status.poll_id)
      .executeTakeFirst();
    if (row) {
      const options = JSON.parse(row.options) as string[];
      const counts = options.map(() => 0);
      const votes = await ctx.db
        .selectFrom("poll_votes")
        .select(["choice", (eb) => eb.fn.countAll<number>().as("n")])
        .where("poll_id", "=", row.id)
        .groupBy("choice")
        .execute();
      for (const v of votes) if (v.choice < counts.length) counts[v.choice] = Number(v.n);
      poll = { poll: row, options, counts };
    }
  }
  return {
    status,
    author,
    inReplyToUri: parent?.uri ?? null,
    mentions: mentions.map((m) => ({
      accountId: m.id,
      uri: m.uri,
      acct: m.domain ? `${m.username}@${m.domain}` : m.username,
      local: m.domain === "",
    })),
    tags: tags.map((t) => t.display_name || t.name),
    poll,
    reblogOf,
  };
}

/** A local status by id as an object of `username` (null: not ours, not theirs, or a reblog). */
export async function findLocalStatus(
  ctx: AppContext,
  username: string,
  statusId: string,
): Promise<NoteData | null> {
  const data = await loadNoteData(ctx, statusId);
  if (!data?.status.local || data.status.reblog_of_id) return null;
  if (data.author.username !== username) return null;
  return data;
}

/**
 * Who may fetch a local status of `username` (its visibility and author), in one query — what a
 * Note's authorization needs before the Note itself is loaded. Null as findLocalStatus is.
 */
export async function localStatusAudience(
  ctx: AppContext,
  username: string,
  statusId: string,
): Promise<{ statusId: string; authorId: string; visibility: Status["visibility"] } | null> {
  const row = await ctx.db
    .selectFrom("statuses as s")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .select(["s.id", "s.account_id", "s.visibility"])
    .where("s.id", "=", statusId)
    .where("s.local", "=", 1)
    .where("s.reblog_of_id", "is", null)
    .where("a.username", "=", username)
    .where("a.domain", "=", "")
    .executeTakeFirst();
  return row ? { statusId: row.id, authorId: row.account_id, visibility: row.visibility } : null;
}

export interface RemoteRecipient {
  accountId: string;
  uri: string;
  inbox: string;
  sharedInbox: string | null;
}

function toRecipient(
  a: Pick<Account, "id" | "uri" | "inbox_url" | "shared_inbox_url">,
): RemoteRecipient | null {
  if (!a.inbox_url) return null;
  return { accountId: a.id, uri: a.uri, inbox: a.inbox_url, sharedInbox: a.shared_inbox_url };
}

/** Remote accounts following `accountId` (their inboxes), for deliveries to "followers". */
export async function remoteFollowers(ctx: AppContext, accountId: string): Promise<RemoteRecipient[]> {
  const rows = await ctx.db
    .selectFrom("follows as f")
    .innerJoin("accounts as a", "a.id", "f.account_id")
    .select(["a.id", "a.uri", "a.inbox_url", "a.shared_inbox_url"])
    .where("f.target_account_id", "=", accountId)
    .where("a.domain", "!=", "")
    .where("a.suspended_at", "is", null)
    .execute();
  return rows.map(toRecipient).filter((r): r is RemoteRecipient => r !== null);
}

/** The remote accounts among `ids` as delivery recipients. */
export async function remoteRecipients(ctx: AppContext, ids: readonly string[]): Promise<RemoteRecipient[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .selectFrom("accounts")
    .select(["id", "uri", "inbox_url", "shared_inbox_url"])
    .where("id", "in", [...new Set(ids)])
    .where("domain", "!=", "")
    .where("suspended_at", "is", null)
    .execute();
  return rows.map(toRecipient).filter((r): r is RemoteRecipient => r !== null);
}

/** Whether `accountUri` (a remote actor) follows the local account `accountId`. */
export async function isFollowedBy(
  ctx: AppContext,
  accountId: string,
  followerUri: string,
): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("follows as f")
    .innerJoin("accounts as a", "a.id", "f.account_id")
    .select("f.id")
    .where("f.target_account_id", "=", accountId)
    .where("a.uri", "=", followerUri)
    .executeTakeFirst();
  return !!row;
}

/** Whether the status mentions the account with uri `accountUri`. */
export async function isMentioned(ctx: AppContext, statusId: string, accountUri: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("mentions as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .select("m.id")
    .where("m.status_id", "=", statusId)
    .where("a.uri", "=", accountUri)
    .executeTakeFirst();
  return !!row;
}

export interface CollectionPage<T> {
  items: T[];
  /** the cursor of the next (older) page, or null at the end */
  next: string | null;
}

/**
 * Followers as delivery recipients, newest first, by follow id cursor; `limit` null reads all
 * (local followers' inboxes are ours: Fedify leaves them out of deliveries by base URI).
 */
export async function followerRecipients(
  ctx: AppContext,
  accountId: string,
  cursor: string | null,
  limit: number | null,
): Promise<CollectionPage<{ uri: string; inbox: string; sharedInbox: string | null }>> {
  let q = ctx.db
    .selectFrom("follows as f")
    .innerJoin("accounts as a", "a.id", "f.account_id")
    .select(["f.id", "a.uri", "a.username", "a.domain", "a.inbox_url", "a.shared_inbox_url"])
    .where("f.target_account_id", "=", accountId)
    .where("a.suspended_at", "is", null)
    .orderBy("f.id", "desc");
  if (limit !== null) q = q.limit(limit + 1);
  if (cursor) q = q.where("f.id", "<", cursor);
  const rows = await q.execute();
  const page = limit === null ? rows : rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      uri: r.uri,
      inbox: r.inbox_url ?? (r.domain === "" ? ctx.uris.inbox(r.username) : r.uri),
      sharedInbox: r.shared_inbox_url ?? (r.domain === "" ? ctx.uris.sharedInbox() : null),
    })),
    next: limit !== null && rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** Actor URIs of followers (or followed accounts), newest first, by follow id cursor. */
export async function followUris(
  ctx: AppContext,
  accountId: string,
  direction: "followers" | "following",
  cursor: string | null,
  limit: number,
): Promise<CollectionPage<string>> {
  const [mine, theirs] =
    direction === "followers"
      ? (["target_account_id", "account_id"] as const)
      : (["account_id", "target_account_id"] as const);
  let q = ctx.db
    .selectFrom("follows as f")
    .innerJoin("accounts as a", "a.id", `f.${theirs}`)
    .select(["f.id", "a.uri"])
    .where(`f.${mine}`, "=", accountId)
    .where("a.suspended_at", "is", null)
    .orderBy("f.id", "desc")
    .limit(limit + 1);
  if (cursor) q = q.where("f.id", "<", cursor);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  return { items: page.map((r) => r.uri), next: rows.length > limit ? page[page.length - 1].id : null };
}

/** Public and unlisted statuses and reblogs of a local account for its outbox, newest first. */
export async function outboxStatusIds(
  ctx: AppContext,
  accountId: string,
  cursor: string | null,
  limit: number,
): Promise<CollectionPage<string>> {
  let q = ctx.db
    .selectFrom("statuses")
    .select("id")
    .where("account_id", "=", accountId)
    .where("visibility", "in", ["public", "unlisted"])
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (cursor) q = q.where("id", "<", cursor);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  return { items: page.map((r) => r.id), next: rows.length > limit ? page[page.length - 1].id : null };
}

/** Pinned public statuses of a local account (the `featured` collection). */
export async function pinnedStatusIds(ctx: AppContext, accountId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("status_pins as p")
    .innerJoin("statuses as s", "s.id", "p.status_id")
    .select("s.id")
    .where("p.account_id", "=", accountId)
    .where("s.visibility", "in", ["public", "unlisted"])
    .orderBy("p.id", "desc")
    .limit(20)
    .execute();
  return rows.map((r) => r.id);
}

/** Featured hashtags of an account (the `featuredTags` collection). */
export async function featuredTagNames(ctx: AppContext, accountId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("featured_tags as f")
    .innerJoin("tags as t", "t.id", "f.tag_id")
    .select(["t.display_name", "t.name"])
    .where("f.account_id", "=", accountId)
    .execute();
  return rows.map((r) => r.display_name || r.name);
}

/**
 * Whether an outbound event has anyone remote to tell — checked before the federation adapter
 * (and Fedify, which costs ~65 MB) is loaded, so a server nobody remote follows never loads it.
 */
export async function hasRemoteAudience(ctx: AppContext, event: OutboundEvent): Promise<boolean> {
  const remoteFollowerExists = async () =>
    !!(await ctx.db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select("f.id")
      .where("f.target_account_id", "=", event.accountId)
      .where("a.domain", "!=", "")
      .limit(1)
      .executeTakeFirst());
  const anyRemote = async (ids: (string | null)[]) => {
    const list = ids.filter((x): x is string => !!x);
    if (list.length === 0) return false;
    return !!(await ctx.db
      .selectFrom("accounts")
      .select("id")
      .where("id", "in", list)
      .where("domain", "!=", "")
      .limit(1)
      .executeTakeFirst());
  };
  switch (event.type) {
    case "status.create":
    case "status.update": {
      const status = await ctx.db
        .selectFrom("statuses")
        .select(["id", "visibility", "in_reply_to_account_id", "reblog_of_id"])
        .where("id", "=", event.statusId)
        .executeTakeFirst();
      if (!status) return false;
      if (status.visibility !== "direct" && (await remoteFollowerExists())) return true;
      const mentioned = await ctx.db
        .selectFrom("mentions")
        .select("account_id")
        .where("status_id", "=", status.id)
        .execute();
      const original = status.reblog_of_id
        ? await ctx.db
            .selectFrom("statuses")
            .select("account_id")
            .where("id", "=", status.reblog_of_id)
            .executeTakeFirst()
        : undefined;
      return anyRemote([
        ...mentioned.map((m) => m.account_id),
        status.in_reply_to_account_id,
        original?.account_id ?? null,
      ]);
    }
    case "status.delete":
      return (
        event.remoteMentionIds.length > 0 ||
        !!event.reblogOfAuthorId ||
        (event.visibility !== "direct" && (await remoteFollowerExists()))
      );
    case "profile.update":
    case "account.move":
      return remoteFollowerExists();
    case "account.delete":
      return event.recipients.length > 0;
    case "poll.update": {
      if (await remoteFollowerExists()) return true;
      const poll = await ctx.db
        .selectFrom("statuses")
        .select("poll_id")
        .where("id", "=", event.statusId)
        .executeTakeFirst();
      if (!poll?.poll_id) return false;
      const voters = await ctx.db
        .selectFrom("poll_votes")
        .select("account_id")
        .where("poll_id", "=", poll.poll_id)
        .execute();
      return anyRemote(voters.map((v) => v.account_id));
    }
    default:
      // likes, follows, blocks, answers and votes are only recorded for remote counterparts
      return true;
  }
}
