import { sql } from "kysely";
import { type AppContext, owned } from "../../app.ts";
import type { Account, User } from "../../store/schema.ts";
import { hashPassword } from "../accounts/create.ts";
import { RateLimitError } from "../errors.ts";
import { ipLimitKey, type RateLimitResult, rateLimiterFor } from "../ratelimit.ts";
import { LoginThrottle, loginThrottleFor, throttleKey } from "./throttle.ts";
import { verifyTotp } from "./totp.ts";

export type LoginFailure = "invalid_credentials" | "invalid_otp" | "pending_approval" | "disabled";

export type LoginResult =
  | { status: "ok"; user: User; account: Account }
  | { status: "otp_required"; user: User; account: Account }
  | { status: "failed"; reason: LoginFailure };

/** Finds the local user behind a login: an email address, or a username (with or without "@"). */
export async function findUserByLogin(
  ctx: AppContext,
  login: string,
): Promise<{ user: User; account: Account } | null> {
  const value = login.trim();
  if (value === "" || value.length > 320) return null;
  let user: User | undefined;
  if (value.includes("@") && !value.startsWith("@")) {
    // Only a confirmed address is unique. An unconfirmed one names its user when no one else gave
    // it (servers without mail never confirm); given twice, it names no one: use the username.
    const rows = await ctx.db
      .selectFrom("users")
      .selectAll()
      .where((eb) => eb(eb.fn("lower", ["email"]), "=", value.toLowerCase()))
      .orderBy(sql`case when confirmed_at is null then 1 else 0 end`)
      .limit(2)
      .execute();
    user = rows[0]?.confirmed_at || rows.length === 1 ? rows[0] : undefined;
  } else {
    const username = value.replace(/^@/, "").toLowerCase();
    user = await ctx.db
      .selectFrom("users")
      .selectAll("users")
      .innerJoin("accounts", "accounts.id", "users.account_id")
      .where((eb) => eb(eb.fn("lower", ["accounts.username"]), "=", username))
      .where("accounts.domain", "=", "")
      .executeTakeFirst();
  }
  if (!user) return null;
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", user.account_id)
    .executeTakeFirst();
  return account ? { user, account } : null;
}

let dummyHash: Promise<string> | null = null;

/** Hashes against a fixed dummy when the login is unknown, so timing does not reveal which exist. */
async function passwordMatches(hash: string | null, password: string): Promise<boolean> {
  const { verify } = await import("@node-rs/argon2"); // loaded on first use, like hashPassword
  if (hash === null) {
    dummyHash ??= hashPassword("torgai-dummy-password-for-timing");
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(hash, password);
  } catch {
    return false;
  }
}

// A second, per-IP budget catches password spraying across many logins from one address.
const IP_THROTTLE = throttleKey("login throttle per IP", { maxFailures: 30 });
function ipThrottleFor(ctx: AppContext): LoginThrottle {
  return owned(ctx, IP_THROTTLE);
}

/**
 * Takes one unit of the account's `signIn` budget (25 failures an hour in the shared counter
 * store, Redis when configured), throwing RateLimitError when it is spent. The unit is taken
 * before the slow password or code check, so parallel guesses cannot overrun the budget, and is
 * given back when the check succeeds: only failures use it up. The per-IP throttles alone let an
 * attacker with many addresses (or one IPv6 /64) guess without end; this one does not care where
 * the guesses come from or how the login is spelled. A spent budget refuses the right password
 * too (as Mastodon's does): that is what stops the guessing.
 */
async function takeSignInAttempt(ctx: AppContext, subject: string): Promise<() => Promise<void>> {
  let result: RateLimitResult;
  try {
    result = await rateLimiterFor(ctx).check("signIn", subject);
  } catch (err) {
    // a limiter outage (Redis down) leaves the in-process throttles; it must not stop sign-in
    ctx.logger.warn({ err }, "sign-in budget unavailable; attempt allowed");
    return async () => {};
  }
  if (result.exceeded) throw new RateLimitError(result.resetAt);
  return () => result.release().catch(() => {});
}

/** The budget's key: the account, or (unknown logins) the login, so both lock alike. */
function signInSubject(found: { account: Account } | null, login: string): string {
  return found ? `account:${found.account.id}` : `login:${login.trim().replace(/^@/, "").toLowerCase()}`;
}

export interface LoginInput {
  login: string;
  password: string;
  /** TOTP code; required (and checked) only when the user has two-factor authentication on */
  otp?: string | null;
  /** client address for the brute-force throttle */
  ip: string;
}

/**
 * Checks a login (email or username), password and, when enabled, the TOTP code. Throws
 * RateLimitError while the IP+login pair (or the IP, or the account) is locked out after repeated
 * failures. A missing TOTP code is not a failure: the caller asks for it (`otp_required`).
 */
export async function authenticate(ctx: AppContext, input: LoginInput): Promise<LoginResult> {
  const now = ctx.now().getTime();
  const ip = ipLimitKey(input.ip);
  const key = LoginThrottle.key(ip, input.login);
  const pair = loginThrottleFor(ctx);
  const perIp = ipThrottleFor(ctx);
  pair.check(key, now);
  perIp.check(ip, now);
  const fail = (reason: LoginFailure): LoginResult => {
    pair.fail(key, now);
    perIp.fail(ip, now);
    return { status: "failed", reason };
  };

  const found = await findUserByLogin(ctx, input.login);
  const release = await takeSignInAttempt(ctx, signInSubject(found, input.login));
  const ok = await passwordMatches(found?.user.password_hash ?? null, input.password);
  if (!found || !ok) return fail("invalid_credentials");
  const { user, account } = found;
  if (user.otp_enabled) {
    if (!input.otp) {
      await release(); // the password was right; the code step takes its own unit
      return { status: "otp_required", user, account };
    }
    if (!(await verifyTotp(ctx, user, input.otp))) return fail("invalid_otp");
  }
  await release();
  pair.succeed(key);
  // correct credentials, but the account may not sign in (yet)
  if (user.disabled || account.suspended_at) return { status: "failed", reason: "disabled" };
  if (!user.approved) return { status: "failed", reason: "pending_approval" };
  await ctx.db
    .updateTable("users")
    .set({ last_sign_in_at: ctx.now().toISOString() })
    .where("id", "=", user.id)
    .execute();
  return { status: "ok", user, account };
}

/**
 * Second step of a two-step login: the password was verified earlier (the caller holds a signed,
 * short-lived proof of that) and now the TOTP code is checked, against the same per-account
 * budget as passwords (a code is only a million guesses).
 */
export async function authenticateSecondFactor(
  ctx: AppContext,
  input: { userId: string; otp: string; ip: string },
): Promise<LoginResult> {
  const now = ctx.now().getTime();
  const key = LoginThrottle.key(ipLimitKey(input.ip), `#${input.userId}`);
  const pair = loginThrottleFor(ctx);
  pair.check(key, now);
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", input.userId).executeTakeFirst();
  const account = user
    ? await ctx.db.selectFrom("accounts").selectAll().where("id", "=", user.account_id).executeTakeFirst()
    : undefined;
  if (!user || !account) return { status: "failed", reason: "invalid_credentials" };
  const release = await takeSignInAttempt(ctx, signInSubject({ account }, ""));
  if (user.otp_enabled && !(await verifyTotp(ctx, user, input.otp))) {
    pair.fail(key, now);
    return { status: "failed", reason: "invalid_otp" };
  }
  await release();
  pair.succeed(key);
  if (user.disabled || account.suspended_at) return { status: "failed", reason: "disabled" };
  if (!user.approved) return { status: "failed", reason: "pending_approval" };
  await ctx.db
    .updateTable("users")
    .set({ last_sign_in_at: ctx.now().toISOString() })
    .where("id", "=", user.id)
    .execute();
  return { status: "ok", user, account };
}

/** A user who may sign in right now (exists, approved, not disabled or suspended), with the account. */
export async function activeUser(
  ctx: AppContext,
  userId: string,
): Promise<{ user: User; account: Account } | null> {
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user || user.disabled || !user.approved) return null;
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", user.account_id)
    .executeTakeFirst();
  if (!account || account.suspended_at) return null;
  return { user, account };
}
