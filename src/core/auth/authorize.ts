import type { AppContext } from "../../app.ts";
import type { OauthApp } from "../../store/schema.ts";
import { appRedirectUris, findAppByClientId } from "./apps.ts";
import { checkCodeChallenge } from "./codes.ts";
import { OAuthError } from "./errors.ts";
import { requestedScopes } from "./grants.ts";

export interface AuthorizationParams {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export interface AuthorizationRequest {
  app: OauthApp;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

/**
 * Outcome of checking an authorisation request (RFC 6749 §4.1.1):
 * - `fatal`: the client or redirect URI cannot be trusted, so the error is shown, never redirected;
 * - `redirect`: any other error goes back to the (now verified) redirect URI;
 * - `ok`: the request, normalised.
 */
export type AuthorizationCheck =
  | { kind: "ok"; request: AuthorizationRequest }
  | { kind: "fatal"; reason: "unknown_client" | "bad_redirect" }
  | { kind: "redirect"; redirectUri: string; state?: string; error: OAuthError };

export async function checkAuthorizationRequest(
  ctx: AppContext,
  p: AuthorizationParams,
): Promise<AuthorizationCheck> {
  const app = p.client_id ? await findAppByClientId(ctx, p.client_id) : null;
  if (!app) return { kind: "fatal", reason: "unknown_client" };
  const registered = appRedirectUris(app);
  // exact string match; the parameter may be left out only when a single URI is registered
  const redirectUri = p.redirect_uri ?? (registered.length === 1 ? registered[0] : undefined);
  if (!redirectUri || !registered.includes(redirectUri)) return { kind: "fatal", reason: "bad_redirect" };
  const state = p.state || undefined;
  const fail = (error: OAuthError): AuthorizationCheck => ({ kind: "redirect", redirectUri, state, error });
  if (p.response_type !== "code") {
    return fail(new OAuthError("unsupported_response_type", "Only response_type=code is supported"));
  }
  try {
    const scopes = requestedScopes(app, p.scope);
    checkCodeChallenge(p.code_challenge || undefined, p.code_challenge_method || undefined);
    return {
      kind: "ok",
      request: { app, redirectUri, scopes, state, codeChallenge: p.code_challenge || undefined },
    };
  } catch (err) {
    if (err instanceof OAuthError) return fail(err);
    throw err;
  }
}
