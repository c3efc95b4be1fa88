/**
 * The one rule for which accounts others may see. Every surface that shows or addresses an account
 * — by id or acct, search, the directory, followers/following, relationships, familiar followers,
 * favourited/reblogged by, mentions in new posts, list membership — applies it, so an account is
 * either there everywhere or nowhere (Mastodon answers 404 the same way).
 *
 * Hidden: suspended (and deleted, which suspends) accounts, and local accounts whose user is still
 * awaiting approval or that have no user at all. Mastodon also hides unconfirmed e-mail addresses;
 * Torgai assumes no mail server and does not gate accounts on confirmation, so it does not. A
 * disabled login stays visible, as on Mastodon: freezing a login does not unpublish a profile.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../../store/db.ts";
import type { Account } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";

/** SQL condition on the accounts row aliased `table`: true when others may see it. */
export function accountShownSql(table = "accounts"): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  return sql<SqlBool>`(${col("suspended_at")} is null and (${col("domain")} <> '' or exists (select 1 from users vu where vu.account_id = ${col("id")} and vu.approved = 1)))`;
}

/** The account with this id if others may see it; 404 otherwise. */
export async function loadShownAccount(db: Db, id: string): Promise<Account> {
  const account = await db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", id)
    .where(accountShownSql())
    .executeTakeFirst();
  if (!account) throw new NotFoundError();
  return account;
}
