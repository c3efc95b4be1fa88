import { Secret, TOTP } from "otpauth";
import type { AppContext } from "../../app.ts";
import type { User } from "../../store/schema.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";

/** TOTP as authenticator apps expect it: SHA-1, 6 digits, 30-second steps (RFC 6238 defaults). */
const PERIOD = 30;

function totpFor(ctx: AppContext, secretBase32: string, label = "account"): TOTP {
  return new TOTP({
    issuer: ctx.config.instanceTitle,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secretBase32),
  });
}

async function loadUser(ctx: AppContext, userId: string): Promise<User> {
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user) throw new NotFoundError("User not found");
  return user;
}

async function labelFor(ctx: AppContext, user: User): Promise<string> {
  const account = await ctx.db
    .selectFrom("accounts")
    .select("username")
    .where("id", "=", user.account_id)
    .executeTakeFirst();
  return `${account?.username ?? "user"}@${ctx.config.domain}`;
}

/**
 * Starts enrolment: stores a fresh secret (not yet enforced) and returns it with the otpauth:// URI
 * for a QR code. Enforcement begins once `confirmTotp` sees a valid code from the user's app.
 */
export async function beginTotpEnrolment(
  ctx: AppContext,
  userId: string,
): Promise<{ secret: string; uri: string }> {
  const user = await loadUser(ctx, userId);
  if (user.otp_enabled) throw new BadRequestError("Two-factor authentication is already enabled");
  const secret = new Secret({ size: 20 }).base32;
  await ctx.db
    .updateTable("users")
    .set({ otp_secret: secret, otp_last_step: null })
    .where("id", "=", userId)
    .execute();
  return { secret, uri: totpFor(ctx, secret, await labelFor(ctx, user)).toString() };
}

export async function confirmTotp(ctx: AppContext, userId: string, code: string): Promise<void> {
  const user = await loadUser(ctx, userId);
  if (user.otp_enabled) throw new BadRequestError("Two-factor authentication is already enabled");
  if (!user.otp_secret) throw new BadRequestError("Start two-factor enrolment first");
  if (!(await verifyTotp(ctx, user, code))) throw new ValidationError("Invalid two-factor code");
  await ctx.db.updateTable("users").set({ otp_enabled: 1 }).where("id", "=", userId).execute();
}

export async function disableTotp(ctx: AppContext, userId: string): Promise<void> {
  await loadUser(ctx, userId);
  await ctx.db
    .updateTable("users")
    .set({ otp_enabled: 0, otp_secret: null, otp_last_step: null })
    .where("id", "=", userId)
    .execute();
}

/** The current code for a secret (tests and the CLI's self-check). */
export function totpCode(ctx: AppContext, secretBase32: string, at: Date = ctx.now()): string {
  return totpFor(ctx, secretBase32).generate({ timestamp: at.getTime() });
}

/**
 * Checks a code (±1 step of clock drift) and records its step so the same code cannot be replayed;
 * the conditional update makes two concurrent uses of one code succeed at most once.
 */
export async function verifyTotp(ctx: AppContext, user: User, code: string): Promise<boolean> {
  if (!user.otp_secret) return false;
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return false;
  const totp = totpFor(ctx, user.otp_secret);
  const timestamp = ctx.now().getTime();
  const delta = totp.validate({ token, timestamp, window: 1 });
  if (delta === null) return false;
  const step = totp.counter({ timestamp }) + delta;
  const res = await ctx.db
    .updateTable("users")
    .set({ otp_last_step: step })
    .where("id", "=", user.id)
    .where((eb) => eb.or([eb("otp_last_step", "is", null), eb("otp_last_step", "<", step)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
