import { type Compilable, CompiledQuery } from "kysely";
import type { Db } from "./db.ts";

/**
 * Queries built and compiled once per shape, then run with new values.
 *
 * Building and compiling a Kysely query costs more than running a small indexed one, so the hot
 * paths (token lookup, the home timeline, status serialisation) build theirs once with named
 * placeholders and reuse the SQL text. The query is still written with Kysely (and the shared SQL
 * fragments such as the visibility rules), so both dialects and one source of truth remain.
 *
 *   const rows = await prepared(db, `accounts:${ids.length}`, (p) =>
 *     db.selectFrom("accounts").selectAll().where("id", "in", p.list("ids", ids.length)),
 *   { ids });
 *
 * `key` must determine the SQL text: everything that changes it (list lengths, optional clauses)
 * goes into the key; only values go through placeholders.
 */

const MARK = "\u0000torgai:";

export interface Placeholders {
  /** a single value, bound at run time */
  value<T = string>(name: string): T;
  /** `length` values taken from the array `name` */
  list(name: string, length: number): string[];
}

interface Template {
  sql: string;
  /** a constant parameter, or [name] / [name, index] of a placeholder */
  params: (unknown | PlaceholderRef)[];
}

class PlaceholderRef {
  name: string;
  index: number;
  constructor(name: string, index: number) {
    this.name = name;
    this.index = index;
  }
}

const placeholders: Placeholders = {
  value: <T>(name: string) => `${MARK}${name}` as T,
  list: (name, length) => Array.from({ length }, (_, i) => `${MARK}${name}#${i}`),
};

function parseMark(p: unknown): PlaceholderRef | null {
  if (typeof p !== "string" || !p.startsWith(MARK)) return null;
  const body = p.slice(MARK.length);
  const hash = body.lastIndexOf("#");
  return hash === -1
    ? new PlaceholderRef(body, -1)
    : new PlaceholderRef(body.slice(0, hash), Number(body.slice(hash + 1)));
}

/**
 * A name per SQL text of a prepared() query, so PostgreSQL parses and plans it once per connection
 * (a named statement) instead of on every run. Bounded: texts beyond the bound run unnamed. A name
 * is never reused for another text (pg refuses that), so the map is never cleared.
 */
const statementNames = new Map<string, string>();
const MAX_STATEMENT_NAMES = 2000;

export function statementNameFor(sql: string): string | undefined {
  return statementNames.get(sql);
}

/** Per dialect adapter (SQLite and PostgreSQL compile differently); bounded, as keys carry lengths. */
const templates = new WeakMap<object, Map<string, Template>>();
const MAX_TEMPLATES = 1000;

function templateFor(db: Db, key: string, build: (p: Placeholders) => Compilable<unknown>): Template {
  const adapter = db.getExecutor().adapter;
  let byKey = templates.get(adapter);
  if (!byKey) {
    byKey = new Map();
    templates.set(adapter, byKey);
  }
  let t = byKey.get(key);
  if (!t) {
    const compiled = build(placeholders).compile();
    t = { sql: compiled.sql, params: compiled.parameters.map((p) => parseMark(p) ?? p) };
    if (byKey.size >= MAX_TEMPLATES) byKey.clear();
    byKey.set(key, t);
    if (!statementNames.has(t.sql) && statementNames.size < MAX_STATEMENT_NAMES)
      statementNames.set(t.sql, `torgai_${statementNames.size}`);
  }
  return t;
}

/** Runs the query of shape `key` (built by `build` the first time) with `values` bound. */
export async function prepared<R>(
  db: Db,
  key: string,
  build: (p: Placeholders) => Compilable<R>,
  values: Record<string, unknown>,
): Promise<R[]> {
  const t = templateFor(db, key, build);
  const params = new Array<unknown>(t.params.length);
  for (let i = 0; i < params.length; i++) {
    const p = t.params[i];
    if (p instanceof PlaceholderRef) {
      const v = values[p.name];
      if (p.index === -1) params[i] = v;
      else params[i] = (v as readonly unknown[])[p.index];
      if (params[i] === undefined) throw new Error(`prepared query ${key}: no value for ${p.name}`);
    } else params[i] = p;
  }
  const result = await db.executeQuery<R>(CompiledQuery.raw(t.sql, params));
  return result.rows;
}
