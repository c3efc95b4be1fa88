import { mkdirSync } from "node:fs";
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";
import { createLocalEventBus, createRedisEventBus, type EventBus } from "./core/events.ts";
import { hasRemoteAudience } from "./core/fediverse/objects.ts";
import { type FederationPort, noFederation } from "./core/fediverse/port.ts";
import { createIdGenerator, type IdGenerator } from "./core/ids.ts";
import { type LocalUris, localUris } from "./core/uris.ts";
import { jobDefinitions } from "./jobs/definitions.ts";
import { JobQueue } from "./jobs/queue.ts";
import { type Db, type DialectName, migrate, openStore, optimize, type Store } from "./store/db.ts";

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
  /** ActivityPub: deliveries and remote lookups (src/federation, loaded on first use) */
  federation: FederationPort;
  /** caches, limiters and registries of this context (see owned()); closeContext closes them */
  resources: Map<ResourceKey<unknown>, unknown>;
}

/**
 * A kind of per-context state — a cache, a throttle, a registry — made on first use by `create`
 * and closed by closeContext with `close`. Declared once at module level; the state itself lives in
 * the context, so a worker, a CLI command or a test context leaks nothing when it ends.
 */
export interface ResourceKey<T> {
  readonly name: string;
  create(ctx: AppContext): T;
  close?(value: T): void | Promise<void>;
}

export function resourceKey<T>(
  name: string,
  create: (ctx: AppContext) => T,
  close?: (value: T) => void | Promise<void>,
): ResourceKey<T> {
  return { name, create, close };
}

/** The context's instance of `key`, made on first use. */
export function owned<T>(ctx: AppContext, key: ResourceKey<T>): T {
  const k = key as ResourceKey<unknown>;
  if (ctx.resources.has(k)) return ctx.resources.get(k) as T;
  const value = key.create(ctx);
  ctx.resources.set(k, value);
  return value;
}

/** Replaces the context's instance of `key` at once; the previous one is closed in the background. */
export function replaceOwned<T>(ctx: AppContext, key: ResourceKey<T>, value: T): void {
  const k = key as ResourceKey<unknown>;
  const previous = ctx.resources.get(k) as T | undefined;
  const had = ctx.resources.has(k);
  ctx.resources.set(k, value);
  if (had && previous !== value) {
    Promise.resolve(key.close?.(previous as T)).catch((err) =>
      ctx.logger.warn({ err, resource: key.name }, "closing a resource failed"),
    );
  }
}

/** Closes and forgets the context's instance of `key`, if it has one. */
export async function dropOwned<T>(ctx: AppContext, key: ResourceKey<T>): Promise<void> {
  const k = key as ResourceKey<unknown>;
  if (!ctx.resources.has(k)) return;
  const value = ctx.resources.get(k) as T;
  ctx.resources.delete(k);
  await key.close?.(value);
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
    federation: noFederation,
    resources: new Map(),
  };
  if (config.federation) ctx.federation = lazyFederation(ctx);
  queue.attach(ctx);
  return ctx;
}

/** The Fedify adapter, imported when first asked for (it is large, and most requests never need it). */
function lazyFederation(ctx: AppContext): FederationPort {
  let loaded: Promise<FederationPort> | undefined;
  const port = () => {
    loaded ??= import("./federation/service.ts").then((m) => m.federationService(ctx));
    return loaded;
  };
  return {
    deliver: async (event) => {
      // most local actions have no remote audience: then the adapter is never loaded
      if (!(await hasRemoteAudience(ctx, event))) return;
      await (await port()).deliver(event);
    },
    resolveAccount: async (acct, opts) => (await port()).resolveAccount(acct, opts),
    resolveUrl: async (url) => (await port()).resolveUrl(url),
    listen: async () => (await port()).listen(),
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queue.stop();
  // newest first: a resource may use one made before it
  for (const key of [...ctx.resources.keys()].reverse()) {
    try {
      await dropOwned(ctx, key);
    } catch (err) {
      ctx.logger.warn({ err, resource: key.name }, "closing a resource failed");
    }
  }
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
