import { getCookie, setCookie } from "hono/cookie";
import type { AppContext } from "../../app.ts";
import { activeUser } from "../../core/auth/login.ts";
import { serverSecret, sign, unsign } from "../../core/auth/secrets.ts";
import { randomSecret, sha256 } from "../../core/auth/tokens.ts";
import type { Account, User } from "../../store/schema.ts";
import type { Ctx } from "../context.ts";

/**
 * Browser state of the authorisation pages, all HMAC-signed with an installation secret:
 * - CSRF: a random nonce in an HttpOnly SameSite=Lax cookie, and a signed copy of it (with an
 *   expiry) in a hidden form field; a POST must bring both, matching (signed double submit);
 * - two-step login: after a correct password for a 2FA user, a short-lived signed proof naming the
 *   user and bound to the CSRF nonce, so the second form asks only for the code;
 * - login session: a signed cookie naming the user and a fingerprint of the password hash, so a
 *   second authorisation needs no password and a password change signs every browser out.
 */
const CSRF_COOKIE = "torgai_csrf";
const SESSION_COOKIE = "torgai_session";
const CSRF_TTL_MS = 2 * 3600_000;
const MFA_TTL_MS = 5 * 60_000;
const SESSION_TTL_MS = 14 * 24 * 3600_000;

function secure(ctx: AppContext): boolean {
  return ctx.config.baseUrl.startsWith("https:");
}

function key(ctx: AppContext): Promise<Buffer> {
  return serverSecret(ctx, "oauth-pages");
}

/** The CSRF nonce of this browser, set on first sight. */
export function csrfNonce(c: Ctx): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
  const nonce = randomSecret(18);
  setCookie(c, CSRF_COOKIE, nonce, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c.get("app")),
    path: "/oauth",
  });
  return nonce;
}

export async function csrfToken(c: Ctx, nonce: string): Promise<string> {
  const ctx = c.get("app");
  return sign(await key(ctx), { k: "csrf", n: nonce, e: ctx.now().getTime() + CSRF_TTL_MS });
}

export async function checkCsrf(c: Ctx, token: unknown): Promise<boolean> {
  const ctx = c.get("app");
  const nonce = getCookie(c, CSRF_COOKIE);
  if (!nonce || typeof token !== "string") return false;
  // a cross-site form post carries a foreign Origin; a same-site one ours (or none, older browsers)
  const origin = c.req.header("origin");
  if (origin && origin !== "null" && origin !== new URL(ctx.config.baseUrl).origin) return false;
  const data = unsign<{ k: string; n: string; e: number }>(await key(ctx), token);
  return !!data && data.k === "csrf" && data.n === nonce && data.e > ctx.now().getTime();
}

export async function mfaToken(c: Ctx, nonce: string, userId: string): Promise<string> {
  const ctx = c.get("app");
  return sign(await key(ctx), { k: "mfa", n: nonce, u: userId, e: ctx.now().getTime() + MFA_TTL_MS });
}

export async function readMfaToken(c: Ctx, token: unknown): Promise<string | null> {
  const ctx = c.get("app");
  const nonce = getCookie(c, CSRF_COOKIE);
  if (!nonce || typeof token !== "string") return null;
  const data = unsign<{ k: string; n: string; u: string; e: number }>(await key(ctx), token);
  if (data?.k !== "mfa" || data.n !== nonce || data.e <= ctx.now().getTime()) return null;
  return typeof data.u === "string" ? data.u : null;
}

function fingerprint(user: User): string {
  return sha256(`${user.password_hash}|${user.otp_enabled}`).slice(0, 16);
}

export async function startSession(c: Ctx, user: User): Promise<void> {
  const ctx = c.get("app");
  const value = sign(await key(ctx), {
    k: "session",
    u: user.id,
    f: fingerprint(user),
    e: ctx.now().getTime() + SESSION_TTL_MS,
  });
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(ctx),
    path: "/oauth",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

/** The signed-in user of this browser, if the session is valid and the user may still sign in. */
export async function sessionUser(c: Ctx): Promise<{ user: User; account: Account } | null> {
  const ctx = c.get("app");
  const data = unsign<{ k: string; u: string; f: string; e: number }>(
    await key(ctx),
    getCookie(c, SESSION_COOKIE),
  );
  if (data?.k !== "session" || data.e <= ctx.now().getTime() || typeof data.u !== "string") return null;
  const found = await activeUser(ctx, data.u);
  if (!found || fingerprint(found.user) !== data.f) return null;
  return found;
}

export function endSession(c: Ctx): void {
  setCookie(c, SESSION_COOKIE, "", {
    path: "/oauth",
    maxAge: 0,
    secure: secure(c.get("app")),
    httpOnly: true,
  });
}
