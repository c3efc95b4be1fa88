import { createHash, randomBytes } from "node:crypto";
import type { AppContext } from "../../app.ts";
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
 * Resolves a bearer token to its grant, or null when it is unknown, revoked, expired, or its user
 * may not sign in (disabled, unapproved, suspended). Only a hash of the token is stored.
 */
export async function resolveAccessToken(ctx: AppContext, token: string): Promise<AccessGrant | null> {
  if (!token || token.length > 512) return null;
  const row = await ctx.db
    .selectFrom("oauth_tokens")
    .selectAll()
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  if (!row || row.revoked_at) return null;
  const nowIso = ctx.now().toISOString();
  if (row.expires_at && row.expires_at <= nowIso) return null;
  const grant: AccessGrant = {
    tokenId: row.id,
    appId: row.app_id,
    scopes: row.scopes.split(" ").filter(Boolean),
  };
  if (row.user_id) {
    const user = await ctx.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", row.user_id)
      .executeTakeFirst();
    if (!user || user.disabled || !user.approved) return null;
    const account = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", user.account_id)
      .executeTakeFirst();
    if (!account || account.suspended_at) return null;
    grant.user = user;
    grant.account = account;
  }
  // last_used_at at minute granularity keeps this off the write path for most requests
  if (!row.last_used_at || row.last_used_at.slice(0, 16) !== nowIso.slice(0, 16)) {
    await ctx.db.updateTable("oauth_tokens").set({ last_used_at: nowIso }).where("id", "=", row.id).execute();
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
  return Number(res.numUpdatedRows);
}
