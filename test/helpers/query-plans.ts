/**
 * Query plans of the SQL the app really sends (captured through the store's `onQuery` hook), on
 * SQLite (EXPLAIN QUERY PLAN) and PostgreSQL (EXPLAIN (FORMAT JSON)), reduced to what the plan
 * tests assert: which tables are read whole and which indexes are used.
 */
import { CompiledQuery } from "kysely";
import type { Db, DialectName } from "../../src/store/db.ts";

export interface CapturedQuery {
  sql: string;
  parameters: readonly unknown[];
}

export interface QueryPlan {
  query: CapturedQuery;
  /** the plan as text, one node a line (for failure messages) */
  text: string;
  /** tables read whole (SQLite `SCAN t` or a Bloom filter on t, PostgreSQL Seq Scan), by table name */
  fullScans: string[];
  /** index names the plan reads */
  indexes: string[];
}

const KEYWORDS = new Set([
  "where",
  "on",
  "inner",
  "left",
  "join",
  "cross",
  "group",
  "order",
  "limit",
  "union",
  "and",
  "or",
  "using",
  "natural",
  "select",
  "set",
]);

/** alias → table for every `from t [as] a` / `join t [as] a` in the SQL text. */
function aliases(sqlText: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi;
  for (const m of sqlText.matchAll(re)) {
    const table = m[1].toLowerCase();
    const alias = m[2]?.toLowerCase();
    out.set(table, table);
    if (alias && !KEYWORDS.has(alias)) out.set(alias, table);
  }
  return out;
}

/** Partial indexes (`create index … where …`): reading one whole reads only the rows it is for. */
async function sqlitePartialIndexes(db: Db): Promise<Set<string>> {
  const res = await db.executeQuery<{ name: string }>(
    CompiledQuery.raw("select name from sqlite_master where type = 'index' and sql like '% where %'", []),
  );
  return new Set(res.rows.map((r) => r.name));
}

async function sqlitePlan(db: Db, q: CapturedQuery): Promise<QueryPlan> {
  const res = await db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
  );
  const partial = await sqlitePartialIndexes(db);
  const names = aliases(q.sql);
  const fullScans: string[] = [];
  const indexes: string[] = [];
  for (const { detail } of res.rows) {
    // "SCAN s", "SCAN s USING INDEX i", "SCAN s USING COVERING INDEX i": every row of s (or of its
    // index), in order, until the query has enough; "SEARCH s USING INDEX i (a=?)" reads a range
    // "BLOOM FILTER ON a (id=?)" is built by reading all of a: the planner picks it when it expects
    // many probes into a, blind to a LIMIT that stops after a few
    const scan = /^(?:SCAN|BLOOM FILTER ON) (\w+)(?: USING (?:COVERING )?INDEX (\w+))?/.exec(detail);
    if (scan && !(scan[2] && partial.has(scan[2]))) {
      const table = names.get(scan[1].toLowerCase());
      if (table) fullScans.push(table);
    }
    // recorded bare and with the columns it was searched by: "i" and "i (a=? AND b>?)"
    const idx = /USING (?:COVERING )?INDEX (\w+)(?: \(([^)]*)\))?/.exec(detail);
    if (idx) indexes.push(idx[1], ...(idx[2] ? [`${idx[1]} (${idx[2]})`] : []));
    if (/USING (?:INTEGER )?PRIMARY KEY/.test(detail)) indexes.push("PRIMARY KEY");
  }
  return { query: q, text: res.rows.map((r) => r.detail).join("\n"), fullScans, indexes };
}

interface PgNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PgNode[];
  [key: string]: unknown;
}

async function postgresPlan(db: Db, q: CapturedQuery): Promise<QueryPlan> {
  const res = await db.executeQuery<{ "QUERY PLAN": { Plan: PgNode }[] }>(
    CompiledQuery.raw(`explain (format json) ${q.sql}`, [...q.parameters]),
  );
  const fullScans: string[] = [];
  const indexes: string[] = [];
  const lines: string[] = [];
  const walk = (node: PgNode, depth: number) => {
    const rel = node["Relation Name"];
    const idx = node["Index Name"];
    lines.push(
      `${"  ".repeat(depth)}${node["Node Type"]}${rel ? ` on ${rel}` : ""}${idx ? ` using ${idx}` : ""}`,
    );
    if (node["Node Type"] === "Seq Scan" && rel) fullScans.push(rel);
    if (idx) indexes.push(idx);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  const plan = res.rows[0]["QUERY PLAN"];
  walk((typeof plan === "string" ? JSON.parse(plan) : plan)[0].Plan, 0);
  return { query: q, text: lines.join("\n"), fullScans, indexes };
}

export function explain(db: Db, dialect: DialectName, q: CapturedQuery): Promise<QueryPlan> {
  return dialect === "sqlite" ? sqlitePlan(db, q) : postgresPlan(db, q);
}

/** Records the queries run while a function runs (fed by the store's `onQuery` hook). */
export class QueryRecorder {
  #recording: CapturedQuery[] | null = null;

  onQuery = (sql: string, parameters: readonly unknown[]): void => {
    this.#recording?.push({ sql, parameters });
  };

  async record<T>(fn: () => Promise<T>): Promise<{ result: T; queries: CapturedQuery[] }> {
    const queries: CapturedQuery[] = [];
    this.#recording = queries;
    try {
      return { result: await fn(), queries };
    } finally {
      this.#recording = null;
    }
  }
}
