import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, type KyselyConfig, PostgresDialect, SqliteDialect, sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import * as m001 from "./migrations/001_initial.ts";
import * as m002 from "./migrations/002_accounts.ts";
import * as m003 from "./migrations/003_statuses.ts";
import * as m004 from "./migrations/004_graph.ts";
import * as m006 from "./migrations/006_conformance.ts";
import * as m007 from "./migrations/007_read_indexes.ts";
import * as m008 from "./migrations/008_email_confirmation.ts";
import * as m009 from "./migrations/009_tag_privacy.ts";
import * as m010 from "./migrations/010_job_ordering.ts";
import * as m011 from "./migrations/011_account_keys.ts";
import * as m012 from "./migrations/012_fedify_kv.ts";
import * as m013 from "./migrations/013_remote_actors.ts";
import * as m014 from "./migrations/014_scheduled_statuses.ts";
import * as m015 from "./migrations/015_notification_policy.ts";
import * as m016 from "./migrations/016_push_subscriptions.ts";
import * as m017 from "./migrations/017_endorsements.ts";
import * as m018 from "./migrations/018_profile.ts";
import * as m019 from "./migrations/019_federated_reports.ts";
import * as m021 from "./migrations/021_instances.ts";
import { openNodeSqlite } from "./node-sqlite.ts";
import { statementNameFor } from "./prepared.ts";
import type { Database } from "./schema.ts";
import { trackWrites, type WriteGeneration } from "./write-generation.ts";

export type DialectName = "sqlite" | "postgres";
export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: DialectName;
  /** the PostgreSQL schema in use when not the default one */
  pgSchema?: string;
  /** bumped after every statement of this store that may have changed data (write-generation.ts) */
  writes: WriteGeneration;
  destroy(): Promise<void>;
}

/** pg is loaded only for PostgreSQL (a few MB a SQLite server does not need to carry). */
async function loadPg(): Promise<typeof import("pg").default> {
  const { default: pg } = await import("pg");
  // Counts and sums come back as int8; every int8 we store fits in a double.
  pg.types.setTypeParser(20, (v) => Number(v));
  return pg;
}

export interface OpenStoreOptions {
  /** `sqlite:/path/file.db`, `sqlite::memory:` or `postgres://…` */
  url: string;
  /** PostgreSQL schema to use (created if missing); tests use one schema per run. */
  pgSchema?: string;
  sqliteSync?: "NORMAL" | "FULL";
  poolSize?: number;
  /** sees every query as sent (SQL text and parameters): query-plan tests capture the app's SQL */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

function queryLog(opts: OpenStoreOptions): KyselyConfig["log"] {
  const onQuery = opts.onQuery;
  if (!onQuery) return undefined;
  return (event) => {
    if (event.level === "query") onQuery(event.query.sql, event.query.parameters);
  };
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.url.startsWith("sqlite:")) {
    const path = opts.url.slice("sqlite:".length);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const database = openNodeSqlite(path, { synchronous: opts.sqliteSync });
    const { dialect, writes } = trackWrites(new SqliteDialect({ database }));
    const db = new Kysely<Database>({ dialect, log: queryLog(opts) });
    // owned by the store, so it ends with it; unref'd, so it never keeps the process alive
    const timer = setInterval(() => {
      optimize({ db, dialect: "sqlite" }).catch(() => {});
    }, OPTIMIZE_INTERVAL_MS);
    timer.unref();
    return {
      db,
      dialect: "sqlite",
      writes,
      destroy: () => {
        clearInterval(timer);
        return db.destroy();
      },
    };
  }
  const pg = await loadPg();
  if (opts.pgSchema) {
    const admin = new pg.Client({ connectionString: opts.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${opts.pgSchema.replace(/"/g, "")}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
  });
  const { dialect, writes } = trackWrites(new PostgresDialect({ pool: namedStatements(pool) }));
  const db = new Kysely<Database>({ dialect, log: queryLog(opts) });
  return { db, dialect: "postgres", pgSchema: opts.pgSchema, writes, destroy: () => db.destroy() };
}

const OPTIMIZE_INTERVAL_MS = 60 * 60_000;

/**
 * Keeps SQLite's planner statistics current (PostgreSQL's autovacuum analyzes on its own).
 * Without statistics SQLite guesses how selective each index is, and a wrong guess turns an
 * indexed read into a walk over a whole table. `PRAGMA optimize` runs ANALYZE only on tables that
 * changed enough since their last analysis, each limited to a sample (SQLite ≥ 3.46), so it stays
 * short on a large database. `thorough` (at start-up, after migrations) checks every table rather
 * than only those this connection has read, as SQLite advises for long-lived connections.
 */
export async function optimize(
  store: Pick<Store, "db" | "dialect">,
  opts: { thorough?: boolean } = {},
): Promise<void> {
  if (store.dialect !== "sqlite") return;
  await sql.raw(opts.thorough ? "PRAGMA optimize=0x10002" : "PRAGMA optimize").execute(store.db);
}

const migrations: Record<string, Migration> = {
  "001_initial": m001,
  "002_accounts": m002,
  "003_statuses": m003,
  "004_graph": m004,
  "006_conformance": m006,
  "007_read_indexes": m007,
  "008_email_confirmation": m008,
  "009_tag_privacy": m009,
  "010_job_ordering": m010,
  "011_account_keys": m011,
  "012_fedify_kv": m012,
  "013_remote_actors": m013,
  "014_scheduled_statuses": m014,
  "015_notification_policy": m015,
  "016_push_subscriptions": m016,
  "017_endorsements": m017,
  "018_profile": m018,
  "019_federated_reports": m019,
  "021_instances": m021,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; returns the names applied. */
export async function migrate(db: Db, opts: { pgSchema?: string } = {}): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
  const migrator = new Migrator({
    db,
    provider,
    ...(opts.pgSchema ? { migrationTableSchema: opts.pgSchema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    // Kysely's introspection reads the whole catalogue: a schema dropped meanwhile by another
    // process sharing the database (another test run, a tenant removed) fails it; that is not
    // ours, so it is tried again
    if (error && attempt < 5 && (error as { code?: string }).code === "3F000") {
      await new Promise((r) => setTimeout(r, 50 * attempt));
      continue;
    }
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, "")}" CASCADE`);
  } finally {
    await client.end();
  }
}

export { sql };

type PgPool = InstanceType<Awaited<ReturnType<typeof loadPg>>["Pool"]>;
const named = Symbol("torgai.namedStatements");

/**
 * The pool as Kysely sees it, with queries from prepared() sent as named statements: each
 * connection then parses and plans such a query once (PostgreSQL switches to a generic plan after
 * a few runs when it is not costlier) instead of on every request.
 */
function namedStatements(pool: PgPool): PgPool {
  const connect = pool.connect.bind(pool);
  const wrapped = async () => {
    const client = await connect();
    const c = client as typeof client & { [named]?: true };
    if (!c[named]) {
      c[named] = true;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const [text, values] = args;
        const name = typeof text === "string" && Array.isArray(values) ? statementNameFor(text) : undefined;
        return name ? query({ name, text, values }) : query(...args);
      };
    }
    return client;
  };
  return new Proxy(pool, {
    get: (target, prop, receiver) => (prop === "connect" ? wrapped : Reflect.get(target, prop, receiver)),
  });
}
