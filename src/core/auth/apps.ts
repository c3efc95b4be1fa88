import type { AppContext } from "../../app.ts";
import type { OauthApp } from "../../store/schema.ts";
import { ValidationError } from "../errors.ts";
import { invalidScopes, parseScopes } from "../scopes.ts";
import { OAuthError } from "./errors.ts";
import { createOauthApp } from "./issue.ts";
import { safeEqual } from "./secrets.ts";

export const OOB_URI = "urn:ietf:wg:oauth:2.0:oob";
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:"]);

/** Accepts absolute URIs (https, http, app schemes like `com.example:/cb`) or the out-of-band URN. */
export function validRedirectUri(uri: string): boolean {
  if (uri === OOB_URI) return true;
  if (uri.length > 2000 || !URL.canParse(uri)) return false;
  const u = new URL(uri);
  if (FORBIDDEN_SCHEMES.has(u.protocol)) return false;
  if (u.hash) return false; // RFC 6749 §3.1.2: no fragment
  return true;
}

export function splitRedirectUris(value: string | string[]): string[] {
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\r\n]+/));
  return [...new Set(list.map((v) => v.trim()).filter(Boolean))];
}

export function appRedirectUris(app: OauthApp): string[] {
  return app.redirect_uris.split("\n").filter(Boolean);
}

export function appScopes(app: OauthApp): string[] {
  return app.scopes.split(" ").filter(Boolean);
}

export interface RegisterAppInput {
  name: string;
  redirectUris: string | string[];
  scopes?: string | null;
  website?: string | null;
}

/** POST /api/v1/apps: validates redirect URIs and scopes before creating client credentials. */
export async function registerApp(ctx: AppContext, input: RegisterAppInput): Promise<OauthApp> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("Validation failed: Application name can't be blank");
  if (name.length > 60) throw new ValidationError("Validation failed: Application name is too long");
  const redirectUris = splitRedirectUris(input.redirectUris);
  if (redirectUris.length === 0) throw new ValidationError("Validation failed: Redirect URI can't be blank");
  if (redirectUris.length > 10) throw new ValidationError("Validation failed: Too many redirect URIs");
  for (const uri of redirectUris) {
    if (!validRedirectUri(uri)) {
      throw new ValidationError("Validation failed: Redirect URI must be an absolute URI.");
    }
  }
  const scopes = parseScopes(input.scopes, "read");
  const bad = invalidScopes(scopes);
  if (bad.length > 0) throw new ValidationError(`Validation failed: Scopes are invalid (${bad.join(", ")})`);
  const website = input.website?.trim() || null;
  if (website && (website.length > 2000 || !/^https?:\/\//i.test(website) || !URL.canParse(website))) {
    throw new ValidationError("Validation failed: Website is invalid");
  }
  return createOauthApp(ctx, { name, website, redirectUris, scopes });
}

export async function findAppByClientId(ctx: AppContext, clientId: string): Promise<OauthApp | null> {
  if (!clientId || clientId.length > 256) return null;
  const app = await ctx.db
    .selectFrom("oauth_apps")
    .selectAll()
    .where("client_id", "=", clientId)
    .executeTakeFirst();
  return app ?? null;
}

/**
 * Identifies the client at the token and revocation endpoints. With a secret it must match;
 * without one the client is treated as public (the grant must then carry its own proof, e.g. PKCE).
 */
export async function identifyClient(
  ctx: AppContext,
  clientId: string | undefined,
  clientSecret: string | undefined,
): Promise<{ app: OauthApp; authenticated: boolean }> {
  if (!clientId) throw new OAuthError("invalid_client", "Client authentication failed: client_id missing");
  const app = await findAppByClientId(ctx, clientId);
  if (!app) throw new OAuthError("invalid_client", "Client authentication failed: unknown client");
  if (clientSecret === undefined || clientSecret === "") return { app, authenticated: false };
  if (!safeEqual(clientSecret, app.client_secret)) {
    throw new OAuthError("invalid_client", "Client authentication failed: wrong client secret");
  }
  return { app, authenticated: true };
}

export async function getApp(ctx: AppContext, id: string): Promise<OauthApp | null> {
  return (await ctx.db.selectFrom("oauth_apps").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}
