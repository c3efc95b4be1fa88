import type { AppContext } from "../../app.ts";
import { identifyClient } from "../../core/auth/apps.ts";
import { exchangeAuthorizationCode } from "../../core/auth/codes.ts";
import { OAuthError } from "../../core/auth/errors.ts";
import {
  clientCredentialsGrant,
  passwordGrant,
  refreshTokenGrant,
  revokeToken,
} from "../../core/auth/grants.ts";
import type { IssuedToken } from "../../core/auth/issue.ts";
import { RateLimitError, TorgaiError } from "../../core/errors.ts";
import { ALL_SCOPES } from "../../core/scopes.ts";
import type { Ctx } from "../context.ts";
import { allParams } from "../params.ts";
import { requestIp } from "./client-ip.ts";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-urlencoded parts) or the body. */
function clientCredentials(
  c: Ctx,
  p: Record<string, unknown>,
): { id?: string; secret?: string; basic: boolean } {
  const header = c.req.header("authorization");
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (m) {
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new OAuthError("invalid_client", "Malformed HTTP Basic credentials");
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    const id = dec(decoded.slice(0, colon));
    const bodyId = str(p.client_id);
    if (bodyId && bodyId !== id)
      throw new OAuthError("invalid_request", "client_id differs from HTTP Basic credentials");
    return { id, secret: dec(decoded.slice(colon + 1)), basic: true };
  }
  return { id: str(p.client_id), secret: str(p.client_secret), basic: false };
}

function oauthErrorResponse(c: Ctx, err: OAuthError, basic: boolean): Response {
  if (err.status === 401)
    c.header("WWW-Authenticate", basic ? 'Basic realm="torgai"' : 'Bearer realm="torgai"');
  c.header("Cache-Control", "no-store");
  return c.json({ error: err.code, error_description: err.description }, err.status as 400);
}

/** Runs an OAuth endpoint, turning every failure into an RFC 6749 error body. */
async function guarded(
  c: Ctx,
  fn: (p: Record<string, unknown>, basic: { value: boolean }) => Promise<Response>,
) {
  const basic = { value: false };
  try {
    const p = await allParams(c);
    return await fn(p, basic);
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(c, err, basic.value);
    if (err instanceof RateLimitError) throw err;
    if (err instanceof TorgaiError) {
      return oauthErrorResponse(c, new OAuthError("invalid_request", err.message), basic.value);
    }
    throw err;
  }
}

export function tokenJson(t: IssuedToken) {
  return {
    access_token: t.accessToken,
    token_type: "Bearer",
    scope: t.scopes.join(" "),
    created_at: Math.floor(t.createdAt.getTime() / 1000),
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
    ...(t.expiresAt
      ? { expires_in: Math.floor((t.expiresAt.getTime() - t.createdAt.getTime()) / 1000) }
      : {}),
  };
}

export function postToken(c: Ctx): Promise<Response> {
  const ctx: AppContext = c.get("app");
  return guarded(c, async (p, basic) => {
    const creds = clientCredentials(c, p);
    basic.value = creds.basic;
    const grantType = str(p.grant_type);
    if (!grantType) throw new OAuthError("invalid_request", "Missing parameter: grant_type");
    if (!["authorization_code", "client_credentials", "refresh_token", "password"].includes(grantType)) {
      throw new OAuthError(
        "unsupported_grant_type",
        `The authorization grant type ${grantType} is not supported`,
      );
    }
    const { app, authenticated } = await identifyClient(ctx, creds.id, creds.secret);
    let token: IssuedToken;
    switch (grantType) {
      case "authorization_code":
        token = await exchangeAuthorizationCode(ctx, {
          app,
          clientAuthenticated: authenticated,
          code: str(p.code),
          redirectUri: str(p.redirect_uri),
          codeVerifier: str(p.code_verifier),
        });
        break;
      case "client_credentials":
        token = await clientCredentialsGrant(ctx, {
          app,
          clientAuthenticated: authenticated,
          scope: str(p.scope),
        });
        break;
      case "refresh_token":
        token = await refreshTokenGrant(ctx, {
          app,
          clientAuthenticated: authenticated,
          refreshToken: str(p.refresh_token),
          scope: str(p.scope),
        });
        break;
      default:
        token = await passwordGrant(ctx, {
          app,
          clientAuthenticated: authenticated,
          username: str(p.username),
          password: str(p.password),
          otp: str(p.otp_attempt),
          scope: str(p.scope),
          ip: requestIp(c),
        });
    }
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    return c.json(tokenJson(token));
  });
}

export function postRevoke(c: Ctx): Promise<Response> {
  const ctx: AppContext = c.get("app");
  return guarded(c, async (p, basic) => {
    const creds = clientCredentials(c, p);
    basic.value = creds.basic;
    const { app } = await identifyClient(ctx, creds.id, creds.secret);
    const token = str(p.token);
    if (!token) throw new OAuthError("invalid_request", "Missing parameter: token");
    await revokeToken(ctx, { app, token });
    return c.json({});
  });
}

/** RFC 8414 metadata, as Mastodon 4.3 publishes it (masto.js and Elk discover endpoints here). */
export function authorizationServerMetadata(ctx: AppContext) {
  const base = ctx.config.baseUrl;
  return {
    issuer: `${base}/`,
    service_documentation: "https://docs.joinmastodon.org/",
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
    app_registration_endpoint: `${base}/api/v1/apps`,
    scopes_supported: [...ALL_SCOPES],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [
      "authorization_code",
      "client_credentials",
      "refresh_token",
      ...(ctx.config.testMode ? ["password"] : []),
    ],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    code_challenge_methods_supported: ["S256"],
  };
}
