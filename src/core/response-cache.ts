/**
 * Rendered responses of hot authenticated reads (the home and list timelines), kept per viewer and
 * request so that a client polling a page that did not change gets the same bytes without a query.
 *
 * An entry is served only while all of these hold:
 * - nothing was written since it was built: the store's write generation (store/write-generation.ts,
 *   bumped by the driver after every statement that may have changed data and after every commit)
 *   is the one noted before the first read;
 * - it is younger than `responseCacheOptions.ttlMs` (1 s) on both the wall clock and the context's
 *   clock, for what changes with time alone: poll expiry, mute and filter expiry;
 * - the request was authenticated as usual first: the route asks for an entry only after the token
 *   was resolved (its cache rules, revocations, and the user and account read fresh) and the scope
 *   checked, so an entry never answers a revoked token or a suspended account;
 * - it belongs to the same viewer (the key starts with the account id, and the entry names it).
 *
 * Memory: at most `maxBytes` (8 MB) of bodies in all, least recently used out first; a body over
 * `maxEntryBytes` is never kept.
 *
 * The generation sees only the writes of this process, so the cache is on only where one process
 * owns every write: `torgai all` (SQLite, or PostgreSQL with no other writer), unless
 * TORGAI_RESPONSE_CACHE=0. `torgai web` beside a `torgai worker` never enables it (the worker's
 * fan-out would be missed); nor do tests and CLI contexts unless they call enableResponseCache.
 */
import { type AppContext, owned, resourceKey } from "../app.ts";

export interface CachedResponse {
  body: Uint8Array<ArrayBuffer>;
  /** headers that belong to the body (Link); per-request ones (rate limits, request id) are not here */
  headers: Record<string, string>;
}

interface Entry extends CachedResponse {
  viewerId: string;
  generation: number;
  builtAtMs: number;
  builtAtCtxMs: number;
}

export const responseCacheOptions = { ttlMs: 1_000, maxBytes: 8 * 1024 * 1024, maxEntryBytes: 1024 * 1024 };

interface ResponseCache {
  enabled: boolean;
  /** answers served from an entry (tests tell a hit from a rebuild by it) */
  hits: number;
  entries: Map<string, Entry>;
  bytes: number;
}

const RESPONSE_CACHE = resourceKey(
  "response cache",
  (): ResponseCache => ({ enabled: false, hits: 0, entries: new Map(), bytes: 0 }),
  (cache) => {
    cache.entries.clear();
    cache.bytes = 0;
  },
);

/** Turns the cache on for this context: only where this process owns every write (see above). */
export function enableResponseCache(ctx: AppContext): void {
  owned(ctx, RESPONSE_CACHE).enabled = true;
}

/** Whether this context's process owns every write (the cache is on). */
export function responseCacheEnabled(ctx: AppContext): boolean {
  return owned(ctx, RESPONSE_CACHE).enabled;
}

/** Bytes and entries held (tests check the bound). */
export function responseCacheStats(ctx: AppContext): { entries: number; bytes: number; hits: number } {
  const cache = owned(ctx, RESPONSE_CACHE);
  return { entries: cache.entries.size, bytes: cache.bytes, hits: cache.hits };
}

function drop(cache: ResponseCache, key: string, entry: Entry): void {
  cache.entries.delete(key);
  cache.bytes -= entry.body.byteLength;
}

/**
 * The response for (`viewerId`, `request`) — `request` is the path and query as sent — from the
 * cache when its entry is still valid, else from `build`, kept when nothing was written meanwhile.
 * Call it only after the request was authenticated and authorised for `viewerId`.
 */
export async function cachedResponse(
  ctx: AppContext,
  viewerId: string,
  request: string,
  build: () => Promise<CachedResponse>,
): Promise<CachedResponse> {
  const cache = owned(ctx, RESPONSE_CACHE);
  if (!cache.enabled) return build();
  const writes = ctx.store.writes;
  const key = `${viewerId} ${request}`;
  const nowMs = Date.now();
  const ctxMs = ctx.now().getTime();
  const hit = cache.entries.get(key);
  if (hit) {
    const age = nowMs - hit.builtAtMs;
    const ctxAge = ctxMs - hit.builtAtCtxMs;
    const fresh =
      age >= 0 && age < responseCacheOptions.ttlMs && ctxAge >= 0 && ctxAge < responseCacheOptions.ttlMs;
    if (fresh && hit.generation === writes.value && hit.viewerId === viewerId) {
      // most recently used last: a Map iterates in insertion order
      cache.entries.delete(key);
      cache.entries.set(key, hit);
      cache.hits++;
      return hit;
    }
    drop(cache, key, hit);
  }
  // noted before the first read: a write that lands while we read changes it
  const generation = writes.value;
  const built = await build();
  const size = built.body.byteLength;
  if (generation === writes.value && size <= responseCacheOptions.maxEntryBytes) {
    const previous = cache.entries.get(key);
    if (previous) drop(cache, key, previous);
    cache.entries.set(key, { ...built, viewerId, generation, builtAtMs: nowMs, builtAtCtxMs: ctxMs });
    cache.bytes += size;
    for (const [k, e] of cache.entries) {
      if (cache.bytes <= responseCacheOptions.maxBytes) break;
      drop(cache, k, e);
    }
  }
  return built;
}
