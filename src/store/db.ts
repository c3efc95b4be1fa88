import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import * as m001 from "./migrations/001_initial.ts";
import * as m002 from "./migrations/002_accounts.ts";
import * as m003 from "./migrations/003_statuses.ts";
import * as m004 from "./migrations/004_graph.ts";
import * as m006 from "./migrations/006_conformance.ts";
import * as m008 from "./migrations/008_email_confirmation.ts";
import * as m009 from "./migrations/009_tag_privacy.ts";
import * as m010 from "./migrations/010_job_ordering.ts";
import * as m011 from "./migrations/011_account_keys.ts";
import { openNodeSqlite } from "./node-sqlite.ts";
import { statementNameFor } from "./prepared.ts";
import type { Database } from "./schema.ts";

export type DialectName = "sqlite" | "postgres";
export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: DialectName;
  /** the PostgreSQL schema in use when not the default one */
  pgSchema?: string;
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
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.url.startsWith("sqlite:")) {
    const path = opts.url.slice("sqlite:".length);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const database = openNodeSqlite(path, { synchronous: opts.sqliteSync });
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return { db, dialect: "sqlite", destroy: () => db.destroy() };
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatements(pool) }) });
  return { db, dialect: "postgres", pgSchema: opts.pgSchema, destroy: () => db.destroy() };
}

const migrations: Record<string, Migration> = {
  "001_initial": m001,
  "002_accounts": m002,
  "003_statuses": m003,
  "004_graph": m004,
  "006_conformance": m006,
  "008_email_confirmation": m008,
  "009_tag_privacy": m009,
  "010_job_ordering": m010,
  "011_account_keys": m011,
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
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
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
