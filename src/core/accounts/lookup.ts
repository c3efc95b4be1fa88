import { sql } from "kysely";
import type { AppContext } from "../../app.ts";
import type { Account } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { accountShownSql, loadShownAccount } from "./visible.ts";

/** An account that may be shown to others (see visible.ts); 404 otherwise. */
export function getAccount(ctx: AppContext, id: string): Promise<Account> {
  return loadShownAccount(ctx.db, id);
}

/** Splits `user`, `@user`, `user@domain`, `@user@domain`; our own domain means local. */
export function parseAcct(ctx: AppContext, acct: string): { username: string; domain: string } | null {
  const m = /^@?([A-Za-z0-9_.-]{1,64})(?:@([A-Za-z0-9.-]+(?::\d+)?))?$/.exec(acct.trim());
  if (!m) return null;
  const domain = (m[2] ?? "").toLowerCase();
  return { username: m[1], domain: domain === ctx.config.domain ? "" : domain };
}

export async function findAccountByAcct(ctx: AppContext, acct: string): Promise<Account | null> {
  const parsed = parseAcct(ctx, acct);
  if (!parsed) return null;
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", parsed.username.toLowerCase()))
    .where("domain", "=", parsed.domain)
    .where(accountShownSql())
    .executeTakeFirst();
  return account ?? null;
}

/** GET /api/v1/accounts/lookup: local or already known remote accounts (no remote resolution yet). */
export async function lookupAccount(ctx: AppContext, acct: string): Promise<Account> {
  const account = await findAccountByAcct(ctx, acct);
  if (!account) throw new NotFoundError();
  return account;
}

function likePrefix(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Account search by prefix of username or display name; an exact acct match comes first, then
 * local accounts, then by follower count. `followingOf` restricts results to accounts it follows.
 */
export async function searchAccounts(
  ctx: AppContext,
  input: { q: string; limit: number; offset?: number; followingOf?: string },
): Promise<Account[]> {
  const q = input.q.trim().replace(/^@/, "");
  if (!q) return [];
  const [namePart, domainPart] = q.split("@", 2);
  const exact = await findAccountByAcct(ctx, q);
  const pattern = likePrefix(namePart.toLowerCase());
  const upperFirst = likePrefix(namePart.charAt(0).toLocaleUpperCase("kk") + namePart.slice(1));
  let query = ctx.db
    .selectFrom("accounts")
    .selectAll("accounts")
    .where(accountShownSql("accounts"))
    .where((eb) =>
      eb.or([
        eb(sql`lower(accounts.username)`, "like", sql`${pattern} escape '\\'`),
        eb(sql`lower(accounts.display_name)`, "like", sql`${pattern} escape '\\'`),
        // SQLite's lower() folds ASCII only; this catches a capitalised Cyrillic display name
        eb(sql`accounts.display_name`, "like", sql`${upperFirst} escape '\\'`),
      ]),
    );
  if (domainPart)
    query = query.where(
      "accounts.domain",
      "like",
      sql<string>`${likePrefix(domainPart.toLowerCase())} escape '\\'`,
    );
  if (input.followingOf) {
    query = query
      .innerJoin("follows", "follows.target_account_id", "accounts.id")
      .where("follows.account_id", "=", input.followingOf);
  }
  const rows = await query
    .orderBy(sql`case when accounts.domain = '' then 0 else 1 end`)
    .orderBy("accounts.followers_count", "desc")
    .orderBy("accounts.id")
    .limit(input.limit + 1)
    .offset(input.offset ?? 0)
    .execute();
  const out: Account[] = [];
  if (exact && !input.offset && (!input.followingOf || rows.some((r) => r.id === exact.id))) out.push(exact);
  for (const r of rows) if (!out.some((a) => a.id === r.id)) out.push(r);
  return out.slice(0, input.limit);
}
