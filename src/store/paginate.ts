import type { SelectQueryBuilder } from "kysely";

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
// biome-ignore lint/suspicious/noExplicitAny: generic over any query builder
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
