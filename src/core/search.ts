/**
 * /api/v2/search: accounts by username or display-name prefix (and `@user@domain`), hashtags by
 * prefix, and statuses or accounts by their URL/URI. Full-text status search comes with the Kazakh
 * language kit's index (FTS5 / tsvector); until then a word query finds no statuses.
 */
import { sql } from "kysely";
import type { AppContext } from "../app.ts";
import type { Account, Status } from "../store/schema.ts";
import { findAccountByAcct, parseAcct, searchAccounts } from "./accounts/lookup.ts";
import { accountShownSql } from "./accounts/visible.ts";
import type { TagRow } from "./tags.ts";
import { normalizeHashtag } from "./text/extract.ts";
import { canView } from "./visibility.ts";

export type SearchType = "accounts" | "hashtags" | "statuses";

export interface SearchInput {
  q: string;
  type?: SearchType;
  following?: boolean;
  accountId?: string;
  limit: number;
  offset: number;
  /** look remote handles and URLs up on their servers (signed-in viewers only) */
  resolve?: boolean;
}

export interface SearchResult {
  accounts: Account[];
  statuses: Status[];
  hashtags: TagRow[];
}

function likePrefix(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function asUrl(q: string): URL | null {
  if (!/^https?:\/\//i.test(q)) return null;
  try {
    return new URL(q);
  } catch {
    return null;
  }
}

/**
 * Public hashtags whose name starts with `q` (no `#`): exact match first, then by public and
 * unlisted use — a tag known only from private posts is not listed, and private uses do not rank.
 */
export async function searchHashtags(
  ctx: AppContext,
  q: string,
  limit: number,
  offset = 0,
): Promise<TagRow[]> {
  const key = normalizeHashtag(q.replace(/^#/, "").trim());
  if (!key || /[\s#]/.test(key)) return [];
  const pattern = likePrefix(key);
  return ctx.db
    .selectFrom("tags as t")
    .select(["t.id", "t.name", "t.display_name", "t.public_at"])
    .where(sql`t.name`, "like", sql`${pattern} escape '\\'`)
    .where("t.public_at", "is not", null)
    .orderBy(sql`case when t.name = ${key} then 0 else 1 end`)
    .orderBy(
      (eb) =>
        eb
          .selectFrom("status_tags as st")
          .innerJoin("statuses as s", "s.id", "st.status_id")
          .select(eb.fn.countAll().as("n"))
          .whereRef("st.tag_id", "=", "t.id")
          .where("s.visibility", "in", ["public", "unlisted"]),
      "desc",
    )
    .orderBy("t.name")
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * A row whose ActivityPub id is `url`, else one whose URL is: two lookups, each on its own index
 * (`uri = ? or url = ?` in one condition can be answered by neither and reads the whole table).
 */
async function byUriOrUrl<T>(
  find: (column: "uri" | "url") => Promise<T | undefined>,
): Promise<T | undefined> {
  return (await find("uri")) ?? (await find("url"));
}

/** A status or account of ours (or already known) addressed by its URL or ActivityPub id. */
async function byUrl(
  ctx: AppContext,
  url: string,
  viewerId: string | null,
): Promise<{ status?: Status; account?: Account }> {
  const status = await byUriOrUrl((column) =>
    ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where(column, "=", url)
      .where("reblog_of_id", "is", null)
      .executeTakeFirst(),
  );
  if (status) {
    const author = await ctx.db
      .selectFrom("accounts")
      .select("suspended_at")
      .where("id", "=", status.account_id)
      .executeTakeFirst();
    if (author && !author.suspended_at && (await canView(ctx, ctx.db, status, viewerId))) return { status };
    return {};
  }
  const account = await byUriOrUrl((column) =>
    ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where(column, "=", url)
      .where(accountShownSql())
      .executeTakeFirst(),
  );
  return account ? { account } : {};
}

export async function search(
  ctx: AppContext,
  viewerId: string | null,
  input: SearchInput,
): Promise<SearchResult> {
  const q = input.q.trim();
  const out: SearchResult = { accounts: [], statuses: [], hashtags: [] };
  if (!q) return out;
  const want = (t: SearchType) => !input.type || input.type === t;

  const url = asUrl(q);
  if (url) {
    if (input.offset > 0) return out;
    // the normalised URL first, then the text as typed when that differs (e.g. an IDN host)
    const normalised = url.toString();
    const found = await byUrl(ctx, normalised, viewerId);
    let raw = found.status || found.account || q === normalised ? found : await byUrl(ctx, q, viewerId);
    if (!raw.status && !raw.account && input.resolve && viewerId && !ctx.uris.parse(normalised)) {
      const resolved = await ctx.federation.resolveUrl(normalised);
      if (resolved?.kind === "account") raw = { account: resolved.account };
      else if (resolved?.kind === "status" && (await canView(ctx, ctx.db, resolved.status, viewerId)))
        raw = { status: resolved.status };
    }
    if (raw.status && want("statuses") && (!input.accountId || raw.status.account_id === input.accountId))
      out.statuses.push(raw.status);
    if (raw.account && want("accounts")) out.accounts.push(raw.account);
    return out;
  }

  if (want("accounts") && !q.startsWith("#")) {
    // `user@domain` of another server: WebFinger, then the actor is stored and listed first
    const handle = /^@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+(?::\d+)?$/.test(q) ? parseAcct(ctx, q) : null;
    if (input.resolve && viewerId && handle?.domain && input.offset === 0) {
      const known = await findAccountByAcct(ctx, q);
      const account = known ?? (await ctx.federation.resolveAccount(`${handle.username}@${handle.domain}`));
      if (account) out.accounts.push(account);
    }
    const found = await searchAccounts(ctx, {
      q,
      limit: input.limit,
      offset: input.offset,
      followingOf: input.following && viewerId ? viewerId : undefined,
    });
    out.accounts.push(...found.filter((a) => !out.accounts.some((b) => b.id === a.id)));
  }
  if (want("hashtags") && !q.startsWith("@")) {
    out.hashtags = await searchHashtags(ctx, q, input.limit, input.offset);
  }
  return out;
}
