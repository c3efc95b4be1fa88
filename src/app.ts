import { mkdirSync } from "node:fs";
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";
import { createLocalEventBus, createRedisEventBus, type EventBus } from "./core/events.ts";
import { createIdGenerator, type IdGenerator } from "./core/ids.ts";
import { JobQueue } from "./jobs/queue.ts";
import { type Db, type DialectName, migrate, openStore, optimize, type Store } from "./store/db.ts";

/** Everything a service needs, passed explicitly (no globals), so tests control clock, ids and fetch. */
export interface AppContext {
  config: Config;
  store: Store;
  db: Db;
  dialect: DialectName;
  ids: IdGenerator;
  now: () => Date;
  queue: JobQueue;
  events: EventBus;
  logger: Logger;
  fetch: typeof globalThis.fetch;
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
  // statistics for the query planner; the store repeats this hourly while it is open
  await optimize(store, { thorough: true });
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const ids = opts.ids ?? createIdGenerator();
  const now = opts.now ?? (() => new Date());
  const events =
    opts.events ?? (config.redisUrl ? createRedisEventBus(config.redisUrl) : createLocalEventBus());
  const queue = new JobQueue({ db: store.db, dialect: store.dialect, ids, now, logger });
  return {
    config,
    store,
    db: store.db,
    dialect: store.dialect,
    ids,
    now,
    queue,
    events,
    logger,
    fetch: opts.fetch ?? globalThis.fetch,
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queue.stop();
  await ctx.events.close();
  await ctx.store.destroy();
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
  const result = await ctx.db.transaction().execute((trx) => fn(trx, (cb) => callbacks.push(cb)));
  for (const cb of callbacks) {
    try {
      await cb();
    } catch (err) {
      ctx.logger.error({ err }, "after-commit callback failed");
    }
  }
  return result;
}
