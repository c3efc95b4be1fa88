/**
 * The read model for statuses: for a list of statuses and a viewer, everything any renderer needs
 * (the Mastodon serialisers, streaming, web pages, ActivityStreams), as plain data — a bundle — in a
 * fixed number of queries whatever the number of statuses. Renderers never query; they render
 * bundles. Visibility is the caller's business (the rows given are already visible to the viewer).
 *
 * A renderer that keeps rendered bodies (the Mastodon byte cache) passes `knownText`: statuses it
 * answers for are hydrated without their body (content, mentions, tags are neither read nor looked
 * up) and filters match against the text it gives.
 */
import { type AppContext, owned, resourceKey } from "../../app.ts";
import {
  applicationsById,
  mentionsOf,
  pollsById,
  pollVotes,
  statusViewsById,
  tagsOf,
  viewerFlags,
} from "../../store/queries/statuses.ts";
import type { Poll } from "../../store/schema.ts";
import { type AccountView, loadAccountsById } from "../accounts/hydrate.ts";
import { type ActiveFilter, type FilterResult, loadActiveFilters, matchFilters } from "../filters.ts";
import { Lru } from "../lru.ts";
import { optionCounts } from "./polls.ts";
import type { StatusKey, StatusView } from "./view.ts";

export interface MentionView {
  id: string;
  username: string;
  /** "" for local accounts */
  domain: string;
  url: string;
}

/** A status's mentions and hashtags; they change only with an edit. */
export interface StatusEntities {
  mentions: MentionView[];
  /** hashtag names, in name order */
  tags: string[];
}

/** The parts of a status that change only with an edit (cached by renderers under versionKey). */
export interface StatusBody extends StatusEntities {
  view: StatusView;
}

export interface PollView {
  poll: Poll;
  /** votes per option index (options nobody chose are absent) */
  counts: ReadonlyMap<number, number>;
  /** the viewer's choices in ascending order; null for an anonymous viewer */
  ownVotes: number[] | null;
}

/** The viewer's relation to one status. */
export interface ViewerStatusState {
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  /** the status's conversation is muted */
  muted: boolean;
  /** pinned to the viewer's profile (only ever true on the viewer's own statuses) */
  pinned: boolean;
}

export interface ApplicationView {
  name: string;
  website: string | null;
}

export interface HydratedStatus<B extends StatusBody | null = StatusBody> {
  /** the row as given: counters and ids are current even where the body comes from a cache */
  row: StatusKey;
  /** null only where the caller's knownText answered for this status */
  body: B;
  account: AccountView;
  /** the reblogged original (a reblog whose original or its author is gone is left out) */
  reblog: HydratedStatus<B> | null;
  poll: PollView | null;
  /** null for an anonymous viewer */
  viewer: ViewerStatusState | null;
  /** the posting application, told to the author alone */
  application: ApplicationView | null;
  /**
   * The viewer's filter matches (every active filter, whatever its context: clients apply those of
   * the timeline shown) on the status proper — a reblog carries its original's; never on the
   * viewer's own statuses.
   */
  filtered: FilterResult[];
}

export interface StatusBundle<B extends StatusBody | null = StatusBody> {
  viewerId: string | null;
  /** the statuses that can be shown, in the order given; dropped: authors gone, bodies gone, reblogs of missing originals */
  statuses: HydratedStatus<B>[];
  byId: ReadonlyMap<string, HydratedStatus<B>>;
}

export interface KnownText {
  content: string;
  spoiler_text: string;
}

export interface HydrateOptions {
  /** the viewer's active filters when the caller holds them (a streaming connection does) */
  filters?: readonly ActiveFilter[];
}

export interface PartialHydrateOptions extends HydrateOptions {
  /** the text of a status whose rendered body the caller holds under versionKey(status), if it does */
  knownText: (status: StatusKey) => KnownText | undefined;
}

/**
 * Mentions and tags per status version, owned by the context: keyed by versionKey, so an edit (the
 * only thing that changes them) makes a new key and an entry is never stale; deleted statuses are
 * never asked for again and age out.
 */
export const STATUS_ENTITY_CACHE_MAX = 5_000;
const statusEntities = resourceKey(
  "status entities",
  () => new Lru<string, StatusEntities>(STATUS_ENTITY_CACHE_MAX),
  (lru) => lru.clear(),
);

export function statusEntityCache(ctx: AppContext): Lru<string, StatusEntities> {
  return owned(ctx, statusEntities);
}

/** The key of a status's version: an edit (the only thing that changes its body) makes a new one. */
export function versionKey(s: Pick<StatusKey, "id" | "edited_at">): string {
  return `${s.id}|${s.edited_at ?? ""}`;
}

function isView(s: StatusKey): s is StatusView {
  return "content" in s;
}

function uniq(values: Iterable<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) if (v) out.add(v);
  return [...out];
}

/** Mentions and tags of `statuses`, from the context's cache or (for the rest) two queries. */
async function loadEntities(ctx: AppContext, statuses: StatusKey[]): Promise<Map<string, StatusEntities>> {
  const cache = statusEntityCache(ctx);
  const out = new Map<string, StatusEntities>();
  const missing: StatusKey[] = [];
  for (const s of statuses) {
    const hit = cache.get(versionKey(s));
    if (hit) out.set(s.id, hit);
    else missing.push(s);
  }
  if (missing.length === 0) return out;
  const ids = missing.map((s) => s.id);
  const [mentionRows, tagRows] = await Promise.all([mentionsOf(ctx.db, ids), tagsOf(ctx.db, ids)]);
  for (const s of missing) out.set(s.id, { mentions: [], tags: [] });
  for (const r of mentionRows) {
    out.get(r.status_id)?.mentions.push({ id: r.id, username: r.username, domain: r.domain, url: r.url });
  }
  for (const r of tagRows) out.get(r.status_id)?.tags.push(r.name);
  for (const s of missing) cache.set(versionKey(s), out.get(s.id) as StatusEntities);
  return out;
}

interface Flags {
  favourited: Set<string>;
  reblogged: Set<string>;
  bookmarked: Set<string>;
  pinned: Set<string>;
  muted: Set<string>;
}

async function loadFlags(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
  ownIds: string[],
  conversationIds: string[],
): Promise<Flags> {
  const rows = await viewerFlags(ctx.db, viewerId, ids, ownIds, conversationIds);
  const flags: Flags = {
    favourited: new Set(),
    reblogged: new Set(),
    bookmarked: new Set(),
    pinned: new Set(),
    muted: new Set(),
  };
  const byKind = {
    f: flags.favourited,
    r: flags.reblogged,
    b: flags.bookmarked,
    p: flags.pinned,
    m: flags.muted,
  };
  for (const r of rows) byKind[r.kind]?.add(r.id);
  return flags;
}

/** Votes per option and the viewer's own choices, for many polls, in one query. */
async function loadPollVotes(
  ctx: AppContext,
  pollIds: string[],
  viewerId: string | null,
): Promise<{ counts: Map<string, Map<number, number>>; own: Map<string, number[]> }> {
  const counts = new Map<string, Map<number, number>>();
  const own = new Map<string, number[]>();
  for (const r of await pollVotes(ctx.db, pollIds, viewerId)) {
    const choice = Number(r.choice);
    if (Number(r.own)) {
      const list = own.get(r.poll_id) ?? [];
      list.push(choice);
      own.set(r.poll_id, list);
      continue;
    }
    let m = counts.get(r.poll_id);
    if (!m) {
      m = new Map();
      counts.set(r.poll_id, m);
    }
    m.set(choice, Number(r.n));
  }
  for (const list of own.values()) list.sort((a, b) => a - b);
  return { counts, own };
}

/** One poll with its counts and the viewer's votes (GET /api/v1/polls/:id, after a vote). */
export async function hydratePoll(ctx: AppContext, poll: Poll, viewerId: string | null): Promise<PollView> {
  const votes = await loadPollVotes(ctx, [poll.id], viewerId);
  return {
    poll,
    counts: optionCounts(poll, votes.counts.get(poll.id)),
    ownVotes: viewerId ? (votes.own.get(poll.id) ?? []) : null,
  };
}

async function hydrate(
  ctx: AppContext,
  rows: readonly StatusKey[],
  viewer: { id: string } | null,
  opts: HydrateOptions,
  knownText: ((s: StatusKey) => KnownText | undefined) | undefined,
): Promise<StatusBundle<StatusBody | null>> {
  const viewerId = viewer?.id ?? null;
  const db = ctx.db;
  // which rows need their body read: not those given in full, nor those the renderer holds
  const known = new Map<string, KnownText>();
  const need = new Set<string>();
  for (const s of rows) {
    const text = knownText?.(s);
    if (text) known.set(s.id, text);
    else if (!isView(s)) need.add(s.id);
  }
  const inPage = new Map(rows.map((s) => [s.id, s]));
  const missingOriginals = uniq(rows.map((s) => s.reblog_of_id)).filter((id) => !inPage.has(id));
  // started now, awaited last: only filter matching and assembly need the content
  const bodiesRead = statusViewsById(db, [...need]);
  const originalRows = await statusViewsById(db, missingOriginals);

  const byId = new Map<string, StatusKey>(inPage);
  for (const o of originalRows) byId.set(o.id, o);
  const all = [...byId.values()];
  const ids = all.map((s) => s.id);
  const own = viewerId ? all.filter((s) => s.account_id === viewerId) : [];
  const pollIds = uniq(all.map((s) => s.poll_id));

  const [accounts, entities, polls, votes, flags, apps, filters] = await Promise.all([
    loadAccountsById(
      ctx,
      all.map((s) => s.account_id),
    ),
    loadEntities(
      ctx,
      all.filter((s) => !known.has(s.id)),
    ),
    pollsById(db, pollIds),
    loadPollVotes(ctx, pollIds, viewerId),
    viewerId
      ? loadFlags(
          ctx,
          viewerId,
          ids,
          // pins only matter on the viewer's own statuses
          own.map((s) => s.id),
          uniq(all.map((s) => s.conversation_id)),
        )
      : null,
    applicationsById(db, uniq(own.map((s) => s.application_id))),
    opts.filters ?? (viewerId ? loadActiveFilters(ctx, viewerId) : ([] as ActiveFilter[])),
  ]);
  const views = new Map<string, StatusView>();
  for (const o of originalRows) views.set(o.id, o);
  for (const v of await bodiesRead) views.set(v.id, v);
  const pollById = new Map(polls.map((p) => [p.id, p]));
  const appById = new Map(apps.map((a) => [a.id, { name: a.name, website: a.website }]));

  const built = new Map<string, HydratedStatus<StatusBody | null> | null>();
  const build = (s: StatusKey, nested: boolean): HydratedStatus<StatusBody | null> | null => {
    // a reblogged original is itself no reblog; a reblog of a reblog is not shown
    if (s.reblog_of_id && nested) return null;
    const memo = built.get(s.id);
    if (memo !== undefined) return memo;
    const result = assemble(s);
    built.set(s.id, result);
    return result;
  };
  const assemble = (s: StatusKey): HydratedStatus<StatusBody | null> | null => {
    const account = accounts.get(s.account_id);
    if (!account) return null;
    let body: StatusBody | null = null;
    let text: KnownText | undefined = known.get(s.id);
    if (!text) {
      const view = isView(s) ? s : views.get(s.id);
      if (!view) return null; // deleted since the page was read
      const e = entities.get(s.id) ?? { mentions: [], tags: [] };
      body = { view, mentions: e.mentions, tags: e.tags };
      text = view;
    }
    let reblog: HydratedStatus<StatusBody | null> | null = null;
    if (s.reblog_of_id) {
      const original = byId.get(s.reblog_of_id);
      reblog = original ? build(original, true) : null;
      if (!reblog) return null; // a reblog whose original is gone is not shown
    }
    const poll = s.poll_id ? pollById.get(s.poll_id) : undefined;
    const isOwn = viewerId !== null && s.account_id === viewerId;
    let filtered: FilterResult[] = [];
    if (reblog) filtered = reblog.filtered;
    else if (viewerId && !isOwn && filters.length > 0)
      filtered = matchFilters(filters, { id: s.id, content: text.content, spoiler_text: text.spoiler_text });
    return {
      row: s,
      body,
      account,
      reblog,
      poll: poll
        ? {
            poll,
            counts: optionCounts(poll, votes.counts.get(poll.id)),
            ownVotes: viewerId ? (votes.own.get(poll.id) ?? []) : null,
          }
        : null,
      // a reblog carries its original's flags (as Mastodon answers the reblog call: `reblogged`
      // true), so a client reading the wrapper shows the same state as one reading `reblog`
      viewer: reblog?.viewer
        ? { ...reblog.viewer, pinned: false }
        : flags
          ? {
              favourited: flags.favourited.has(s.id),
              reblogged: flags.reblogged.has(s.id),
              bookmarked: flags.bookmarked.has(s.id),
              muted: !!s.conversation_id && flags.muted.has(s.conversation_id),
              pinned: isOwn && flags.pinned.has(s.id),
            }
          : null,
      application: isOwn && s.application_id ? (appById.get(s.application_id) ?? null) : null,
      filtered,
    };
  };

  const statuses: HydratedStatus<StatusBody | null>[] = [];
  const shown = new Map<string, HydratedStatus<StatusBody | null>>();
  for (const s of rows) {
    const h = build(s, false);
    if (!h) continue;
    statuses.push(h);
    shown.set(s.id, h);
  }
  return { viewerId, statuses, byId: shown };
}

/**
 * Everything renderers need for `rows` (already visible to `viewer`), bodies included, in a fixed
 * number of queries. Rows read without their content (StatusKey) have it read here.
 */
export function hydrateStatuses(
  ctx: AppContext,
  rows: readonly StatusKey[],
  viewer: { id: string } | null,
  opts: HydrateOptions = {},
): Promise<StatusBundle> {
  return hydrate(ctx, rows, viewer, opts, undefined) as Promise<StatusBundle>;
}

/** As hydrateStatuses, without the bodies the caller already holds (see knownText). */
export function hydrateStatusesPartly(
  ctx: AppContext,
  rows: readonly StatusKey[],
  viewer: { id: string } | null,
  opts: PartialHydrateOptions,
): Promise<StatusBundle<StatusBody | null>> {
  return hydrate(ctx, rows, viewer, opts, opts.knownText);
}

/** Accounts and statuses a list of references needs (notifications, conversations, their groups). */
export interface AccountsAndStatuses {
  accounts: ReadonlyMap<string, AccountView>;
  statuses: StatusBundle;
}

/** Loads `accountIds` and hydrates `statuses` (already visible to `viewer`) together. */
export async function hydrateWithAccounts(
  ctx: AppContext,
  accountIds: Iterable<string>,
  statuses: readonly StatusKey[],
  viewer: { id: string } | null,
  opts: HydrateOptions = {},
): Promise<AccountsAndStatuses> {
  const [accounts, bundle] = await Promise.all([
    loadAccountsById(ctx, accountIds),
    hydrateStatuses(ctx, statuses, viewer, opts),
  ]);
  return { accounts, statuses: bundle };
}
