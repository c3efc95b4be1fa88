/** Status lists as ready UTF-8 JSON, built from cached per-status parts (the timelines' hot path). */
import type { AppContext } from "../../../app.ts";
import { Lru } from "../../../core/lru.ts";
import { STATUS_VIEW_COLUMNS, type StatusKey, type StatusView } from "../../../core/statuses/view.ts";
import { prepared } from "../../../store/prepared.ts";
import type { Account } from "../../../store/schema.ts";
import { serializePollWith } from "./poll.ts";
import { type Batch, entityKey, filterResults, loadBatch, renderedAccount } from "./status-batch.ts";

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
