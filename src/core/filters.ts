/**
 * Content filters (Mastodon v2): a filter has a title, contexts, an action (warn, blur or hide), an
 * optional expiry, keywords and statuses. Every change tells the owner's streams (filters_changed).
 */
import { type AppContext, transaction } from "../app.ts";
import type { Db } from "../store/db.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { channels } from "./events.ts";
import {
  type ActiveFilter,
  compileKeyword,
  type FilterAction,
  type FilterContext,
  type FilterSummary,
} from "./filter-match.ts";
import { getVisibleStatus } from "./statuses/load.ts";

export {
  type ActiveFilter,
  FILTER_CONTEXTS,
  type FilterContext,
  type FilterResult,
  hiddenByFilters,
  matchFilters,
} from "./filter-match.ts";

export const MAX_FILTERS = 100;
export const MAX_KEYWORDS = 100;

export interface FilterKeyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}
export interface FilterStatus {
  id: string;
  status_id: string;
}
/** Mastodon's v2 Filter entity. */
export interface Filter extends FilterSummary {
  keywords: FilterKeyword[];
  statuses: FilterStatus[];
}

export interface KeywordInput {
  id?: string;
  keyword?: string;
  whole_word?: boolean;
  destroy?: boolean;
}
export interface FilterInput {
  title?: string;
  context?: FilterContext[];
  filter_action?: FilterAction;
  /** seconds from now; null clears the expiry; undefined leaves it */
  expires_in?: number | null;
  keywords?: KeywordInput[];
}

function parseContext(json: string): FilterContext[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v.filter((x) => typeof x === "string") as FilterContext[]) : [];
  } catch {
    return [];
  }
}

type FilterRow = {
  id: string;
  title: string;
  context: string;
  filter_action: FilterAction;
  expires_at: string | null;
};

function summary(row: FilterRow): FilterSummary {
  return {
    id: row.id,
    title: row.title,
    context: parseContext(row.context),
    expires_at: row.expires_at,
    filter_action: row.filter_action,
  };
}

async function loadFilters(db: Db, accountId: string, ids?: string[]): Promise<Filter[]> {
  let q = db.selectFrom("filters").selectAll().where("account_id", "=", accountId);
  if (ids) q = q.where("id", "in", ids.length ? ids : ["0"]);
  const rows = await q.orderBy("id", "asc").execute();
  if (rows.length === 0) return [];
  const filterIds = rows.map((r) => r.id);
  const [keywords, statuses] = await Promise.all([
    db.selectFrom("filter_keywords").selectAll().where("filter_id", "in", filterIds).orderBy("id").execute(),
    db.selectFrom("filter_statuses").selectAll().where("filter_id", "in", filterIds).orderBy("id").execute(),
  ]);
  return rows.map((r) => ({
    ...summary(r),
    keywords: keywords
      .filter((k) => k.filter_id === r.id)
      .map((k) => ({ id: k.id, keyword: k.keyword, whole_word: !!k.whole_word })),
    statuses: statuses.filter((s) => s.filter_id === r.id).map((s) => ({ id: s.id, status_id: s.status_id })),
  }));
}

export function listFilters(ctx: AppContext, accountId: string): Promise<Filter[]> {
  return loadFilters(ctx.db, accountId);
}

export async function getFilter(
  ctx: AppContext,
  accountId: string,
  id: string,
  db: Db = ctx.db,
): Promise<Filter> {
  const [f] = await loadFilters(db, accountId, [id]);
  if (!f) throw new NotFoundError();
  return f;
}

function changed(ctx: AppContext, accountId: string): () => void {
  return () => ctx.events.publish(channels.user(accountId), { event: "filters_changed", id: accountId });
}

function expiresAt(ctx: AppContext, seconds: number): string {
  return new Date(ctx.now().getTime() + seconds * 1000).toISOString();
}

async function applyKeywords(
  ctx: AppContext,
  trx: Db,
  filterId: string,
  inputs: KeywordInput[],
): Promise<void> {
  for (const k of inputs) {
    if (k.id) {
      const existing = await trx
        .selectFrom("filter_keywords")
        .select("id")
        .where("id", "=", k.id)
        .where("filter_id", "=", filterId)
        .executeTakeFirst();
      if (!existing) throw new NotFoundError();
      if (k.destroy) await trx.deleteFrom("filter_keywords").where("id", "=", k.id).execute();
      else {
        const set: { keyword?: string; whole_word?: number } = {};
        if (k.keyword !== undefined) set.keyword = k.keyword;
        if (k.whole_word !== undefined) set.whole_word = k.whole_word ? 1 : 0;
        if (Object.keys(set).length)
          await trx.updateTable("filter_keywords").set(set).where("id", "=", k.id).execute();
      }
    } else if (!k.destroy) {
      if (!k.keyword) throw new ValidationError("Validation failed: Keyword can't be blank");
      await trx
        .insertInto("filter_keywords")
        .values({
          id: ctx.ids(),
          filter_id: filterId,
          keyword: k.keyword,
          whole_word: k.whole_word === false ? 0 : 1,
        })
        .execute();
    }
  }
  const count = await trx
    .selectFrom("filter_keywords")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("filter_id", "=", filterId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) > MAX_KEYWORDS)
    throw new ValidationError(`A filter has at most ${MAX_KEYWORDS} keywords`);
}

export async function createFilter(ctx: AppContext, accountId: string, input: FilterInput): Promise<Filter> {
  if (!input.title) throw new ValidationError("Validation failed: Title can't be blank");
  if (!input.context?.length) throw new ValidationError("Validation failed: Context can't be blank");
  const { title, context } = input;
  return transaction(ctx, async (trx, after) => {
    const count = await trx
      .selectFrom("filters")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_FILTERS) throw new ValidationError(`At most ${MAX_FILTERS} filters`);
    const id = ctx.ids();
    await trx
      .insertInto("filters")
      .values({
        id,
        account_id: accountId,
        title,
        context: JSON.stringify([...new Set(context)]),
        filter_action: input.filter_action ?? "warn",
        expires_at: input.expires_in ? expiresAt(ctx, input.expires_in) : null,
        created_at: ctx.now().toISOString(),
      })
      .execute();
    await applyKeywords(ctx, trx, id, input.keywords ?? []);
    after(changed(ctx, accountId));
    return getFilter(ctx, accountId, id, trx);
  });
}

export async function updateFilter(
  ctx: AppContext,
  accountId: string,
  id: string,
  input: FilterInput,
): Promise<Filter> {
  return transaction(ctx, async (trx, after) => {
    await getFilter(ctx, accountId, id, trx);
    const set: {
      title?: string;
      context?: string;
      filter_action?: FilterAction;
      expires_at?: string | null;
    } = {};
    if (input.title !== undefined) {
      if (!input.title) throw new ValidationError("Validation failed: Title can't be blank");
      set.title = input.title;
    }
    if (input.context !== undefined) {
      if (!input.context.length) throw new ValidationError("Validation failed: Context can't be blank");
      set.context = JSON.stringify([...new Set(input.context)]);
    }
    if (input.filter_action !== undefined) set.filter_action = input.filter_action;
    if (input.expires_in !== undefined)
      set.expires_at = input.expires_in ? expiresAt(ctx, input.expires_in) : null;
    if (Object.keys(set).length) await trx.updateTable("filters").set(set).where("id", "=", id).execute();
    await applyKeywords(ctx, trx, id, input.keywords ?? []);
    after(changed(ctx, accountId));
    return getFilter(ctx, accountId, id, trx);
  });
}

export async function deleteFilter(ctx: AppContext, accountId: string, id: string): Promise<void> {
  await transaction(ctx, async (trx, after) => {
    await getFilter(ctx, accountId, id, trx);
    await trx.deleteFrom("filter_keywords").where("filter_id", "=", id).execute();
    await trx.deleteFrom("filter_statuses").where("filter_id", "=", id).execute();
    await trx.deleteFrom("filters").where("id", "=", id).execute();
    after(changed(ctx, accountId));
  });
}

/** A keyword with its filter, only when the filter belongs to `accountId`. */
export async function getKeyword(
  ctx: AppContext,
  accountId: string,
  keywordId: string,
): Promise<FilterKeyword & { filter_id: string }> {
  const row = await ctx.db
    .selectFrom("filter_keywords")
    .innerJoin("filters", "filters.id", "filter_keywords.filter_id")
    .select([
      "filter_keywords.id",
      "filter_keywords.keyword",
      "filter_keywords.whole_word",
      "filter_keywords.filter_id",
    ])
    .where("filter_keywords.id", "=", keywordId)
    .where("filters.account_id", "=", accountId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return { id: row.id, keyword: row.keyword, whole_word: !!row.whole_word, filter_id: row.filter_id };
}

export async function addKeyword(
  ctx: AppContext,
  accountId: string,
  filterId: string,
  input: { keyword: string; whole_word?: boolean },
): Promise<FilterKeyword> {
  const filter = await updateFilter(ctx, accountId, filterId, { keywords: [input] });
  const added = filter.keywords.reduce((a, b) => (b.id > a.id ? b : a));
  return added;
}

export async function updateKeyword(
  ctx: AppContext,
  accountId: string,
  keywordId: string,
  input: { keyword?: string; whole_word?: boolean },
): Promise<FilterKeyword> {
  const k = await getKeyword(ctx, accountId, keywordId);
  if (input.keyword !== undefined && !input.keyword)
    throw new ValidationError("Validation failed: Keyword can't be blank");
  await updateFilter(ctx, accountId, k.filter_id, { keywords: [{ id: keywordId, ...input }] });
  const { filter_id: _, ...rest } = await getKeyword(ctx, accountId, keywordId);
  return rest;
}

export async function deleteKeyword(ctx: AppContext, accountId: string, keywordId: string): Promise<void> {
  const k = await getKeyword(ctx, accountId, keywordId);
  await updateFilter(ctx, accountId, k.filter_id, { keywords: [{ id: keywordId, destroy: true }] });
}

export async function getFilterStatus(
  ctx: AppContext,
  accountId: string,
  id: string,
): Promise<FilterStatus & { filter_id: string }> {
  const row = await ctx.db
    .selectFrom("filter_statuses")
    .innerJoin("filters", "filters.id", "filter_statuses.filter_id")
    .select(["filter_statuses.id", "filter_statuses.status_id", "filter_statuses.filter_id"])
    .where("filter_statuses.id", "=", id)
    .where("filters.account_id", "=", accountId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

export async function addFilterStatus(
  ctx: AppContext,
  accountId: string,
  filterId: string,
  statusId: string,
): Promise<FilterStatus> {
  return transaction(ctx, async (trx, after) => {
    const filter = await getFilter(ctx, accountId, filterId, trx);
    // 404 alike for a missing status and one the account may not see: ids are not an oracle
    await getVisibleStatus(ctx, statusId, accountId, trx);
    const existing = filter.statuses.find((s) => s.status_id === statusId);
    if (existing) throw new ValidationError("Validation failed: Status has already been taken");
    if (filter.statuses.length >= MAX_KEYWORDS)
      throw new ValidationError(`A filter has at most ${MAX_KEYWORDS} statuses`);
    const id = ctx.ids();
    await trx
      .insertInto("filter_statuses")
      .values({ id, filter_id: filterId, status_id: statusId })
      .execute();
    after(changed(ctx, accountId));
    return { id, status_id: statusId };
  });
}

export async function deleteFilterStatus(ctx: AppContext, accountId: string, id: string): Promise<void> {
  await getFilterStatus(ctx, accountId, id);
  await transaction(ctx, async (trx, after) => {
    await trx.deleteFrom("filter_statuses").where("id", "=", id).execute();
    after(changed(ctx, accountId));
  });
}

/**
 * The account's filters that have not expired, compiled for `matchFilters`. With `context`, only
 * filters that apply there; without, all (Mastodon returns every match and clients check the
 * context themselves). Two queries whatever the number of filters.
 */
export async function loadActiveFilters(
  ctx: AppContext,
  accountId: string,
  context?: FilterContext,
): Promise<ActiveFilter[]> {
  const nowIso = ctx.now().toISOString();
  const filters = await loadFilters(ctx.db, accountId);
  return filters
    .filter((f) => !f.expires_at || f.expires_at > nowIso)
    .filter((f) => !context || f.context.includes(context))
    .map((f) => ({
      summary: {
        id: f.id,
        title: f.title,
        context: f.context,
        expires_at: f.expires_at,
        filter_action: f.filter_action,
      },
      keywords: f.keywords.map((k) => ({
        keyword: k.keyword,
        pattern: compileKeyword(k.keyword, k.whole_word),
      })),
      statusIds: new Set(f.statuses.map((s) => s.status_id)),
    }));
}
