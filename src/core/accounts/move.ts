/**
 * Account migration (ActivityPub Move), both ways, with Mastodon's rules:
 * - a local account lists its other accounts as aliases (`alsoKnownAs`), so that one of them may
 *   move here; the aliases are part of its actor document;
 * - a local account moves to an account that lists it as an alias: it is marked moved, its remote
 *   followers' servers hear a Move, and its local followers follow the target;
 * - a remote account's Move to an account that lists it as an alias (the federation adapter has
 *   fetched the target afresh) marks it moved here and makes its local followers follow the target.
 * Followers are migrated by a job (`account.migrate_followers`): they may be many.
 */
import { type AppContext, transaction } from "../../app.ts";
import type { Account } from "../../store/schema.ts";
import { NotFoundError, TorgaiError, ValidationError } from "../errors.ts";
import { federate } from "../fediverse/outbound.ts";
import { blockAccount } from "../follows/blocks.ts";
import { followAccount, unfollowAccount } from "../follows/follow.ts";
import { muteAccount } from "../follows/mutes.ts";
import { findAccountByAcct, parseAcct } from "./lookup.ts";
import { loadShownAccount } from "./visible.ts";

/** Mastodon keeps at most this many aliases per account. */
export const MAX_ALIASES = 10;

export function aliasesOf(account: Pick<Account, "also_known_as">): string[] {
  try {
    const v = JSON.parse(account.also_known_as ?? "[]") as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

async function localAccount(ctx: AppContext, accountId: string): Promise<Account> {
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", accountId)
    .where("domain", "=", "")
    .where("suspended_at", "is", null)
    .executeTakeFirst();
  if (!account) throw new NotFoundError("No such local account");
  return account;
}

/**
 * Adds or removes an alias (another account's uri) of a local account; its followers' servers hear
 * the new actor document. Returns the aliases now listed.
 */
export async function changeAlias(
  ctx: AppContext,
  accountId: string,
  alias: Account,
  change: "add" | "remove",
): Promise<string[]> {
  const account = await localAccount(ctx, accountId);
  if (alias.id === account.id)
    throw new ValidationError("Validation failed: An account cannot be its own alias");
  return transaction(ctx, async (trx) => {
    const current = aliasesOf(account);
    const next =
      change === "add" ? [...new Set([...current, alias.uri])] : current.filter((u) => u !== alias.uri);
    if (next.length > MAX_ALIASES)
      throw new ValidationError(`Validation failed: At most ${MAX_ALIASES} aliases are allowed`);
    await trx
      .updateTable("accounts")
      .set({ also_known_as: JSON.stringify(next), updated_at: ctx.now().toISOString() })
      .where("id", "=", account.id)
      .execute();
    await federate(ctx, trx, { type: "profile.update", accountId: account.id });
    return next;
  });
}

/**
 * Moves a local account to `target` (stored and fetched afresh by the caller), which must list the
 * local account among its aliases. Moving again to the same account changes nothing.
 */
export async function moveLocalAccount(ctx: AppContext, accountId: string, target: Account): Promise<void> {
  const account = await localAccount(ctx, accountId);
  if (target.id === account.id)
    throw new ValidationError("Validation failed: An account cannot move to itself");
  if (target.suspended_at) throw new ValidationError("Validation failed: The target account is suspended");
  if (target.moved_to_account_id)
    throw new ValidationError("Validation failed: The target account has moved itself");
  if (!aliasesOf(target).includes(account.uri))
    throw new ValidationError("Validation failed: The target account must list this account as an alias");
  if (account.moved_to_account_id === target.id) return;
  await transaction(ctx, async (trx) => {
    await trx
      .updateTable("accounts")
      .set({ moved_to_account_id: target.id, updated_at: ctx.now().toISOString() })
      .where("id", "=", account.id)
      .execute();
    await federate(ctx, trx, { type: "account.move", accountId: account.id, targetUri: target.uri });
    await ctx.queue.enqueue(trx, "account.migrate_followers", { originId: account.id, targetId: target.id });
  });
}

/**
 * A remote account moved to `target` (fetched afresh by the federation adapter): accepted only
 * when the target lists it as an alias. Returns whether the Move was applied.
 */
export async function receiveMove(ctx: AppContext, origin: Account, target: Account): Promise<boolean> {
  if (origin.domain === "" || origin.id === target.id || target.suspended_at) return false;
  if (!aliasesOf(target).includes(origin.uri)) return false;
  if (origin.moved_to_account_id === target.id) return false;
  await transaction(ctx, async (trx) => {
    await trx
      .updateTable("accounts")
      .set({ moved_to_account_id: target.id })
      .where("id", "=", origin.id)
      .execute();
    await ctx.queue.enqueue(trx, "account.migrate_followers", { originId: origin.id, targetId: target.id });
  });
  return true;
}

/** Local followers migrated per run of the job (Mastodon's MoveWorker does them all; so do we). */
const BATCH = 200;

/**
 * The `account.migrate_followers` job: every local follower of `originId` follows `targetId` (a
 * request where it is locked or remote, as any follow) and stops following the origin. A follower
 * the target blocks keeps its follow of the origin. Local accounts that blocked or muted the
 * origin block or mute the target too (as Mastodon carries them over). Safe to run again.
 */
export async function migrateFollowers(ctx: AppContext, originId: string, targetId: string): Promise<number> {
  const origin = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", originId)
    .executeTakeFirst();
  if (origin?.moved_to_account_id !== targetId) return 0;
  await carryOver(ctx, originId, targetId);
  let migrated = 0;
  let cursor = "0";
  for (;;) {
    const rows = await ctx.db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select(["f.id", "f.account_id"])
      .where("f.target_account_id", "=", originId)
      .where("a.domain", "=", "")
      .where("a.suspended_at", "is", null)
      .where("f.id", ">", cursor)
      .orderBy("f.id")
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return migrated;
    for (const r of rows) {
      cursor = r.id;
      if (r.account_id === targetId) continue;
      try {
        await followAccount(ctx, r.account_id, targetId);
      } catch (err) {
        // blocked either way: this follower stays where it was
        if (err instanceof TorgaiError) continue;
        throw err;
      }
      await unfollowAccount(ctx, r.account_id, originId);
      migrated++;
    }
  }
}

/**
 * The account a handle (or an actor's id) names for an alias or a move: ours from the store,
 * another server's looked up afresh by WebFinger (its aliases must be read as they are now).
 * NotFoundError when unknown.
 */
export async function resolveAccountForMove(ctx: AppContext, handle: string): Promise<Account> {
  if (/^https?:\/\//i.test(handle)) {
    // an actor's id, as another server's settings page shows it
    const known = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("uri", "=", handle)
      .executeTakeFirst();
    if (known?.domain === "") return known;
    const found = await ctx.federation.resolveUrl(handle);
    if (found?.kind !== "account") throw new NotFoundError(`No account ${handle} was found`);
    return found.account;
  }
  const parsed = parseAcct(ctx, handle);
  if (!parsed) throw new ValidationError(`Validation failed: ${handle} is not a handle (user@domain)`);
  const account =
    parsed.domain === ""
      ? await findAccountByAcct(ctx, parsed.username)
      : await ctx.federation.resolveAccount(`${parsed.username}@${parsed.domain}`, { fresh: true });
  if (!account) throw new NotFoundError(`No account ${handle} was found`);
  return account;
}

/** The account `account` moved to, when it moved (and that account may be shown). */
export async function movedAccountOf(
  ctx: AppContext,
  account: Pick<Account, "moved_to_account_id">,
): Promise<Account | null> {
  if (!account.moved_to_account_id) return null;
  return loadShownAccount(ctx.db, account.moved_to_account_id).catch((err) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
}

/** Blocks and (unexpired) mutes of the origin by local accounts, extended to the target. */
async function carryOver(ctx: AppContext, originId: string, targetId: string): Promise<void> {
  const blockers = await ctx.db
    .selectFrom("blocks as r")
    .innerJoin("accounts as a", "a.id", "r.account_id")
    .select("r.account_id")
    .where("r.target_account_id", "=", originId)
    .where("a.domain", "=", "")
    .execute();
  for (const r of blockers) if (r.account_id !== targetId) await blockAccount(ctx, r.account_id, targetId);
  const muters = await ctx.db
    .selectFrom("mutes as r")
    .innerJoin("accounts as a", "a.id", "r.account_id")
    .select("r.account_id")
    .where("r.target_account_id", "=", originId)
    .where("a.domain", "=", "")
    .where((eb) => eb.or([eb("r.expires_at", "is", null), eb("r.expires_at", ">", ctx.now().toISOString())]))
    .execute();
  for (const r of muters) if (r.account_id !== targetId) await muteAccount(ctx, r.account_id, targetId);
}
