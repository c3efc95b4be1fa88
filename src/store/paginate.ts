import type { SelectQueryBuilder } from "kysely";
import type { Db } from "./db.ts";
import { type Placeholders, prepared } from "./prepared.ts";

export interface Page {
  maxId?: string;
  sinceId?: string;
  minId?: string;
  limit: number;
}

/**
 * Pages an id-ordered select as Mastodon does and returns rows newest first.
 * `column` is the (qualified) id column the cursor applies to. Ids have a fixed width, so text order
 * is numeric order on both databases.
 */
export async function paginate<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  column: string,
  page: Page,
): Promise<O[]> {
  // biome-ignore lint/suspicious/noExplicitAny: column names are dynamic here
  const col = column as any;
  let q = qb;
  if (page.maxId) q = q.where(col, "<", page.maxId);
  if (page.sinceId) q = q.where(col, ">", page.sinceId);
  if (page.minId) q = q.where(col, ">", page.minId);
  const ascending = page.minId !== undefined && page.sinceId === undefined;
  const rows = await q
    .orderBy(col, ascending ? "asc" : "desc")
    .limit(page.limit)
    .execute();
  return ascending ? rows.reverse() : rows;
}

/**
 * `paginate` for a hot query run through `prepared`: `build` makes the unpaged query from
 * placeholders, `key` names its shape apart from the page (the page's shape is added here).
 */
export async function paginatePrepared<DB, TB extends keyof DB, O>(
  db: Db,
  key: string,
  build: (p: Placeholders) => SelectQueryBuilder<DB, TB, O>,
  column: string,
  page: Page,
  values: Record<string, unknown>,
): Promise<O[]> {
  // biome-ignore lint/suspicious/noExplicitAny: column names are dynamic here
  const col = column as any;
  const ascending = page.minId !== undefined && page.sinceId === undefined;
  const shape = `${key}|${page.maxId ? "M" : ""}${page.sinceId ? "S" : ""}${page.minId ? "m" : ""}${ascending ? "a" : "d"}`;
  const rows = await prepared(
    db,
    shape,
    (p) => {
      let q = build(p);
      if (page.maxId) q = q.where(col, "<", p.value("maxId"));
      if (page.sinceId) q = q.where(col, ">", p.value("sinceId"));
      if (page.minId) q = q.where(col, ">", p.value("minId"));
      return q.orderBy(col, ascending ? "asc" : "desc").limit(p.value<number>("limit"));
    },
    { ...values, maxId: page.maxId, sinceId: page.sinceId, minId: page.minId, limit: page.limit },
  );
  return ascending ? rows.reverse() : rows;
}
