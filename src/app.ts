import { mkdirSync } from "node:fs";
import pino, { type Logger } from "pino";
import type { StatusParts } from "./api/mastodon/serializers/status-json.ts";
import type { Config } from "./config.ts";
import { createLocalEventBus, createRedisEventBus, type EventBus } from "./core/events.ts";
import { createIdGenerator, type IdGenerator } from "./core/ids.ts";
import { Lru } from "./core/lru.ts";
import type { StatusEntities } from "./core/statuses/hydrate.ts";
import { type LocalUris, localUris } from "./core/uris.ts";
import { jobDefinitions } from "./jobs/definitions.ts";
import { JobQueue } from "./jobs/queue.ts";
import { type Db, type DialectName, migrate, openStore, type Store } from "./store/db.ts";

/** Everything a service needs, passed explicitly (no globals), so tests control clock, ids and fetch. */
export interface AppContext {
  config: Config;
  /** every local URL, built and parsed (core/uris.ts) */
  uris: LocalUris;
  store: Store;
  db: Db;
  dialect: DialectName;
  ids: IdGenerator;
  now: () => Date;
  queue: JobQueue;
  events: EventBus;
  logger: Logger;
  fetch: typeof globalThis.fetch;
  /** in-memory caches of this context (per store: tests run several in one process) */
  caches: ContextCaches;
}

export const STATUS_ENTITY_CACHE_MAX = 5_000;
export const STATUS_PARTS_CACHE_MAX = 5_000;

/**
 * Caches keyed by status id + edited_at: an edit (the only thing that changes what they hold) makes
 * a new key, so an entry is never stale; deleted statuses are never asked for again and age out.
 */
export interface ContextCaches {
  /** mentions and tags per status version (core/statuses/hydrate.ts) */
  statusEntities: Lru<string, StatusEntities>;
  /** rendered Mastodon JSON parts per status version (api/mastodon/serializers/status-json.ts) */
  statusParts: Lru<string, StatusParts>;
}

export function createCaches(): ContextCaches {
  return {
    statusEntities: new Lru(STATUS_ENTITY_CACHE_MAX),
    statusParts: new Lru(STATUS_PARTS_CACHE_MAX),
  };
}

export interface CreateContextOptions {
  store?: Store;
  now?: () => Date;
  ids?: IdGenerator;
  fetch?: typeof globalThis.fetch;
  logger?: Logger;
  events?: EventBus;
  migrate?: boolean;
}

export async function createContext(config: Config, opts: CreateContextOptions = {}): Promise<AppContext> {
  if (!opts.store && config.databaseUrl.startsWith("sqlite:")) mkdirSync(config.dataDir, { recursive: true });
  const store = opts.store ?? (await openStore({ url: config.databaseUrl, sqliteSync: config.sqliteSync }));
  if (opts.migrate !== false) await migrate(store.db, { pgSchema: store.pgSchema });
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const ids = opts.ids ?? createIdGenerator();
  const now = opts.now ?? (() => new Date());
  const events =
    opts.events ?? (config.redisUrl ? createRedisEventBus(config.redisUrl) : createLocalEventBus());
  const queue = new JobQueue({
    db: store.db,
    dialect: store.dialect,
    ids,
    now,
    logger,
    definitions: jobDefinitions,
  });
  const ctx: AppContext = {
    config,
    uris: localUris(config.baseUrl),
    store,
    db: store.db,
    dialect: store.dialect,
    ids,
    now,
    queue,
    events,
    logger,
    fetch: opts.fetch ?? globalThis.fetch,
    caches: createCaches(),
  };
  queue.attach(ctx);
  return ctx;
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queue.stop();
  await ctx.events.close();
  await ctx.store.destroy();
  ctx.caches.statusEntities.clear();
  ctx.caches.statusParts.clear();
}

export type AfterCommit = (fn: () => void | Promise<void>) => void;

/**
 * Runs `fn` in one database transaction; callbacks registered with `after` run only once it has
 * committed (publishing stream events, waking job workers), so nobody hears of a change that rolled back.
 */
export async function transaction<T>(
  ctx: AppContext,
  fn: (trx: Db, after: AfterCommit) => Promise<T>,
): Promise<T> {
  const callbacks: (() => void | Promise<void>)[] = [];
  const after: AfterCommit = (cb) => callbacks.push(cb);
  const result = await ctx.db.transaction().execute((trx) => {
    ctx.queue.trackTransaction(trx, after);
    return fn(trx, after);
  });
  for (const cb of callbacks) {
    try {
      await cb();
    } catch (err) {
      ctx.logger.error({ err }, "after-commit callback failed");
    }
  }
  return result;
}
