import type { Context } from "hono";
import type { AppContext } from "../app.ts";
import { mustConfirmEmail } from "../core/accounts/confirmation.ts";
import type { AccessGrant } from "../core/auth/tokens.ts";
import { ForbiddenError, UnauthorizedError } from "../core/errors.ts";
import { hasScope } from "../core/scopes.ts";
import type { Account, User } from "../store/schema.ts";

export type HonoEnv = {
  Variables: {
    app: AppContext;
    grant: AccessGrant | null;
    /** the bearer token itself, once resolved to `grant` (Web Push payloads carry it) */
    accessToken?: string;
    requestId: string;
    /** a bearer token was sent but is unknown, revoked or expired (refused after rate limiting) */
    invalidToken?: boolean;
  };
};

export type Ctx = Context<HonoEnv>;

export interface Viewer {
  grant: AccessGrant;
  user: User;
  account: Account;
}

/**
 * The signed-in user of a request; 401 without a valid user token, 403 without the scope, and 403
 * while the user's e-mail address awaits confirmation (mail configured), as in Mastodon.
 * `unconfirmed: true` is for the few routes such a user needs (asking for the mail again).
 */
export function requireUser(c: Ctx, scope: string, opts: { unconfirmed?: boolean } = {}): Viewer {
  const grant = c.get("grant");
  if (!grant) throw new UnauthorizedError("The access token is invalid");
  if (!grant.user || !grant.account)
    throw new UnauthorizedError("This method requires an authenticated user");
  if (!hasScope(grant.scopes, scope)) {
    throw new ForbiddenError("This action is outside the authorized scopes");
  }
  if (!opts.unconfirmed && mustConfirmEmail(c.get("app"), grant.user)) {
    throw new ForbiddenError("Your login is missing a confirmed e-mail address");
  }
  return { grant, user: grant.user, account: grant.account };
}

/** The viewer if a user token with the scope is present; null for anonymous requests. */
export function optionalUser(c: Ctx, scope: string): Viewer | null {
  const grant = c.get("grant");
  if (!grant?.user || !grant.account) return null;
  if (!hasScope(grant.scopes, scope))
    throw new ForbiddenError("This action is outside the authorized scopes");
  return { grant, user: grant.user, account: grant.account };
}

/** Any valid token (user or app-only) with the scope. */
export function requireToken(c: Ctx, scope?: string): AccessGrant {
  const grant = c.get("grant");
  if (!grant) throw new UnauthorizedError("The access token is invalid");
  if (scope && !hasScope(grant.scopes, scope))
    throw new ForbiddenError("This action is outside the authorized scopes");
  return grant;
}

export function appOf(c: Ctx): AppContext {
  return c.get("app");
}
