/**
 * Test support: every store test runs on SQLite and on the real PostgreSQL of this machine.
 * PostgreSQL isolation is one schema per context, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { type AppContext, closeContext, createContext } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { createLocalAccount } from "../../src/core/accounts/create.ts";
import { createOauthApp, issueToken } from "../../src/core/auth/issue.ts";
import { createHttpApp } from "../../src/http.ts";
import { dropSchema, openStore } from "../../src/store/db.ts";
import type { Account, User } from "../../src/store/schema.ts";

export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const STORES = ["sqlite", "postgres"] as const;
export type StoreKind = (typeof STORES)[number];

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    TORGAI_DOMAIN: "torgai.test",
    TORGAI_PROTOCOL: "https",
    TORGAI_TEST_MODE: "1",
    TORGAI_RATE_LIMIT: "0",
    LOG_LEVEL: "silent",
    TORGAI_DATA_DIR: "/tmp/torgai-test-data",
    ...overrides,
  });
}

export async function createTestContext(
  kind: StoreKind,
  opts: { config?: Record<string, string>; now?: () => Date } = {},
): Promise<AppContext> {
  const config = testConfig(opts.config);
  if (kind === "sqlite") {
    const store = await openStore({ url: "sqlite::memory:" });
    return createContext(config, { store, logger: pino({ level: "silent" }), now: opts.now });
  }
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const store = await openStore({ url: PG_URL, pgSchema: schema, poolSize: 4 });
  const destroy = store.destroy;
  store.destroy = async () => {
    await destroy();
    await dropSchema(PG_URL, schema);
  };
  return createContext(config, { store, logger: pino({ level: "silent" }), now: opts.now });
}

/**
 * A database that outlives the contexts opened on it, for durability tests (close one context,
 * open the next on the same data, as a restarted or killed process would): SQLite in a file of a
 * temporary directory, PostgreSQL in a schema of its own. `dispose` deletes it.
 */
export async function persistentTestDatabase(kind: StoreKind): Promise<{
  open: (opts?: { now?: () => Date }) => Promise<AppContext>;
  dispose: () => Promise<void>;
}> {
  const logger = pino({ level: "silent" });
  const config = testConfig();
  if (kind === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "torgai-test-"));
    const url = `sqlite:${join(dir, "torgai.db")}`;
    return {
      open: async (opts = {}) =>
        createContext(config, { store: await openStore({ url }), logger, now: opts.now }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString("hex")}`;
  return {
    open: async (opts = {}) =>
      createContext(config, {
        store: await openStore({ url: PG_URL, pgSchema: schema, poolSize: 4 }),
        logger,
        now: opts.now,
      }),
    dispose: () => dropSchema(PG_URL, schema),
  };
}

/** Registers `name [sqlite]` and `name [postgres]`, each with a fresh, migrated context. */
export function storeTest(name: string, fn: (ctx: AppContext) => Promise<void>): void {
  for (const kind of STORES) {
    test(`${name} [${kind}]`, async () => {
      const ctx = await createTestContext(kind);
      try {
        await fn(ctx);
      } finally {
        await closeContext(ctx);
      }
    });
  }
}

/**
 * A describe block per store sharing one context (cheaper than one per test); tests inside should
 * create their own users so they do not depend on each other.
 */
export function describeStores(
  name: string,
  body: (get: () => AppContext, kind: StoreKind) => void,
  opts: { config?: Record<string, string> } = {},
): void {
  for (const kind of STORES) {
    describe(`${name} [${kind}]`, () => {
      let ctx: AppContext | undefined;
      before(async () => {
        ctx = await createTestContext(kind, { config: opts.config });
      });
      after(async () => {
        if (ctx) await closeContext(ctx);
      });
      body(() => {
        if (!ctx) throw new Error("context not ready");
        return ctx;
      }, kind);
    });
  }
}

let userCounter = 0;

export interface TestUser {
  account: Account;
  user: User;
  token: string;
  /** fetch-like helper against the in-process app with this user's bearer token */
  api: (path: string, init?: ApiInit) => Promise<Response>;
}

export interface ApiInit {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  token?: string | null;
  /** the client's socket address as the server sees it (none by default: "unknown") */
  remoteAddress?: string;
}

/** Calls the HTTP app in-process (no socket). */
export function apiCaller(ctx: AppContext, defaultToken: string | null = null) {
  const app = createHttpApp(ctx);
  return (path: string, init: ApiInit = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const token = init.token === undefined ? defaultToken : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const url = path.startsWith("http") ? path : `${ctx.config.baseUrl}${path}`;
    // @hono/node-server's getConnInfo reads the peer from the incoming request's socket
    const env = init.remoteAddress
      ? { incoming: { socket: { remoteAddress: init.remoteAddress } } }
      : undefined;
    return Promise.resolve(
      app.request(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body }, env),
    );
  };
}

/** A confirmed local user with a token holding every scope (read write follow push). */
export async function createTestUser(
  ctx: AppContext,
  opts: { username?: string; locked?: boolean; role?: User["role"]; scopes?: string[] } = {},
): Promise<TestUser> {
  const username = opts.username ?? `user${++userCounter}_${randomBytes(3).toString("hex")}`;
  const { account, user } = await createLocalAccount(ctx, {
    username,
    email: `${username}@example.test`,
    password: "correct horse battery staple",
    role: opts.role,
  });
  if (opts.locked) {
    await ctx.db.updateTable("accounts").set({ locked: 1 }).where("id", "=", account.id).execute();
    account.locked = 1;
  }
  const app = await createOauthApp(ctx, {
    name: "test",
    redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
    scopes: ["read", "write", "follow", "push"],
  });
  const token = await issueToken(ctx, {
    appId: app.id,
    userId: user.id,
    scopes: opts.scopes ?? ["read", "write", "follow", "push"],
  });
  return { account, user, token: token.accessToken, api: apiCaller(ctx, token.accessToken) };
}
