import { type AppContext, owned } from "../../app.ts";
import type { Account, User } from "../../store/schema.ts";
import { type IssuedToken, issueToken } from "../auth/issue.ts";
import { throttleKey } from "../auth/throttle.ts";
import { ForbiddenError, TorgaiError, ValidationError } from "../errors.ts";
import { ipLimitKey } from "../ratelimit.ts";
import { enqueueConfirmationMail } from "./confirmation.ts";
import { createLocalAccount } from "./create.ts";

export const SUPPORTED_LOCALES = ["kk", "ru", "en"] as const;

export interface RegistrationInput {
  /** the app whose client_credentials token made the request; the new token belongs to it */
  appId: string;
  appScopes: string[];
  username: string;
  email?: string | null;
  password: string;
  agreement: boolean;
  locale?: string | null;
  reason?: string | null;
  ip: string;
}

export interface Registration {
  account: Account;
  user: User;
  token: IssuedToken;
  /** true when the server requires approval: the token works only once an admin approves */
  pending: boolean;
}

/** Mastodon's registration error shape: `details: {field: [{error: "ERR_…", description}]}`. */
function fieldError(field: string, code: string, description: string, message?: string): ValidationError {
  return new ValidationError(message ?? `Validation failed: ${description}`, {
    details: { [field]: [{ error: code, description }] },
  });
}

/** Maps createLocalAccount's messages onto Mastodon's per-field registration errors. */
function toFieldError(err: TorgaiError): TorgaiError {
  const m = err.message;
  if (/Username has already been taken/.test(m))
    return fieldError("username", "ERR_TAKEN", "Username has already been taken");
  if (/Email has already been taken/.test(m))
    return fieldError("email", "ERR_TAKEN", "Email has already been taken");
  if (/Username or email/.test(m))
    return fieldError("username", "ERR_TAKEN", "Username or email has already been taken");
  if (/Username is reserved/.test(m)) return fieldError("username", "ERR_RESERVED", "Username is reserved");
  if (/Username/.test(m)) return fieldError("username", "ERR_INVALID", m.replace(/^Validation failed: /, ""));
  if (/Email/.test(m)) return fieldError("email", "ERR_INVALID", "Email is invalid");
  if (/too short/.test(m))
    return fieldError("password", "ERR_TOO_SHORT", "Password is too short (minimum is 8 characters)");
  if (/Password/.test(m)) return fieldError("password", "ERR_TOO_LONG", "Password is too long");
  return err;
}

// Mastodon allows 5 sign-ups per IP per 30 minutes; every attempt counts
const SIGNUP_THROTTLE = throttleKey("sign-up throttle", { maxFailures: 5, windowMs: 30 * 60_000 });

/**
 * POST /api/v1/accounts. Honours the registration mode: closed refuses, approval creates an
 * unapproved user (who cannot sign in until `approveUser`), open creates a usable account.
 * With mail configured the e-mail address is required and a confirmation link is mailed; the
 * account may not act until it is followed (`mustConfirmEmail`). Without mail the address is
 * optional and stays unconfirmed, so it reserves nothing: its owner can still sign up with it.
 */
export async function registerAccount(ctx: AppContext, input: RegistrationInput): Promise<Registration> {
  const mode = ctx.config.registrations;
  if (mode === "closed") throw new ForbiddenError("This action is not allowed");
  if (ctx.config.rateLimit) {
    const t = owned(ctx, SIGNUP_THROTTLE);
    const now = ctx.now().getTime();
    const ip = ipLimitKey(input.ip);
    t.check(ip, now);
    t.fail(ip, now);
  }
  if (!input.agreement) throw fieldError("agreement", "ERR_ACCEPTED", "Agreement must be accepted");
  if (!input.username.trim()) throw fieldError("username", "ERR_BLANK", "Username can't be blank");
  if (!input.password) throw fieldError("password", "ERR_BLANK", "Password can't be blank");
  if (ctx.config.mail && !input.email?.trim()) throw fieldError("email", "ERR_BLANK", "Email can't be blank");
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) throw fieldError("reason", "ERR_TOO_LONG", "Reason is too long");
  const base = (input.locale ?? "").toLowerCase().split(/[-_]/)[0];
  const locale = (SUPPORTED_LOCALES as readonly string[]).includes(base) ? base : "kk";

  let created: { account: Account; user: User };
  try {
    created = await createLocalAccount(ctx, {
      username: input.username,
      email: input.email,
      password: input.password,
      locale,
      reason,
      approved: mode !== "approval",
      confirmed: false,
      createdByAppId: input.appId,
      within: (trx, { user }) => enqueueConfirmationMail(ctx, trx, user.id),
    });
  } catch (err) {
    throw err instanceof TorgaiError ? toFieldError(err) : err;
  }
  ctx.queue.notify();
  const token = await issueToken(ctx, {
    appId: input.appId,
    userId: created.user.id,
    scopes: input.appScopes,
    // Mastodon answers registration with an access token only
    withRefresh: false,
  });
  return { ...created, token, pending: mode === "approval" };
}
