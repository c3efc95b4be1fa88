import { createHash } from "node:crypto";
import type { AppContext } from "../../app.ts";
import type { OauthApp } from "../../store/schema.ts";
import { OAuthError } from "./errors.ts";
import { type IssuedToken, issueToken } from "./issue.ts";
import { safeEqual } from "./secrets.ts";
import { randomSecret, revokeGrantFamily, sha256 } from "./tokens.ts";

export const CODE_TTL_MS = 10 * 60_000;
const CHALLENGE_RE = /^[A-Za-z0-9_-]{43}$/; // base64url(SHA-256), no padding
const VERIFIER_RE = /^[A-Za-z0-9._~-]{43,128}$/; // RFC 7636 §4.1

/** Validates PKCE parameters of an authorisation request: optional, but S256 only when present. */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined): void {
  if (!challenge) {
    if (method) throw new OAuthError("invalid_request", "code_challenge_method without code_challenge");
    return;
  }
  if ((method ?? "plain") !== "S256") {
    throw new OAuthError("invalid_request", "code_challenge_method must be S256");
  }
  if (!CHALLENGE_RE.test(challenge)) throw new OAuthError("invalid_request", "code_challenge is malformed");
}

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export async function createAuthorizationCode(
  ctx: AppContext,
  input: {
    app: OauthApp;
    userId: string;
    redirectUri: string;
    scopes: string[];
    codeChallenge?: string | null;
  },
): Promise<string> {
  const code = randomSecret(32);
  const now = ctx.now();
  await ctx.db
    .insertInto("oauth_codes")
    .values({
      code_hash: sha256(code),
      app_id: input.app.id,
      user_id: input.userId,
      redirect_uri: input.redirectUri,
      scopes: input.scopes.join(" "),
      code_challenge: input.codeChallenge ?? null,
      code_challenge_method: input.codeChallenge ? "S256" : null,
      expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString(),
      used_at: null,
      created_at: now.toISOString(),
    })
    .execute();
  return code;
}

/**
 * authorization_code grant. The code is consumed before anything else is checked, so a failed
 * attempt cannot be retried; a second use of a consumed code revokes every token issued from it
 * (RFC 6749 §4.1.2), since one of the two callers is not the client.
 */
export async function exchangeAuthorizationCode(
  ctx: AppContext,
  input: {
    app: OauthApp;
    clientAuthenticated: boolean;
    code: string | undefined;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
  },
): Promise<IssuedToken> {
  if (!input.code) throw new OAuthError("invalid_request", "Missing parameter: code");
  const codeHash = sha256(input.code);
  const row = await ctx.db
    .selectFrom("oauth_codes")
    .selectAll()
    .where("code_hash", "=", codeHash)
    .executeTakeFirst();
  const invalid = () =>
    new OAuthError(
      "invalid_grant",
      "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    );
  if (!row || row.app_id !== input.app.id) throw invalid();
  const nowIso = ctx.now().toISOString();
  const consumed = await ctx.db
    .updateTable("oauth_codes")
    .set({ used_at: nowIso })
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(consumed.numUpdatedRows) !== 1) {
    await revokeGrantFamily(ctx, codeHash);
    throw invalid();
  }
  if (row.expires_at <= nowIso) throw invalid();
  if (!input.redirectUri || input.redirectUri !== row.redirect_uri) throw invalid();
  if (row.code_challenge) {
    if (!input.codeVerifier || !VERIFIER_RE.test(input.codeVerifier)) {
      throw new OAuthError("invalid_grant", "code_verifier is missing or malformed");
    }
    if (!safeEqual(s256(input.codeVerifier), row.code_challenge)) {
      throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
    }
  } else if (input.codeVerifier !== undefined) {
    // RFC 9700 §2.1.1: a verifier for a request made without a challenge is a PKCE downgrade (an
    // attacker who injected a stolen code); refuse it rather than ignore it
    throw new OAuthError(
      "invalid_grant",
      "code_verifier given, but the authorization request had no code_challenge",
    );
  } else if (!input.clientAuthenticated) {
    // a public client must prove possession with PKCE; otherwise the client secret is required
    throw new OAuthError("invalid_client", "Client authentication failed: client_secret or PKCE required");
  }
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", row.user_id).executeTakeFirst();
  if (!user || user.disabled || !user.approved) throw invalid();
  return issueToken(ctx, {
    appId: input.app.id,
    userId: row.user_id,
    scopes: row.scopes.split(" ").filter(Boolean),
    grantRef: codeHash,
  });
}

/** Removes codes that can no longer be exchanged (called opportunistically; cheap). */
export async function pruneAuthorizationCodes(ctx: AppContext): Promise<void> {
  const cutoff = new Date(ctx.now().getTime() - 24 * 3600_000).toISOString();
  await ctx.db.deleteFrom("oauth_codes").where("expires_at", "<", cutoff).execute();
}
