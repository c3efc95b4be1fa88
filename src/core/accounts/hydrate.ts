/**
 * The read model for accounts: what a renderer needs to show accounts, loaded in a fixed number of
 * queries. Renderers (the Mastodon serialisers, web pages, ActivityStreams) never query themselves.
 */
import type { AppContext } from "../../app.ts";
import {
  ACCOUNT_VIEW_COLUMNS,
  type AccountView,
  accountViewsById,
  pendingFollowRequestCount,
} from "../../store/queries/accounts.ts";
import type { Account, User } from "../../store/schema.ts";
import { movedAccountOf } from "./move.ts";

export { ACCOUNT_VIEW_COLUMNS, type AccountView };

/** Accounts by id in one query; order is not kept (callers map by id), missing ids are absent. */
export async function loadAccountsById(
  ctx: AppContext,
  ids: Iterable<string>,
): Promise<Map<string, AccountView>> {
  const rows = await accountViewsById(ctx.db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The signed-in user's own account with what only its owner sees. */
export interface CredentialAccountBundle {
  account: Account;
  user: User;
  /** follow requests waiting for this account's answer */
  followRequestsCount: number;
  /** the account this one moved to, if it moved */
  moved: Account | null;
}

export async function hydrateCredentialAccount(
  ctx: AppContext,
  account: Account,
  user: User,
): Promise<CredentialAccountBundle> {
  return {
    account,
    user,
    followRequestsCount: await pendingFollowRequestCount(ctx.db, account.id),
    moved: await movedAccountOf(ctx, account),
  };
}
