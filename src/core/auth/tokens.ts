import { createHash, randomBytes } from "node:crypto";
import { type AppContext, owned, resourceKey } from "../../app.ts";
import { prepared } from "../../store/prepared.ts";
import type { Account, User } from "../../store/schema.ts";
import { forgetPushSubscriptions } from "../push/subscriptions.ts";
import { announceRevocation, onRevocation, type Revocation } from "./revocations.ts";

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
 * changes apply at once. Every revocation is announced (./revocations.ts) and drops the token from
 * the cache of this process at once, and of every other process (`torgai web` ×N) as soon as Redis
 * delivers the announcement; the TTL bounds the rest (no Redis, a lost message).
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

/** TTL ≤ 10 s bounds how long a process that missed a revocation may accept the token; `max` bounds memory. */
export const tokenCacheOptions = { ttlMs: 10_000, max: 5_000 };

interface TokenCache {
  entries: Map<string, CachedToken>;
  /** bumped by every revocation: a lookup that started before one must not fill the cache */
  generation: number;
}

const TOKEN_CACHE = resourceKey(
  "access token cache",
  (ctx) => {
    const cache: TokenCache & { stop: () => void } = {
      entries: new Map(),
      generation: 0,
      stop: () => {},
    };
    cache.stop = onRevocation(ctx, (revoked) => forget(cache, revoked));
    return cache;
  },
  (cache) => cache.stop(),
);

function tokenCache(ctx: AppContext): TokenCache {
  return owned(ctx, TOKEN_CACHE);
}

function forget(cache: TokenCache, revoked: Revocation): void {
  // a lookup under way may have read the row before the revocation: it must not fill the cache
  cache.generation++;
  if (revoked.tokenIds.length === 0 && revoked.userIds.length === 0) return;
  const tokens = new Set(revoked.tokenIds);
  const users = new Set(revoked.userIds);
  for (const [hash, entry] of cache.entries) {
    if (tokens.has(entry.tokenId) || (entry.userId && users.has(entry.userId))) cache.entries.delete(hash);
  }
}

/**
 * Revokes tokens by id (revocation endpoint, refresh rotation) and announces it to every process,
 * whose caches drop them and whose streams holding them end.
 */
export async function revokeTokens(ctx: AppContext, tokenIds: readonly string[]): Promise<number> {
  if (tokenIds.length === 0) return 0;
  const res = await ctx.db
    .updateTable("oauth_tokens")
    .set({ revoked_at: ctx.now().toISOString() })
    .where("id", "in", tokenIds)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  await forgetPushSubscriptions(ctx, { tokenIds });
  announceRevocation(ctx, { tokenIds });
  return Number(res.numUpdatedRows);
}

/** Number of cached tokens (tests check the bound). */
export function cachedTokenCount(ctx: AppContext): number {
  return tokenCache(ctx).entries.size;
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
  // read after the update, so a token issued into the family meanwhile is announced too
  const family = await ctx.db
    .selectFrom("oauth_tokens")
    .select("id")
    .where("grant_ref", "=", grantRef)
    .execute();
  await forgetPushSubscriptions(ctx, { tokenIds: family.map((t) => t.id) });
  announceRevocation(ctx, { tokenIds: family.map((t) => t.id) });
  return Number(res.numUpdatedRows);
}

/** Revokes every token of a user (password change, deletion, suspension) and ends their streams. */
export async function revokeUserTokens(ctx: AppContext, userId: string): Promise<number> {
  const res = await ctx.db
    .updateTable("oauth_tokens")
    .set({ revoked_at: ctx.now().toISOString() })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  await forgetPushSubscriptions(ctx, { userIds: [userId] });
  announceRevocation(ctx, { userIds: [userId] });
  return Number(res.numUpdatedRows);
}
