/** Status lists as ready UTF-8 JSON, built from cached per-status parts (the timelines' hot path). */
import { type AppContext, owned, resourceKey } from "../../../app.ts";
import { Lru } from "../../../core/lru.ts";
import {
  type HydratedStatus,
  type KnownText,
  type StatusBody,
  type StatusBundle,
  versionKey,
} from "../../../core/statuses/hydrate.ts";
import type { StatusKey } from "../../../core/statuses/view.ts";
import type { RenderContext } from "./context.ts";
import { toMastodonPoll } from "./poll.ts";
import { RenderedAccounts, toMastodonMentions, toMastodonTags } from "./status-batch.ts";

/**
 * The viewer-independent parts of a status as UTF-8 JSON, in the context's cache keyed by
 * versionKey (id + edited_at): everything in them changes only with an edit (which makes a new key)
 * or never. Counters, the account, the poll, the reblogged original and the viewer's flags are
 * rendered per request from the bundle. Encoding the JSON to UTF-8 costs more than building it.
 */
export interface StatusParts {
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
const statusParts = resourceKey(
  "status JSON parts",
  () => new Lru<string, StatusParts>(STATUS_PARTS_CACHE_MAX),
  (lru) => lru.clear(),
);

/** The context's parts cache (see StatusParts). */
export function statusPartsCache(ctx: RenderContext): Lru<string, StatusParts> {
  // its create() reads nothing from the context, so the render context's resources suffice
  return owned(ctx as AppContext, statusParts);
}

const j = JSON.stringify;

/**
 * The hint for core's hydrateStatusesPartly: statuses whose parts are cached need no body. The
 * hits are held in `hits` so that other requests cannot evict them before they are rendered.
 */
export function cachedPartsHint(ctx: RenderContext): {
  knownText: (s: StatusKey) => KnownText | undefined;
  hits: Map<string, StatusParts>;
} {
  const cache = statusPartsCache(ctx);
  const hits = new Map<string, StatusParts>();
  return {
    hits,
    knownText: (s) => {
      const parts = cache.get(versionKey(s));
      if (parts) hits.set(s.id, parts);
      return parts;
    },
  };
}

/** Parts held for this render, or rendered from the hydrated body and cached under the row's key. */
function partsOf(
  ctx: RenderContext,
  h: HydratedStatus<StatusBody | null>,
  hits: Map<string, StatusParts>,
): StatusParts | null {
  const s = h.row;
  let parts = hits.get(s.id);
  if (parts) return parts;
  const cache = statusPartsCache(ctx);
  const key = versionKey(s);
  parts = cache.get(key);
  if (!parts) {
    if (!h.body) return null; // cannot happen: a status without body was a hit
    const row = h.body.view;
    parts = {
      head: Buffer.from(
        `{"id":${j(row.id)},"created_at":${j(row.created_at)},"in_reply_to_id":${j(row.in_reply_to_id)},` +
          `"in_reply_to_account_id":${j(row.in_reply_to_account_id)},"sensitive":${!!row.sensitive},` +
          `"spoiler_text":${j(row.spoiler_text)},"visibility":${j(row.visibility)},"language":${j(row.language)},` +
          `"uri":${j(row.uri)},"url":${j(row.url || null)},"replies_count":`,
      ),
      mid: Buffer.from(`,"edited_at":${j(row.edited_at)},"content":${j(row.content)},"reblog":`),
      tail: Buffer.from(
        `,"media_attachments":[],"mentions":${j(toMastodonMentions(h.body.mentions))},` +
          `"tags":${j(toMastodonTags(ctx, h.body.tags))},"emojis":[],"card":null,"poll":`,
      ),
      content: row.content,
      spoiler_text: row.spoiler_text,
    };
    // an edit between the page read and the full read: shown, but not cached under the old key
    if (versionKey(row) === key) cache.set(key, parts);
  }
  return parts;
}

const NULL = Buffer.from("null");

interface Render {
  ctx: RenderContext;
  viewerId: string | null;
  hits: Map<string, StatusParts>;
  accounts: RenderedAccounts;
  accountBytes: Map<string, Buffer>;
}

/** One status as UTF-8 JSON chunks appended to `out`; false (nothing appended) where it cannot be rendered. */
function buildBytes(r: Render, h: HydratedStatus<StatusBody | null>, out: Buffer[]): boolean {
  const s = h.row;
  const start = out.length;
  const parts = partsOf(r.ctx, h, r.hits);
  if (!parts) return false;
  out.push(
    parts.head,
    Buffer.from(
      `${j(s.replies_count)},"reblogs_count":${j(s.reblogs_count)},"favourites_count":${j(s.favourites_count)}`,
    ),
    parts.mid,
  );
  if (h.reblog) {
    if (!buildBytes(r, h.reblog, out)) {
      out.length = start;
      return false;
    }
  } else out.push(NULL);
  let acc = r.accountBytes.get(h.account.id);
  if (!acc) {
    acc = Buffer.from(`,"account":${j(r.accounts.get(h.account))}`);
    r.accountBytes.set(h.account.id, acc);
  }
  out.push(acc, parts.tail);
  let rest = h.poll ? j(toMastodonPoll(r.ctx, h.poll, r.viewerId)) : "null";
  if (h.viewer && r.viewerId) {
    rest += `,"filtered":${h.filtered.length ? j(h.filtered) : "[]"}`;
    rest += `,"favourited":${h.viewer.favourited},"reblogged":${h.viewer.reblogged}`;
    rest += `,"muted":${h.viewer.muted}`;
    rest += `,"bookmarked":${h.viewer.bookmarked}`;
    if (s.account_id === r.viewerId) {
      if (!s.reblog_of_id && s.visibility !== "direct") rest += `,"pinned":${h.viewer.pinned}`;
      rest += `,"application":${j(h.application)}`;
    }
  }
  out.push(Buffer.from(`${rest}}`));
  return true;
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/**
 * `JSON.stringify(toMastodonStatuses(ctx, bundle))` as UTF-8 bytes, byte for byte, for list
 * responses: the unchanging parts of each status come from the context's parts cache (`hits` are
 * those cachedPartsHint held while the bundle was hydrated).
 */
export function statusesJson(
  ctx: RenderContext,
  bundle: StatusBundle<StatusBody | null>,
  hits: Map<string, StatusParts>,
): Uint8Array<ArrayBuffer> {
  if (bundle.statuses.length === 0) return new TextEncoder().encode("[]");
  const r: Render = {
    ctx,
    viewerId: bundle.viewerId,
    hits,
    accounts: new RenderedAccounts(ctx),
    accountBytes: new Map(),
  };
  const out: Buffer[] = [OPEN];
  for (const h of bundle.statuses) {
    const before = out.length;
    if (before > 1) out.push(COMMA);
    if (!buildBytes(r, h, out) && before > 1) out.length = before;
  }
  out.push(CLOSE);
  return Buffer.concat(out);
}
