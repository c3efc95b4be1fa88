/** Loading for the status serialisers: everything a page of statuses needs, in a fixed number of queries. */
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
import { loadPollExtras, type PollExtras } from "./poll.ts";
import type { MastodonApplication, MastodonMention, MastodonTag } from "./status.ts";

export interface Batch<S extends StatusKey = StatusView> {
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
export interface StatusEntities {
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

export function entityKey(s: Pick<Status, "id" | "edited_at">): string {
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
  for (const s of missing) out.set(s.id, { mentions: [], tags: [] });
  for (const r of mentionRows) {
    out.get(r.status_id)?.mentions.push({ id: r.id, username: r.username, url: r.url, acct: acctOf(r) });
  }
  for (const r of tagRows) {
    out.get(r.status_id)?.tags.push({ name: r.name, url: ctx.uris.tag(r.name) });
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
export async function loadBatch<S extends StatusKey>(
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
export function filterResults(
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

export function renderedAccount(ctx: AppContext, b: Batch<StatusKey>, a: AccountView): MastodonAccount {
  let json = b.renderedAccounts.get(a.id);
  if (!json) {
    json = serializeAccount(ctx, a);
    b.renderedAccounts.set(a.id, json);
  }
  return json;
}
