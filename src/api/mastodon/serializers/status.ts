import { sql } from "kysely";
import type { AppContext } from "../../../app.ts";
import {
  type ActiveFilter,
  type FilterResult,
  loadActiveFilters,
  matchFilters,
} from "../../../core/filters.ts";
import { Lru } from "../../../core/lru.ts";
import { STATUS_VIEW_COLUMNS, type StatusKey, type StatusView } from "../../../core/statuses/view.ts";
import { prepared } from "../../../store/prepared.ts";
import type { Account, Poll, Status } from "../../../store/schema.ts";
import { ACCOUNT_VIEW_COLUMNS, type AccountView, type MastodonAccount, serializeAccount } from "./account.ts";
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

interface Batch<S extends StatusKey = StatusView> {
  accounts: Map<string, AccountView>;
  originals: Map<string, S | StatusView>;
  entities: Map<string, StatusEntities>;
  polls: Map<string, Poll>;
  pollExtras: PollExtras;
  favourited: Set<string>;
  reblogged: Set<string>;
  bookmarked: Set<string>;
  pinned: Set<string>;
  mutedConversations: Set<string>;
  apps: Map<string, MastodonApplication>;
  /** one rendered account per author per batch */
  renderedAccounts: Map<string, MastodonAccount>;
  /** the viewer's active filters (every context: clients apply those of the timeline shown) */
  filters: ActiveFilter[];
}

/** A status's mentions and hashtags as rendered; they change only with an edit. */
interface StatusEntities {
  mentions: MastodonMention[];
  tags: MastodonTag[];
}

/**
 * Rendered mentions and tags per store, keyed by status id and edit time: an edit (the only thing
 * that changes them) makes a new key, so an entry is never stale; deleted statuses are never asked
 * for again and age out. Per store because tests run several databases in one process.
 */
export const STATUS_ENTITY_CACHE_MAX = 5_000;
const entityCaches = new WeakMap<object, Lru<string, StatusEntities>>();

export function statusEntityCache(ctx: AppContext): Lru<string, StatusEntities> {
  let cache = entityCaches.get(ctx.store);
  if (!cache) {
    cache = new Lru(STATUS_ENTITY_CACHE_MAX);
    entityCaches.set(ctx.store, cache);
  }
  return cache;
}

function entityKey(s: Pick<Status, "id" | "edited_at">): string {
  return `${s.id}|${s.edited_at ?? ""}`;
}

function acctOf(a: { username: string; domain: string }): string {
  return a.domain ? `${a.username}@${a.domain}` : a.username;
}

function uniq(values: Iterable<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) if (v) out.add(v);
  return [...out];
}

/** Mentions and tags of `statuses`, from the cache or (for the rest) two queries. */
async function loadEntities(ctx: AppContext, statuses: StatusKey[]): Promise<Map<string, StatusEntities>> {
  const cache = statusEntityCache(ctx);
  const out = new Map<string, StatusEntities>();
  const missing: StatusKey[] = [];
  for (const s of statuses) {
    const hit = cache.get(entityKey(s));
    if (hit) out.set(s.id, hit);
    else missing.push(s);
  }
  if (missing.length === 0) return out;
  const db = ctx.db;
  const ids = missing.map((s) => s.id);
  const n = ids.length;
  const [mentionRows, tagRows] = await Promise.all([
    prepared(
      db,
      `status-mentions:${n}`,
      (p) =>
        db
          .selectFrom("mentions")
          .innerJoin("accounts", "accounts.id", "mentions.account_id")
          .select([
            "mentions.status_id",
            "accounts.id",
            "accounts.username",
            "accounts.domain",
            "accounts.url",
          ])
          .where("mentions.status_id", "in", p.list("ids", n))
          .where("mentions.silent", "=", 0)
          .orderBy("mentions.id"),
      { ids },
    ),
    prepared(
      db,
      `status-tags:${n}`,
      (p) =>
        db
          .selectFrom("status_tags")
          .innerJoin("tags", "tags.id", "status_tags.tag_id")
          .select(["status_tags.status_id", "tags.name"])
          .where("status_tags.status_id", "in", p.list("ids", n))
          .orderBy("tags.name"),
      { ids },
    ),
  ]);
  const base = ctx.config.baseUrl;
  for (const s of missing) out.set(s.id, { mentions: [], tags: [] });
  for (const r of mentionRows) {
    out.get(r.status_id)?.mentions.push({ id: r.id, username: r.username, url: r.url, acct: acctOf(r) });
  }
  for (const r of tagRows) {
    out.get(r.status_id)?.tags.push({ name: r.name, url: `${base}/tags/${encodeURIComponent(r.name)}` });
  }
  for (const s of missing) cache.set(entityKey(s), out.get(s.id) as StatusEntities);
  return out;
}

interface ViewerFlags {
  favourited: Set<string>;
  reblogged: Set<string>;
  bookmarked: Set<string>;
  pinned: Set<string>;
  mutedConversations: Set<string>;
}

/** The viewer's favourites, reblogs, bookmarks, pins and conversation mutes among `ids`, in one query. */
async function loadViewerFlags(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
  ownIds: string[],
  conversationIds: string[],
): Promise<ViewerFlags> {
  const db = ctx.db;
  const n = ids.length;
  const o = ownIds.length;
  const c = conversationIds.length;
  const rows = await prepared(
    db,
    `viewer-flags:${n}:${o}:${c}`,
    (p) => {
      const viewer = p.value("viewer");
      const list = p.list("ids", n);
      let q = db
        .selectFrom("favourites")
        .select([sql<string>`'f'`.as("kind"), "status_id as id"])
        .where("account_id", "=", viewer)
        .where("status_id", "in", list)
        .unionAll(
          db
            .selectFrom("statuses")
            .select([sql<string>`'r'`.as("kind"), sql<string>`reblog_of_id`.as("id")])
            .where("account_id", "=", viewer)
            .where("reblog_of_id", "in", list),
        )
        .unionAll(
          db
            .selectFrom("bookmarks")
            .select([sql<string>`'b'`.as("kind"), "status_id as id"])
            .where("account_id", "=", viewer)
            .where("status_id", "in", list),
        );
      if (o > 0)
        q = q.unionAll(
          db
            .selectFrom("status_pins")
            .select([sql<string>`'p'`.as("kind"), "status_id as id"])
            .where("account_id", "=", viewer)
            .where("status_id", "in", p.list("own", o)),
        );
      if (c > 0)
        q = q.unionAll(
          db
            .selectFrom("conversation_mutes")
            .select([sql<string>`'m'`.as("kind"), "conversation_id as id"])
            .where("account_id", "=", viewer)
            .where("conversation_id", "in", p.list("conversations", c)),
        );
      return q;
    },
    { viewer: viewerId, ids, own: ownIds, conversations: conversationIds },
  );
  const flags: ViewerFlags = {
    favourited: new Set(),
    reblogged: new Set(),
    bookmarked: new Set(),
    pinned: new Set(),
    mutedConversations: new Set(),
  };
  const byKind: Record<string, Set<string>> = {
    f: flags.favourited,
    r: flags.reblogged,
    b: flags.bookmarked,
    p: flags.pinned,
    m: flags.mutedConversations,
  };
  for (const r of rows) byKind[r.kind]?.add(r.id);
  return flags;
}

/** Loads everything the given statuses (and their reblogged originals) need, in a fixed number of queries. */
async function loadBatch<S extends StatusKey>(
  ctx: AppContext,
  statuses: S[],
  viewer: Account | null,
): Promise<Batch<S>> {
  const db = ctx.db;
  const originalIds = uniq(statuses.map((s) => s.reblog_of_id));
  const known = new Map(statuses.map((s) => [s.id, s]));
  const missing = originalIds.filter((id) => !known.has(id));
  const originals = new Map<string, S | StatusView>();
  if (missing.length) {
    const m = missing.length;
    const rows = await prepared(
      db,
      `status-views-by-id:${m}`,
      (p) => db.selectFrom("statuses").select(STATUS_VIEW_COLUMNS).where("id", "in", p.list("ids", m)),
      { ids: missing },
    );
    for (const s of rows) originals.set(s.id, s);
  }
  for (const id of originalIds) {
    const s = known.get(id);
    if (s) originals.set(id, s);
  }
  const all = [...statuses, ...originals.values()];
  const ids = uniq(all.map((s) => s.id));
  const accountIds = uniq(all.map((s) => s.account_id));
  const pollIds = uniq(all.map((s) => s.poll_id));
  const own = viewer ? all.filter((s) => s.account_id === viewer.id) : [];
  const appIds = uniq(own.map((s) => s.application_id));
  // pins only matter on the viewer's own statuses
  const ownIds = uniq(own.map((s) => s.id));
  const conversationIds = uniq(all.map((s) => s.conversation_id));
  const viewerId = viewer?.id ?? null;
  const a = accountIds.length;

  const [accountRows, entities, pollRows, flags, apps, filters] = await Promise.all([
    a
      ? prepared(
          db,
          `account-views:${a}`,
          (p) => db.selectFrom("accounts").select(ACCOUNT_VIEW_COLUMNS).where("id", "in", p.list("ids", a)),
          { ids: accountIds },
        )
      : Promise.resolve([] as AccountView[]),
    loadEntities(ctx, uniqueStatuses(all)),
    pollIds.length
      ? db.selectFrom("polls").selectAll().where("id", "in", pollIds).execute()
      : Promise.resolve([] as Poll[]),
    viewerId ? loadViewerFlags(ctx, viewerId, ids, ownIds, conversationIds) : Promise.resolve(null),
    appIds.length
      ? db.selectFrom("oauth_apps").select(["id", "name", "website"]).where("id", "in", appIds).execute()
      : Promise.resolve([] as { id: string; name: string; website: string | null }[]),
    viewerId ? loadActiveFilters(ctx, viewerId) : Promise.resolve([] as ActiveFilter[]),
  ]);
  const pollExtras = await loadPollExtras(db, pollIds, viewerId);
  return {
    accounts: new Map(accountRows.map((r) => [r.id, r])),
    originals,
    entities,
    polls: new Map(pollRows.map((p) => [p.id, p])),
    pollExtras,
    favourited: flags?.favourited ?? new Set(),
    reblogged: flags?.reblogged ?? new Set(),
    bookmarked: flags?.bookmarked ?? new Set(),
    pinned: flags?.pinned ?? new Set(),
    mutedConversations: flags?.mutedConversations ?? new Set(),
    apps: new Map(apps.map((r) => [r.id, { name: r.name, website: r.website }])),
    renderedAccounts: new Map(),
    filters,
  };
}

/**
 * Mastodon's `filtered` for the viewer: matches of their filters on the status proper (a reblog's
 * original), never on their own statuses; a reblog carries its original's matches.
 */
function filterResults(
  b: Batch<StatusKey>,
  proper: { id: string; account_id: string; content: string; spoiler_text: string },
  viewer: Account,
): FilterResult[] {
  if (b.filters.length === 0 || proper.account_id === viewer.id) return [];
  return matchFilters(b.filters, proper);
}

function uniqueStatuses<S extends StatusKey>(list: S[]): S[] {
  const seen = new Map<string, S>();
  for (const s of list) if (!seen.has(s.id)) seen.set(s.id, s);
  return [...seen.values()];
}

function renderedAccount(ctx: AppContext, b: Batch<StatusKey>, a: AccountView): MastodonAccount {
  let json = b.renderedAccounts.get(a.id);
  if (!json) {
    json = serializeAccount(ctx, a);
    b.renderedAccounts.set(a.id, json);
  }
  return json;
}

function build(
  ctx: AppContext,
  s: StatusView,
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
    account: renderedAccount(ctx, b, account),
    media_attachments: [],
    mentions: b.entities.get(s.id)?.mentions ?? [],
    tags: b.entities.get(s.id)?.tags ?? [],
    emojis: [],
    card: null,
    poll: poll ? serializePollWith(ctx, poll, b.pollExtras, viewer?.id ?? null) : null,
  };
  if (viewer) {
    out.filtered = reblog ? (reblog.filtered ?? []) : filterResults(b, s, viewer);
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
  statuses: StatusView[],
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

/**
 * The viewer-independent parts of a status as UTF-8 JSON, per store, keyed like the entity cache
 * by id + edited_at: everything in them changes only with an edit (which makes a new key) or never.
 * Counters, the account, the poll, the reblogged original and the viewer's flags are rendered per
 * request from rows read per request. Encoding the JSON to UTF-8 costs more than building it.
 */
interface StatusParts {
  /** `{"id":…,"url":…,"replies_count":` */
  head: Buffer;
  /** `,"edited_at":…,"content":…,"reblog":` */
  mid: Buffer;
  /** `,"media_attachments":[],"mentions":…,"tags":…,"emojis":[],"card":null,"poll":` */
  tail: Buffer;
  /** the text filters match against */
  content: string;
  spoiler_text: string;
}

export const STATUS_PARTS_CACHE_MAX = 5_000;
const partsCaches = new WeakMap<object, Lru<string, StatusParts>>();

export function statusPartsCache(ctx: AppContext): Lru<string, StatusParts> {
  let cache = partsCaches.get(ctx.store);
  if (!cache) {
    cache = new Lru(STATUS_PARTS_CACHE_MAX);
    partsCaches.set(ctx.store, cache);
  }
  return cache;
}

const j = JSON.stringify;

function isView(s: StatusKey): s is StatusView {
  return "content" in s;
}

/** Cached parts, or parts rendered from the full row (`views`) and cached under that row's key. */
function partsOf(
  ctx: AppContext,
  s: StatusKey,
  b: Batch<StatusKey>,
  hits: Map<string, StatusParts>,
  views: Map<string, StatusView>,
): StatusParts | null {
  let parts = hits.get(s.id);
  if (parts) return parts;
  const cache = statusPartsCache(ctx);
  const key = entityKey(s);
  parts = cache.get(key);
  if (!parts) {
    const row = isView(s) ? s : views.get(s.id);
    if (!row) return null; // deleted since the page was read
    const e = b.entities.get(s.id);
    parts = {
      head: Buffer.from(
        `{"id":${j(row.id)},"created_at":${j(row.created_at)},"in_reply_to_id":${j(row.in_reply_to_id)},` +
          `"in_reply_to_account_id":${j(row.in_reply_to_account_id)},"sensitive":${!!row.sensitive},` +
          `"spoiler_text":${j(row.spoiler_text)},"visibility":${j(row.visibility)},"language":${j(row.language)},` +
          `"uri":${j(row.uri)},"url":${j(row.url || null)},"replies_count":`,
      ),
      mid: Buffer.from(`,"edited_at":${j(row.edited_at)},"content":${j(row.content)},"reblog":`),
      tail: Buffer.from(
        `,"media_attachments":[],"mentions":${j(e?.mentions ?? [])},"tags":${j(e?.tags ?? [])},` +
          `"emojis":[],"card":null,"poll":`,
      ),
      content: row.content,
      spoiler_text: row.spoiler_text,
    };
    // an edit between the page read and the full read: shown, but not cached under the old key
    if (entityKey(row) === key) cache.set(key, parts);
  }
  return parts;
}

const NULL = Buffer.from("null");

/** `build` as UTF-8 JSON chunks appended to `out`; false (nothing appended) where build gives null. */
function buildBytes(
  ctx: AppContext,
  s: StatusKey,
  b: Batch<StatusKey>,
  hits: Map<string, StatusParts>,
  views: Map<string, StatusView>,
  viewer: Account | null,
  accountBytes: Map<string, Buffer>,
  out: Buffer[],
  depth = 0,
): boolean {
  const account = b.accounts.get(s.account_id);
  if (!account) return false;
  const start = out.length;
  const parts = partsOf(ctx, s, b, hits, views);
  if (!parts) return false;
  let properParts = parts;
  let proper: StatusKey = s;
  out.push(
    parts.head,
    Buffer.from(
      `${j(s.replies_count)},"reblogs_count":${j(s.reblogs_count)},"favourites_count":${j(s.favourites_count)}`,
    ),
    parts.mid,
  );
  if (s.reblog_of_id) {
    const original = b.originals.get(s.reblog_of_id);
    const originalParts = original ? partsOf(ctx, original, b, hits, views) : null;
    if (
      !original ||
      !originalParts ||
      depth !== 0 ||
      !buildBytes(ctx, original, b, hits, views, viewer, accountBytes, out, 1)
    ) {
      out.length = start; // a reblog whose original is gone is not shown
      return false;
    }
    proper = original;
    properParts = originalParts;
  } else out.push(NULL);
  let acc = accountBytes.get(account.id);
  if (!acc) {
    acc = Buffer.from(`,"account":${j(renderedAccount(ctx, b, account))}`);
    accountBytes.set(account.id, acc);
  }
  out.push(acc, parts.tail);
  const poll = s.poll_id ? b.polls.get(s.poll_id) : undefined;
  let rest = poll ? j(serializePollWith(ctx, poll, b.pollExtras, viewer?.id ?? null)) : "null";
  if (viewer) {
    const filtered = filterResults(
      b,
      {
        id: proper.id,
        account_id: proper.account_id,
        content: properParts.content,
        spoiler_text: properParts.spoiler_text,
      },
      viewer,
    );
    rest += `,"filtered":${filtered.length ? j(filtered) : "[]"}`;
    rest += `,"favourited":${b.favourited.has(s.id)},"reblogged":${b.reblogged.has(s.id)}`;
    rest += `,"muted":${!!s.conversation_id && b.mutedConversations.has(s.conversation_id)}`;
    rest += `,"bookmarked":${b.bookmarked.has(s.id)}`;
    if (s.account_id === viewer.id) {
      if (!s.reblog_of_id && s.visibility !== "direct") rest += `,"pinned":${b.pinned.has(s.id)}`;
      rest += `,"application":${j(s.application_id ? (b.apps.get(s.application_id) ?? null) : null)}`;
    }
  }
  out.push(Buffer.from(`${rest}}`));
  return true;
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/**
 * `JSON.stringify(await serializeStatuses(ctx, statuses, viewer))` as UTF-8 bytes, byte for byte,
 * for list responses: the unchanging parts of each status come from statusPartsCache.
 */
export async function serializeStatusesJson(
  ctx: AppContext,
  statuses: StatusKey[],
  viewer: Account | null,
): Promise<Uint8Array<ArrayBuffer>> {
  if (statuses.length === 0) return new TextEncoder().encode("[]");
  // rows read without their content (StatusKey) need it only where the parts are not cached; the
  // hits are held here so that other requests cannot evict them before they are used
  const cache = statusPartsCache(ctx);
  const hits = new Map<string, StatusParts>();
  const need: string[] = [];
  for (const s of statuses) {
    if (isView(s)) continue;
    const parts = cache.get(entityKey(s));
    if (parts) hits.set(s.id, parts);
    else need.push(s.id);
  }
  const n = need.length;
  const [batch, viewRows] = await Promise.all([
    loadBatch(ctx, statuses, viewer),
    n
      ? prepared(
          ctx.db,
          `status-views-by-id:${n}`,
          (p) =>
            ctx.db.selectFrom("statuses").select(STATUS_VIEW_COLUMNS).where("id", "in", p.list("ids", n)),
          { ids: need },
        )
      : Promise.resolve([] as StatusView[]),
  ]);
  const views = new Map(viewRows.map((r) => [r.id, r]));
  const accountBytes = new Map<string, Buffer>();
  const out: Buffer[] = [OPEN];
  for (const s of statuses) {
    const before = out.length;
    if (before > 1) out.push(COMMA);
    if (!buildBytes(ctx, s, batch, hits, views, viewer, accountBytes, out) && before > 1) out.length = before;
  }
  out.push(CLOSE);
  return Buffer.concat(out);
}

export async function serializeStatus(
  ctx: AppContext,
  status: StatusView,
  viewer: Account | null,
): Promise<MastodonStatus> {
  const [m] = await serializeStatuses(ctx, [status], viewer);
  if (!m) throw new Error(`status ${status.id} cannot be serialised (author or original missing)`);
  return m;
}
