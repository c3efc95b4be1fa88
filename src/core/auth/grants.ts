import type { AppContext } from "../../app.ts";
import type { OauthApp } from "../../store/schema.ts";
import { movePushSubscription, pushSealKey } from "../push/subscriptions.ts";
import { invalidScopes, parseScopes, scopesWithin } from "../scopes.ts";
import { appScopes } from "./apps.ts";
import { OAuthError } from "./errors.ts";
import { type IssuedToken, issueToken } from "./issue.ts";
import { authenticate } from "./login.ts";
import { announceRevocation } from "./revocations.ts";
import { revokeGrantFamily, revokeTokens, sha256 } from "./tokens.ts";

/**
 * Scopes requested at the token endpoint: a subset of the app's registered scopes. Without a
 * `scope` parameter Mastodon grants "read"; an app registered without "read" gets its own scopes.
 */
export function requestedScopes(app: OauthApp, scope: string | undefined, fallback?: string[]): string[] {
  const allowed = appScopes(app);
  if (!scope?.trim()) {
    if (fallback) return fallback;
    return scopesWithin(["read"], allowed) ? ["read"] : allowed;
  }
  const list = parseScopes(scope);
  if (invalidScopes(list).length > 0 || !scopesWithin(list, allowed)) {
    throw new OAuthError(
      "invalid_scope",
      "The requested scope is invalid, unknown, or malformed, or exceeds the scopes registered by the client.",
    );
  }
  return list;
}

function requireAuthenticatedClient(authenticated: boolean): void {
  if (!authenticated)
    throw new OAuthError("invalid_client", "Client authentication failed: client_secret required");
}

/** client_credentials: an app-only token (no user), e.g. for registration via POST /api/v1/accounts. */
export function clientCredentialsGrant(
  ctx: AppContext,
  input: { app: OauthApp; clientAuthenticated: boolean; scope?: string },
): Promise<IssuedToken> {
  requireAuthenticatedClient(input.clientAuthenticated);
  const scopes = requestedScopes(input.app, input.scope);
  return issueToken(ctx, { appId: input.app.id, userId: null, scopes });
}

/**
 * refresh_token with rotation: the old access and refresh tokens are revoked and a new pair issued
 * in the same grant family, in one transaction. Presenting a refresh token that was already rotated
 * away revokes the whole family, since a stolen copy is in circulation (OAuth 2.1 §4.3.1).
 * Every app registered here was issued a client secret, so the client must authenticate
 * (RFC 6749 §6): a leaked refresh token alone is not enough. A refused request (no secret, wider
 * scope, unusable user) is refused before the rotation, so it leaves the grant as it was.
 */
export async function refreshTokenGrant(
  ctx: AppContext,
  input: { app: OauthApp; clientAuthenticated: boolean; refreshToken: string | undefined; scope?: string },
): Promise<IssuedToken> {
  requireAuthenticatedClient(input.clientAuthenticated);
  if (!input.refreshToken) throw new OAuthError("invalid_request", "Missing parameter: refresh_token");
  const row = await ctx.db
    .selectFrom("oauth_tokens")
    .selectAll()
    .where("refresh_token_hash", "=", sha256(input.refreshToken))
    .executeTakeFirst();
  const invalid = new OAuthError("invalid_grant", "The refresh token is invalid, expired or revoked.");
  if (!row || row.app_id !== input.app.id || !row.user_id) throw invalid;
  const userId = row.user_id;
  const replayed = async () => {
    await revokeGrantFamily(ctx, row.grant_ref ?? row.id);
    return invalid;
  };
  if (row.revoked_at) throw await replayed();
  const original = row.scopes.split(" ").filter(Boolean);
  let scopes = original;
  if (input.scope?.trim()) {
    scopes = parseScopes(input.scope);
    if (!scopesWithin(scopes, original)) {
      throw new OAuthError("invalid_scope", "The requested scope exceeds the scope of the original grant.");
    }
  }
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user || user.disabled || !user.approved) throw invalid;
  // read before the transaction (SQLite has one connection): the new token seals inside it
  const sealKey = await pushSealKey(ctx);
  const issued = await ctx.db.transaction().execute(async (trx) => {
    const rotated = await trx
      .updateTable("oauth_tokens")
      .set({ revoked_at: ctx.now().toISOString() })
      .where("id", "=", row.id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    // another request rotated it in the meantime: one of the two holders is not the client
    if (Number(rotated.numUpdatedRows) !== 1) return null;
    const next = await issueToken(
      ctx,
      { appId: input.app.id, userId, scopes, grantRef: row.grant_ref ?? row.id },
      trx,
    );
    // the app keeps its Web Push subscription: it moves with the rotation, in the same commit
    await movePushSubscription(
      ctx,
      trx,
      row.id,
      { tokenId: next.id, accessToken: next.accessToken },
      sealKey,
    );
    return next;
  });
  if (!issued) throw await replayed();
  announceRevocation(ctx, { tokenIds: [row.id] });
  return issued;
}

/**
 * Resource-owner password grant, for test clients only (TORGAI_TEST_MODE=1). `username` carries the
 * email or the username, as in Mastodon; `otp` is required when the user has 2FA on.
 */
export async function passwordGrant(
  ctx: AppContext,
  input: {
    app: OauthApp;
    clientAuthenticated: boolean;
    username?: string;
    password?: string;
    otp?: string;
    scope?: string;
    ip: string;
  },
): Promise<IssuedToken> {
  if (!ctx.config.testMode) {
    throw new OAuthError("unsupported_grant_type", "The password grant is disabled on this server.");
  }
  requireAuthenticatedClient(input.clientAuthenticated);
  if (!input.username || !input.password) {
    throw new OAuthError("invalid_request", "Missing parameter: username and password are required");
  }
  const scopes = requestedScopes(input.app, input.scope);
  const result = await authenticate(ctx, {
    login: input.username,
    password: input.password,
    otp: input.otp,
    ip: input.ip,
  });
  if (result.status === "otp_required") {
    throw new OAuthError("invalid_grant", "Two-factor authentication code required (otp_attempt).");
  }
  if (result.status === "failed") {
    const msg =
      result.reason === "pending_approval"
        ? "Your login is currently pending approval."
        : result.reason === "disabled"
          ? "Your login is currently disabled."
          : result.reason === "invalid_otp"
            ? "Invalid two-factor authentication code."
            : "Invalid email or password.";
    throw new OAuthError("invalid_grant", msg);
  }
  return issueToken(ctx, { appId: input.app.id, userId: result.user.id, scopes });
}

/**
 * RFC 7009 revocation of an access or refresh token (revoking either ends the pair). Unknown tokens
 * succeed silently; a token of another client is refused.
 */
export async function revokeToken(ctx: AppContext, input: { app: OauthApp; token: string }): Promise<void> {
  if (!input.token || input.token.length > 512) return;
  const hash = sha256(input.token);
  const row = await ctx.db
    .selectFrom("oauth_tokens")
    .select(["id", "app_id"])
    .where((eb) => eb.or([eb("token_hash", "=", hash), eb("refresh_token_hash", "=", hash)]))
    .executeTakeFirst();
  if (!row) return;
  if (row.app_id !== input.app.id) {
    throw new OAuthError("unauthorized_client", "You are not authorized to revoke this token", 403);
  }
  await revokeTokens(ctx, [row.id]);
}
