import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Adapts node:sqlite's DatabaseSync to the better-sqlite3-shaped interface Kysely's SqliteDialect
 * expects. Prepared statements are cached because preparing is the costliest part of a small query.
 */
export function openNodeSqlite(
  path: string,
  opts: { synchronous?: "NORMAL" | "FULL" } = {},
): SqliteDatabase & {
  raw: DatabaseSync;
} {
  const raw = new DatabaseSync(path, { timeout: 5000 });
  if (path !== ":memory:") raw.exec("PRAGMA journal_mode = WAL");
  raw.exec(`PRAGMA synchronous = ${opts.synchronous ?? "NORMAL"}`);
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("PRAGMA busy_timeout = 5000");
  raw.exec("PRAGMA cache_size = -16000");
  const cache = new Map<string, SqliteStatement>();
  const MAX_CACHED = 500;

  const prepare = (text: string): SqliteStatement => {
    // Kysely opens transactions with a deferred BEGIN. When another process (a split worker) writes
    // between such a transaction's first read and its first write, SQLite cannot upgrade the
    // snapshot and fails at once with SQLITE_BUSY, whatever the busy timeout: take the write lock
    // up front, so writers wait their turn instead.
    const sql = text === "begin" ? "begin immediate" : text;
    const hit = cache.get(sql);
    if (hit) return hit;
    const stmt: StatementSync = raw.prepare(sql);
    const columns = stmt.columns().map((c) => c.name);
    const reader = columns.length > 0;
    const toRow = reader ? rowFactory(columns) : null;
    if (toRow) stmt.setReturnArrays(true);
    const wrapped: SqliteStatement = {
      reader,
      all: toRow
        ? (params) => (stmt.all(...toSqlite(params)) as unknown as unknown[][]).map(toRow)
        : (params) => stmt.all(...toSqlite(params)),
      run: (params) => stmt.run(...toSqlite(params)),
      iterate: toRow
        ? function* (params) {
            for (const r of stmt.iterate(...toSqlite(params))) yield toRow(r as unknown as unknown[]);
          }
        : (params) => stmt.iterate(...toSqlite(params)) as IterableIterator<unknown>,
    };
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(sql, wrapped);
    return wrapped;
  };
  return { raw, prepare, close: () => raw.close() };
}

/**
 * Rows come from SQLite as arrays and become objects through one constructor per statement: about
 * a third cheaper than node:sqlite building each object key by key, and every row of a statement
 * then shares one object shape, which keeps the serialisers' property reads fast.
 */
function rowFactory(columns: string[]): ((values: unknown[]) => Record<string, unknown>) | null {
  // a column named __proto__ in an object literal would set the prototype instead
  if (columns.includes("__proto__")) return null;
  const body = columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(", ");
  return new Function("v", `return { ${body} };`) as (values: unknown[]) => Record<string, unknown>;
}

function toSqlite(params: ReadonlyArray<unknown>): SQLInputValue[] {
  const out = new Array<SQLInputValue>(params.length);
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (typeof p === "boolean") out[i] = p ? 1 : 0;
    else if (p === undefined) out[i] = null;
    else if (p instanceof Date) out[i] = p.toISOString();
    else out[i] = p as SQLInputValue;
  }
  return out;
}
