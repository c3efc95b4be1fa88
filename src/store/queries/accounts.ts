/** The read model's account queries (core/accounts/hydrate.ts runs them). */
import type { Db } from "../db.ts";
import { prepared } from "../prepared.ts";
import type { Account } from "../schema.ts";

/**
 * The account columns a renderer needs: loaders select these rather than `*`, so that a page of
 * statuses copies no more of each author into JavaScript than it shows.
 */
export const ACCOUNT_VIEW_COLUMNS = [
  "id",
  "username",
  "domain",
  "display_name",
  "note",
  "fields",
  "locked",
  "bot",
  "discoverable",
  "indexable",
  "avatar_url",
  "header_url",
  "uri",
  "url",
  "followers_count",
  "following_count",
  "statuses_count",
  "last_status_at",
  "suspended_at",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof Account)[];

export type AccountView = Pick<Account, (typeof ACCOUNT_VIEW_COLUMNS)[number]>;

export function accountViewsById(db: Db, ids: string[]): Promise<AccountView[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const n = ids.length;
  return prepared(
    db,
    `account-views:${n}`,
    (p) => db.selectFrom("accounts").select(ACCOUNT_VIEW_COLUMNS).where("id", "in", p.list("ids", n)),
    { ids },
  );
}

/** Follow requests waiting for the account's answer. */
export async function pendingFollowRequestCount(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("follow_requests")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("target_account_id", "=", accountId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
