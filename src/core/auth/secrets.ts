import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type AppContext, owned, resourceKey } from "../../app.ts";

/**
 * Installation-wide random keys, generated on first use and kept in the database so that every web
 * process (and a restart) agrees on them. Used for HMAC-signed CSRF tokens and login cookies, the
 * instance's VAPID key (Web Push) and the key that seals push subscriptions' tokens.
 */
const SECRETS = resourceKey("server secrets", () => new Map<string, Promise<Buffer>>());

export function serverSecret(
  ctx: AppContext,
  name: string,
  /** makes the value the first time; 32 random bytes unless the key has a form (a P-256 scalar) */
  generate: () => Buffer = () => randomBytes(32),
): Promise<Buffer> {
  const perCtx = owned(ctx, SECRETS);
  let p = perCtx.get(name);
  if (!p) {
    p = loadOrCreate(ctx, name, generate);
    perCtx.set(name, p);
    p.catch(() => perCtx.delete(name));
  }
  return p;
}

async function loadOrCreate(ctx: AppContext, name: string, generate: () => Buffer): Promise<Buffer> {
  const existing = await ctx.db
    .selectFrom("server_secrets")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirst();
  if (existing) return Buffer.from(existing.value, "base64url");
  const value = generate().toString("base64url");
  // two processes racing here: the loser's insert is ignored and it reads the winner's key
  await ctx.db
    .insertInto("server_secrets")
    .values({ name, value, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const row = await ctx.db
    .selectFrom("server_secrets")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, "base64url");
}

export function hmac(key: Buffer, data: string): string {
  return createHmac("sha256", key).update(data).digest("base64url");
}

/** Constant-time string comparison (length leaks, content does not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/** `payload.signature` with payload base64url JSON; verified and parsed by `unsign`. */
export function sign(key: Buffer, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${hmac(key, body)}`;
}

export function unsign<T>(key: Buffer, token: string | undefined | null): T | null {
  if (!token || token.length > 4096) return null;
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  if (!safeEqual(hmac(key, body), token.slice(dot + 1))) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}
