/**
 * E-mail confirmation (servers with mail configured). As in Mastodon, an unconfirmed user gets a
 * token at sign-up and may sign in, but the API refuses what they try to do (403 "Your login is
 * missing a confirmed e-mail address") until they follow the link mailed to the address. So an
 * address typed by someone who does not own it yields an account that can do nothing, and the
 * address stays free for its owner (only confirmed addresses are unique).
 *
 * Links: a random 256-bit token, of which only the SHA-256 is stored, bound to the address it was
 * mailed to, single use (the row is deleted when followed) and valid for 48 hours. The token is
 * made when the mail job runs, so it is never at rest in the job queue.
 */
import { type AppContext, owned } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { User } from "../../store/schema.ts";
import { throttleKey } from "../auth/throttle.ts";
import { randomSecret, sha256 } from "../auth/tokens.ts";
import { ForbiddenError, ValidationError } from "../errors.ts";
import { sendMail } from "../mailer.ts";
import { EMAIL_RE } from "./create.ts";

export const CONFIRMATION_TTL_MS = 48 * 3600_000;
export const CONFIRMATION_JOB = "email.confirmation" as const;

/** True while the user must confirm their address before acting: mail is on and it is not done. */
export function mustConfirmEmail(ctx: AppContext, user: User): boolean {
  return ctx.config.mail !== null && !user.confirmed_at;
}

/** Schedules the confirmation mail, in the caller's transaction (nothing if mail is off). */
export async function enqueueConfirmationMail(ctx: AppContext, db: Db, userId: string): Promise<void> {
  if (!ctx.config.mail) return;
  // one pending mail per user: a resend before it went out changes nothing (it reads the address then)
  await ctx.queue.enqueue(db, CONFIRMATION_JOB, { userId }, { dedupeKey: `${CONFIRMATION_JOB}:${userId}` });
}

export function confirmationLink(ctx: AppContext, token: string): string {
  return `${ctx.config.baseUrl}/auth/confirmation?confirmation_token=${token}`;
}

const MAIL_TEXTS = {
  kk: {
    subject: "Электрондық пошта мекенжайыңызды растаңыз",
    body: "Сәлеметсіз бе, @{user}!\n\n{domain} сайтындағы тіркелуіңізді растау үшін мына сілтемені ашыңыз:\n\n{link}\n\nСілтеме 48 сағат жарамды. Егер сіз тіркелмеген болсаңыз, бұл хатқа мән бермеңіз.\n",
  },
  ru: {
    subject: "Подтвердите адрес электронной почты",
    body: "Здравствуйте, @{user}!\n\nЧтобы подтвердить регистрацию на {domain}, откройте ссылку:\n\n{link}\n\nСсылка действует 48 часов. Если вы не регистрировались, просто не обращайте внимания на это письмо.\n",
  },
  en: {
    subject: "Confirm your e-mail address",
    body: "Hello @{user},\n\nTo confirm your sign-up at {domain}, open this link:\n\n{link}\n\nThe link works for 48 hours. If you did not sign up, ignore this message.\n",
  },
} as const;

function mailText(locale: string, values: Record<string, string>) {
  const t = MAIL_TEXTS[(locale in MAIL_TEXTS ? locale : "kk") as keyof typeof MAIL_TEXTS];
  return { subject: t.subject, text: t.body.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "") };
}

/**
 * The `email.confirmation` job: makes a fresh link and mails it to the user's current address.
 * Idempotent in effect (a retry mails another valid link); nothing to do once confirmed.
 */
export async function sendConfirmationMail(ctx: AppContext, userId: string): Promise<void> {
  if (!ctx.config.mail) return;
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user || user.confirmed_at || !user.email) return;
  const account = await ctx.db
    .selectFrom("accounts")
    .select("username")
    .where("id", "=", user.account_id)
    .executeTakeFirst();
  if (!account) return;
  const email = user.email;
  const token = randomSecret(32);
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    // expired links, and links to an address the user has replaced since, are gone for good
    await trx
      .deleteFrom("email_confirmations")
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("expires_at", "<=", now.toISOString()), eb("email", "!=", email)]))
      .execute();
    await trx
      .insertInto("email_confirmations")
      .values({
        token_hash: sha256(token),
        user_id: userId,
        email,
        expires_at: new Date(now.getTime() + CONFIRMATION_TTL_MS).toISOString(),
        created_at: now.toISOString(),
      })
      .execute();
  });
  const domain = ctx.config.domain;
  await sendMail(ctx, {
    to: email,
    ...mailText(user.locale, { user: account.username, domain, link: confirmationLink(ctx, token) }),
  });
}

export type ConfirmResult =
  | { status: "confirmed"; locale: string }
  /** unknown, already used, or for an address the user no longer has */
  | { status: "invalid" }
  | { status: "expired"; locale: string }
  /** another account confirmed the address first */
  | { status: "taken"; locale: string };

function isUniqueViolation(err: unknown): boolean {
  return /unique|duplicate/i.test(String((err as Error)?.message));
}

/** Follows a confirmation link: single use, expiring, and only for the address it was sent to. */
export async function confirmEmail(ctx: AppContext, token: string): Promise<ConfirmResult> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: "invalid" };
  const nowIso = ctx.now().toISOString();
  let locale = "kk";
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<ConfirmResult> => {
      // deleting first makes the link single use even when followed twice at once
      const row = await trx
        .deleteFrom("email_confirmations")
        .where("token_hash", "=", sha256(token))
        .returningAll()
        .executeTakeFirst();
      if (!row) return { status: "invalid" };
      const user = await trx.selectFrom("users").selectAll().where("id", "=", row.user_id).executeTakeFirst();
      if (!user?.email || user.email.toLowerCase() !== row.email.toLowerCase()) return { status: "invalid" };
      locale = user.locale;
      if (user.confirmed_at) return { status: "confirmed", locale };
      if (row.expires_at <= nowIso) return { status: "expired", locale };
      const taken = await trx
        .selectFrom("users")
        .select("id")
        .where((eb) => eb(eb.fn("lower", ["email"]), "=", row.email.toLowerCase()))
        .where("confirmed_at", "is not", null)
        .where("id", "!=", user.id)
        .executeTakeFirst();
      if (taken) return { status: "taken", locale };
      await trx
        .updateTable("users")
        .set({ confirmed_at: nowIso })
        .where("id", "=", user.id)
        .where("confirmed_at", "is", null)
        .execute();
      await trx.deleteFrom("email_confirmations").where("user_id", "=", user.id).execute();
      return { status: "confirmed", locale };
    });
  } catch (err) {
    // the partial unique index: another account confirmed the same address at the same moment
    if (isUniqueViolation(err)) return { status: "taken", locale };
    throw err;
  }
}

const RESEND_THROTTLE = throttleKey("confirmation resend throttle", {
  maxFailures: 5,
  windowMs: 30 * 60_000,
});

/**
 * POST /api/v1/emails/confirmations: mails a new link, to a corrected address if `email` is
 * given. As in Mastodon, only the app the user signed up through may call it (users created
 * elsewhere, e.g. by the CLI, may use any app), and only while the address awaits confirmation.
 * Each call sends mail, so a user gets 5 per half hour (Mastodon's limit).
 */
export async function resendConfirmation(
  ctx: AppContext,
  input: { user: User; appId: string; email?: string | null },
): Promise<void> {
  const { user } = input;
  if (user.created_by_app_id && user.created_by_app_id !== input.appId) {
    throw new ForbiddenError(
      "This method is only available to the application the user originally signed-up with",
    );
  }
  if (user.confirmed_at) {
    throw new ForbiddenError("This method is only available while the e-mail is awaiting confirmation");
  }
  const email = input.email?.trim();
  if (email !== undefined && (!EMAIL_RE.test(email) || email.length > 320)) {
    throw new ValidationError("Validation failed: Email is invalid");
  }
  if (ctx.config.rateLimit) {
    const t = owned(ctx, RESEND_THROTTLE);
    const now = ctx.now().getTime();
    t.check(user.id, now);
    t.fail(user.id, now);
  }
  await ctx.db.transaction().execute(async (trx) => {
    if (email !== undefined && email.toLowerCase() !== user.email?.toLowerCase()) {
      const taken = await trx
        .selectFrom("users")
        .select("id")
        .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
        .where("confirmed_at", "is not", null)
        .executeTakeFirst();
      if (taken) throw new ValidationError("Validation failed: Email has already been taken");
      await trx.updateTable("users").set({ email }).where("id", "=", user.id).execute();
      await trx.deleteFrom("email_confirmations").where("user_id", "=", user.id).execute();
    }
    if (ctx.config.mail && !(email ?? user.email)) {
      throw new ValidationError("Validation failed: Email can't be blank");
    }
    await enqueueConfirmationMail(ctx, trx, user.id);
  });
  ctx.queue.notify();
}
