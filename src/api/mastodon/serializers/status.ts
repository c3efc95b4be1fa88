import type { AppContext } from "../../../app.ts";
import type { Account, Poll, Status } from "../../../store/schema.ts";
import { type MastodonAccount, serializeAccount } from "./account.ts";
import { loadPollExtras, type MastodonPoll, type PollExtras, serializePollWith } from "./poll.ts";

export interface MastodonMention {
  id: string;
  username: string;
  url: string;
  acct: string;
}

export interface MastodonTag {
  name: string;
  url: string;
}

export interface MastodonApplication {
  name: string;
  website: string | null;
}

export interface MastodonStatus {
  id: string;
  created_at: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  sensitive: boolean;
  spoiler_text: string;
  visibility: Status["visibility"];
  language: string | null;
  uri: string;
  url: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  edited_at: string | null;
  favourited?: boolean;
  reblogged?: boolean;
  muted?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  content?: string;
  filtered?: unknown[];
  reblog: MastodonStatus | null;
  application?: MastodonApplication | null;
  account: MastodonAccount;
  media_attachments: unknown[];
  mentions: MastodonMention[];
  tags: MastodonTag[];
  emojis: unknown[];
  card: null;
  poll: MastodonPoll | null;
  /** only in the response to DELETE (source for redraft), which has no `content` */
  text?: string;
}

interface Batch {
  accounts: Map<string, Account>;
  originals: Map<string, Status>;
  mentions: Map<string, MastodonMention[]>;
  tags: Map<string, MastodonTag[]>;
  polls: Map<string, Poll>;
  pollExtras: PollExtras;
  favourited: Set<string>;
  reblogged: Set<string>;
  bookmarked: Set<string>;
  pinned: Set<string>;
  mutedConversations: Set<string>;
  apps: Map<string, MastodonApplication>;
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

function acctOf(a: { username: string; domain: string }): string {
  return a.domain ? `${a.username}@${a.domain}` : a.username;
}

/** Loads everything the given statuses (and their reblogged originals) need, in a fixed number of queries. */
async function loadBatch(ctx: AppContext, statuses: Status[], viewer: Account | null): Promise<Batch> {
  const db = ctx.db;
  const originalIds = [...new Set(statuses.map((s) => s.reblog_of_id).filter((x): x is string => !!x))];
  const known = new Map(statuses.map((s) => [s.id, s]));
  const missing = originalIds.filter((id) => !known.has(id));
  const originals = new Map<string, Status>();
  if (missing.length) {
    for (const s of await db.selectFrom("statuses").selectAll().where("id", "in", missing).execute())
      originals.set(s.id, s);
  }
  for (const id of originalIds) {
    const s = known.get(id);
    if (s) originals.set(id, s);
  }
  const all = [...statuses, ...originals.values()];
  const ids = [...new Set(all.map((s) => s.id))];
  const accountIds = [...new Set(all.map((s) => s.account_id))];
  const pollIds = [...new Set(all.map((s) => s.poll_id).filter((x): x is string => !!x))];
  const appIds = viewer
    ? [
        ...new Set(
          all
            .filter((s) => s.account_id === viewer.id && s.application_id)
            .map((s) => s.application_id as string),
        ),
      ]
    : [];
  const conversationIds = [...new Set(all.map((s) => s.conversation_id).filter((x): x is string => !!x))];
  const viewerId = viewer?.id ?? null;
  const none = Promise.resolve([] as { status_id: string }[]);

  const [accountRows, mentionRows, tagRows, pollRows, favs, reblogs, bookmarks, pins, mutes, apps] =
    await Promise.all([
      accountIds.length
        ? db.selectFrom("accounts").selectAll().where("id", "in", accountIds).execute()
        : Promise.resolve([] as Account[]),
      db
        .selectFrom("mentions")
        .innerJoin("accounts", "accounts.id", "mentions.account_id")
        .select(["mentions.status_id", "accounts.id", "accounts.username", "accounts.domain", "accounts.url"])
        .where("mentions.status_id", "in", ids)
        .where("mentions.silent", "=", 0)
        .orderBy("mentions.id")
        .execute(),
      db
        .selectFrom("status_tags")
        .innerJoin("tags", "tags.id", "status_tags.tag_id")
        .select(["status_tags.status_id", "tags.name", "tags.display_name"])
        .where("status_tags.status_id", "in", ids)
        .orderBy("tags.name")
        .execute(),
      pollIds.length
        ? db.selectFrom("polls").selectAll().where("id", "in", pollIds).execute()
        : Promise.resolve([] as Poll[]),
      viewerId
        ? db
            .selectFrom("favourites")
            .select("status_id")
            .where("account_id", "=", viewerId)
            .where("status_id", "in", ids)
            .execute()
        : none,
      viewerId
        ? db
            .selectFrom("statuses")
            .select("reblog_of_id as status_id")
            .where("account_id", "=", viewerId)
            .where("reblog_of_id", "in", ids)
            .execute()
            .then((rows) => rows.map((r) => ({ status_id: r.status_id as string })))
        : none,
      viewerId
        ? db
            .selectFrom("bookmarks")
            .select("status_id")
            .where("account_id", "=", viewerId)
            .where("status_id", "in", ids)
            .execute()
        : none,
      viewerId
        ? db
            .selectFrom("status_pins")
            .select("status_id")
            .where("account_id", "=", viewerId)
            .where("status_id", "in", ids)
            .execute()
        : none,
      viewerId && conversationIds.length
        ? db
            .selectFrom("conversation_mutes")
            .select("conversation_id")
            .where("account_id", "=", viewerId)
            .where("conversation_id", "in", conversationIds)
            .execute()
        : Promise.resolve([] as { conversation_id: string }[]),
      appIds.length
        ? db.selectFrom("oauth_apps").select(["id", "name", "website"]).where("id", "in", appIds).execute()
        : Promise.resolve([] as { id: string; name: string; website: string | null }[]),
    ]);
  const pollExtras = await loadPollExtras(db, pollIds, viewerId);
  const base = ctx.config.baseUrl;
  return {
    accounts: new Map(accountRows.map((a) => [a.id, a])),
    originals,
    mentions: new Map(
      [...group(mentionRows, (r) => r.status_id)].map(([k, rows]) => [
        k,
        rows.map((r) => ({ id: r.id, username: r.username, url: r.url, acct: acctOf(r) })),
      ]),
    ),
    tags: new Map(
      [...group(tagRows, (r) => r.status_id)].map(([k, rows]) => [
        k,
        rows.map((r) => ({ name: r.name, url: `${base}/tags/${encodeURIComponent(r.name)}` })),
      ]),
    ),
    polls: new Map(pollRows.map((p) => [p.id, p])),
    pollExtras,
    favourited: new Set(favs.map((r) => r.status_id)),
    reblogged: new Set(reblogs.map((r) => r.status_id)),
    bookmarked: new Set(bookmarks.map((r) => r.status_id)),
    pinned: new Set(pins.map((r) => r.status_id)),
    mutedConversations: new Set(mutes.map((r) => r.conversation_id)),
    apps: new Map(apps.map((a) => [a.id, { name: a.name, website: a.website }])),
  };
}

function build(
  ctx: AppContext,
  s: Status,
  b: Batch,
  viewer: Account | null,
  depth = 0,
): MastodonStatus | null {
  const account = b.accounts.get(s.account_id);
  if (!account) return null;
  let reblog: MastodonStatus | null = null;
  if (s.reblog_of_id) {
    const original = b.originals.get(s.reblog_of_id);
    reblog = original && depth === 0 ? build(ctx, original, b, viewer, 1) : null;
    if (!reblog) return null; // a reblog whose original is gone is not shown
  }
  const poll = s.poll_id ? b.polls.get(s.poll_id) : undefined;
  const out: MastodonStatus = {
    id: s.id,
    created_at: s.created_at,
    in_reply_to_id: s.in_reply_to_id,
    in_reply_to_account_id: s.in_reply_to_account_id,
    sensitive: !!s.sensitive,
    spoiler_text: s.spoiler_text,
    visibility: s.visibility,
    language: s.language,
    uri: s.uri,
    url: s.url || null,
    replies_count: s.replies_count,
    reblogs_count: s.reblogs_count,
    favourites_count: s.favourites_count,
    edited_at: s.edited_at,
    content: s.content,
    reblog,
    account: serializeAccount(ctx, account),
    media_attachments: [],
    mentions: b.mentions.get(s.id) ?? [],
    tags: b.tags.get(s.id) ?? [],
    emojis: [],
    card: null,
    poll: poll ? serializePollWith(ctx, poll, b.pollExtras, viewer?.id ?? null) : null,
  };
  if (viewer) {
    out.filtered = [];
    out.favourited = b.favourited.has(s.id);
    out.reblogged = b.reblogged.has(s.id);
    out.muted = !!s.conversation_id && b.mutedConversations.has(s.conversation_id);
    out.bookmarked = b.bookmarked.has(s.id);
    if (s.account_id === viewer.id) {
      // Mastodon: `pinned` only where the viewer could pin; the application only to its author
      if (!s.reblog_of_id && s.visibility !== "direct") out.pinned = b.pinned.has(s.id);
      out.application = s.application_id ? (b.apps.get(s.application_id) ?? null) : null;
    }
  }
  return out;
}

/**
 * Mastodon Status entities for `statuses`, in the same order, as seen by `viewer`. The caller has
 * already applied visibility; statuses whose author (or reblogged original) is missing are dropped.
 * Related rows are loaded with a fixed number of queries whatever the number of statuses.
 */
export async function serializeStatuses(
  ctx: AppContext,
  statuses: Status[],
  viewer: Account | null,
): Promise<MastodonStatus[]> {
  if (statuses.length === 0) return [];
  const batch = await loadBatch(ctx, statuses, viewer);
  const out: MastodonStatus[] = [];
  for (const s of statuses) {
    const m = build(ctx, s, batch, viewer);
    if (m) out.push(m);
  }
  return out;
}

export async function serializeStatus(
  ctx: AppContext,
  status: Status,
  viewer: Account | null,
): Promise<MastodonStatus> {
  const [m] = await serializeStatuses(ctx, [status], viewer);
  if (!m) throw new Error(`status ${status.id} cannot be serialised (author or original missing)`);
  return m;
}
