import { type AppContext, owned } from "../../app.ts";
import type { Account, User } from "../../store/schema.ts";
import { type IssuedToken, issueToken } from "../auth/issue.ts";
import { throttleKey } from "../auth/throttle.ts";
import { ForbiddenError, TorgaiError, ValidationError } from "../errors.ts";
import { ipLimitKey } from "../ratelimit.ts";
import { enqueueConfirmationMail } from "./confirmation.ts";
import { createLocalAccount, EMAIL_RE, isReservedUsername, PASSWORD_MAX } from "./create.ts";

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

type FieldErrors = Record<string, { error: string; description: string }[]>;

/** Rails' humanised attribute names, as Mastodon's message spells them ("Email can't be blank"). */
const LABELS: Record<string, string> = {
  username: "Username",
  email: "Email",
  password: "Password",
  agreement: "Agreement",
  reason: "Reason",
};

/**
 * Mastodon's registration error: `details: {field: [{error: "ERR_…", description}]}` with every
 * invalid field at once, and `error` listing them all ("Validation failed: Email can't be blank, …").
 */
function registrationError(errors: FieldErrors): ValidationError {
  const parts = Object.entries(errors).flatMap(([field, list]) =>
    list.map((e) => `${LABELS[field] ?? field} ${e.description}`),
  );
  return new ValidationError(`Validation failed: ${parts.join(", ")}`, { details: errors });
}

function add(errors: FieldErrors, field: string, error: string, description: string): void {
  const list = errors[field] ?? [];
  list.push({ error, description });
  errors[field] = list;
}

/** Everything about the request that can be judged without the database, as Mastodon's validators do. */
function validateRegistration(ctx: AppContext, input: RegistrationInput): FieldErrors {
  const errors: FieldErrors = {};
  const username = input.username.trim();
  if (username === "") add(errors, "username", "ERR_BLANK", "can't be blank");
  else {
    if ([...username].length > 30)
      add(errors, "username", "ERR_TOO_LONG", "is too long (maximum is 30 characters)");
    if (!/^[a-z0-9_]+$/i.test(username))
      add(errors, "username", "ERR_INVALID", "must contain only letters, numbers and underscores");
    else if (isReservedUsername(username)) add(errors, "username", "ERR_RESERVED", "is reserved");
  }
  const email = input.email?.trim() ?? "";
  if (email === "") {
    // without mail the address is optional (nothing could confirm it); with mail it is required
    if (ctx.config.mail) {
      add(errors, "email", "ERR_BLANK", "can't be blank");
      add(errors, "email", "ERR_INVALID", "is invalid");
    }
  } else if (!EMAIL_RE.test(email) || email.length > 320) add(errors, "email", "ERR_INVALID", "is invalid");
  if (input.password === "") add(errors, "password", "ERR_BLANK", "can't be blank");
  else if (input.password.length < 8)
    add(errors, "password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)");
  else if (input.password.length > PASSWORD_MAX) {
    add(errors, "password", "ERR_TOO_LONG", `is too long (maximum is ${PASSWORD_MAX} characters)`);
  }
  if (!input.agreement) add(errors, "agreement", "ERR_ACCEPTED", "must be accepted");
  const reason = input.reason?.trim() ?? "";
  if (reason.length > 500) add(errors, "reason", "ERR_TOO_LONG", "is too long (maximum is 500 characters)");
  return errors;
}

/** Maps createLocalAccount's conflicts (found in its transaction) onto the same per-field shape. */
function toFieldError(err: TorgaiError): TorgaiError {
  const m = err.message;
  if (/Username has already been taken|Username or email/.test(m))
    return registrationError({ username: [{ error: "ERR_TAKEN", description: "has already been taken" }] });
  if (/Email has already been taken/.test(m))
    return registrationError({ email: [{ error: "ERR_TAKEN", description: "has already been taken" }] });
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
  const errors = validateRegistration(ctx, input);
  if (Object.keys(errors).length > 0) throw registrationError(errors);
  const reason = input.reason?.trim() || null;
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
