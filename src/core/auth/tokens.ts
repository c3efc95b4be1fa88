import { createHash, randomBytes } from "node:crypto";
import type { AppContext } from "../../app.ts";
import { prepared } from "../../store/prepared.ts";
import type { Account, User } from "../../store/schema.ts";

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A URL-safe random secret (tokens, codes, client secrets). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export interface AccessGrant {
  tokenId: string;
  appId: string;
  scopes: string[];
  /** absent for client_credentials (app-only) tokens */
  user?: User;
  account?: Account;
}

/**
 * What a token row says, cached per store for a few seconds (`tokenCacheOptions.ttlMs`) so that most
 * requests skip its lookup. Only the token is cached: the user and account are read on every
 * request, so sign-in rules (disabled, unapproved, suspended, deleted) and profile or settings
 * changes apply at once. Every revocation in this process clears the cache; another process
 * (`torgai web` ×N) sees a revocation within the TTL.
 */
interface CachedToken {
  tokenId: string;
  appId: string;
  scopes: string[];
  userId: string | null;
  expiresAt: string | null;
  /** minute (YYYY-MM-DDTHH:MM) of the last recorded use */
  lastUsedMinute: string | null;
  cachedAtMs: number;
  /** the user's account id once seen (it never changes), so user and account are read together */
  accountId?: string;
}

/** TTL ≤ 10 s bounds how long another process may accept a revoked token; `max` bounds memory. */
export const tokenCacheOptions = { ttlMs: 10_000, max: 5_000 };

interface TokenCache {
  entries: Map<string, CachedToken>;
  /** bumped by every revocation: a lookup that started before one must not fill the cache */
  generation: number;
}

const tokenCaches = new WeakMap<object, TokenCache>();

function tokenCache(ctx: AppContext): TokenCache {
  let cache = tokenCaches.get(ctx.store);
  if (!cache) {
    cache = { entries: new Map(), generation: 0 };
    tokenCaches.set(ctx.store, cache);
  }
  return cache;
}

/** Drops every cached token of the context's store (after any revocation). */
export function forgetCachedTokens(ctx: AppContext): void {
  const cache = tokenCache(ctx);
  cache.entries.clear();
  cache.generation++;
}

/** Number of cached tokens (tests check the bound). */
export function cachedTokenCount(ctx: AppContext): number {
  return tokenCaches.get(ctx.store)?.entries.size ?? 0;
}

async function lookupToken(ctx: AppContext, hash: string): Promise<CachedToken | null> {
  const [row] = await prepared(
    ctx.db,
    "token-by-hash",
    (p) =>
      ctx.db
        .selectFrom("oauth_tokens")
        .select(["id", "app_id", "scopes", "user_id", "expires_at", "revoked_at", "last_used_at"])
        .where("token_hash", "=", p.value("hash")),
    { hash },
  );
  if (!row || row.revoked_at) return null;
  return {
    tokenId: row.id,
    appId: row.app_id,
    scopes: row.scopes.split(" ").filter(Boolean),
    userId: row.user_id,
    expiresAt: row.expires_at,
    lastUsedMinute: row.last_used_at ? row.last_used_at.slice(0, 16) : null,
    cachedAtMs: 0,
  };
}

/**
 * Resolves a bearer token to its grant, or null when it is unknown, revoked, expired, or its user
 * may not sign in (disabled, unapproved, suspended). Only a hash of the token is stored.
 * `fresh` skips the token cache: long-lived streams re-check with it, so a revocation made by any
 * process ends them at their next heartbeat.
 */
export async function resolveAccessToken(
  ctx: AppContext,
  token: string,
  opts: { fresh?: boolean } = {},
): Promise<AccessGrant | null> {
  if (!token || token.length > 512) return null;
  const hash = sha256(token);
  const cache = tokenCache(ctx);
  const nowMs = Date.now();
  let entry = cache.entries.get(hash);
  if (entry && (opts.fresh || nowMs - entry.cachedAtMs >= tokenCacheOptions.ttlMs)) {
    cache.entries.delete(hash);
    entry = undefined;
  }
  if (!entry) {
    const generation = cache.generation;
    const found = await lookupToken(ctx, hash);
    if (!found) return null; // unknown and revoked tokens are not cached
    entry = found;
    entry.cachedAtMs = nowMs;
    if (generation === cache.generation) {
      // oldest first out: a Map iterates in insertion order
      if (cache.entries.size >= tokenCacheOptions.max)
        cache.entries.delete(cache.entries.keys().next().value as string);
      cache.entries.set(hash, entry);
    }
  }
  const nowIso = ctx.now().toISOString();
  if (entry.expiresAt && entry.expiresAt <= nowIso) return null;
  const grant: AccessGrant = { tokenId: entry.tokenId, appId: entry.appId, scopes: entry.scopes };
  if (entry.userId) {
    const userId = entry.userId;
    const readUser = () =>
      prepared(
        ctx.db,
        "token-user",
        (p) => ctx.db.selectFrom("users").selectAll().where("id", "=", p.value("id")),
        { id: userId },
      );
    const readAccount = (id: string) =>
      prepared(
        ctx.db,
        "token-account",
        (p) => ctx.db.selectFrom("accounts").selectAll().where("id", "=", p.value("id")),
        { id },
      );
    // both rows are always read fresh; with the account id known they are read concurrently
    const known = entry.accountId;
    const [[user], accountRows] = await Promise.all([
      readUser(),
      known ? readAccount(known) : Promise.resolve(null),
    ]);
    if (!user || user.disabled || !user.approved) return null;
    const [account] =
      accountRows && known === user.account_id ? accountRows : await readAccount(user.account_id);
    if (!account || account.suspended_at) return null;
    entry.accountId = user.account_id;
    grant.user = user;
    grant.account = account;
  }
  // last_used_at at minute granularity keeps this off the write path for most requests
  const minute = nowIso.slice(0, 16);
  if (entry.lastUsedMinute !== minute) {
    entry.lastUsedMinute = minute;
    await ctx.db
      .updateTable("oauth_tokens")
      .set({ last_used_at: nowIso })
      .where("id", "=", entry.tokenId)
      .execute();
  }
  return grant;
}

/** Revokes every live token of a grant family (after a replayed code or refresh token). */
export async function revokeGrantFamily(ctx: AppContext, grantRef: string): Promise<number> {
  const res = await ctx.db
    .updateTable("oauth_tokens")
    .set({ revoked_at: ctx.now().toISOString() })
    .where("grant_ref", "=", grantRef)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  forgetCachedTokens(ctx);
  return Number(res.numUpdatedRows);
}

/** Revokes every token of a user (password change, deletion, suspension). */
export async function revokeUserTokens(ctx: AppContext, userId: string): Promise<number> {
  const res = await ctx.db
    .updateTable("oauth_tokens")
    .set({ revoked_at: ctx.now().toISOString() })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  forgetCachedTokens(ctx);
  return Number(res.numUpdatedRows);
}
