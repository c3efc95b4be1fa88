/**
 * Rate-limit middleware for /api, /oauth and /auth. Which throttles apply:
 * - sign-in, token, revocation, app registration and account registration (POST): `auth`, per
 *   client IP (each of them checks a secret, so each is a guessing oracle);
 * - /api with a token: `authenticated` per account (per token for app-only tokens);
 * - /api without a valid token: `anonymous` per client IP;
 * - streaming WebSocket upgrades count like /api requests (src/api/streaming/websocket.ts);
 * - /api writes (POST/PUT/PATCH/DELETE): `write` per account, or per IP without a token.
 * "Per IP" means per `ipLimitKey`: an IPv4 address, or an IPv6 address's /64.
 * Responses carry X-RateLimit-Limit/Remaining/Reset for the tightest throttle that applied (Reset is
 * ISO 8601, as Mastodon sends it); an exceeded throttle answers 429 {"error":"Too many requests"}.
 */
import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { MiddlewareHandler } from "hono";
import type { AppContext } from "../app.ts";
import type { AccessGrant } from "../core/auth/tokens.ts";
import { RateLimitError } from "../core/errors.ts";
import { ipLimitKey, type RateLimitResult, type RateLimits, rateLimiterFor } from "../core/ratelimit.ts";
import type { Ctx, HonoEnv } from "./context.ts";

const AUTH_PATHS = new Set([
  "/oauth/token",
  "/oauth/revoke",
  "/oauth/authorize",
  "/api/v1/accounts",
  "/api/v1/apps",
  "/auth/sign_in",
  "/auth/sign_up",
]);
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function stripMapped(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [net, bits] = entry.split("/");
    const type = isIP(net) === 6 ? "ipv6" : "ipv4";
    if (bits !== undefined) list.addSubnet(net, Number(bits), type);
    else list.addAddress(net, type);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const type = isIP(address);
  if (type === 0) return false;
  return list.check(address, type === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * untrusted address in X-Forwarded-For (read right to left, as each proxy appends).
 */
export function clientIp(c: Ctx, trusted: BlockList): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    // app.request() in tests has no socket
  }
  return clientAddress(peer, c.req.header("x-forwarded-for"), trusted);
}

/** `clientIp` from the parts of a raw request (the WebSocket upgrade has no Hono context). */
export function clientAddress(
  socketPeer: string | undefined,
  forwarded: string | undefined,
  trusted: BlockList,
): string {
  const peer = stripMapped(socketPeer ?? "unknown");
  if (!isTrusted(trusted, peer)) return peer;
  if (!forwarded) return peer;
  const hops = forwarded
    .split(",")
    .map((h) => stripMapped(h.trim()))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(trusted, hops[i])) return hops[i];
  }
  return hops[0] ?? peer;
}

function applies(path: string): boolean {
  return path.startsWith("/api/") || path.startsWith("/oauth/") || path.startsWith("/auth/");
}

/**
 * The throttle every request counts against: per account with a token (per token when app-only),
 * per IP without one — or with a token that is unknown, revoked or expired, so guessing tokens
 * spends the IP's anonymous budget.
 */
export function requestThrottle(
  grant: AccessGrant | null | undefined,
  ip: string,
): [keyof RateLimits, string] {
  if (!grant) return ["anonymous", `ip:${ip}`];
  return ["authenticated", grant.account ? `a:${grant.account.id}` : `t:${grant.tokenId}`];
}

/**
 * One throttle check outside the middleware (WebSocket upgrades): the exceeded result, or null
 * when within the limit, when limits are off, or when the limiter is unavailable.
 */
export async function exceededThrottle(
  ctx: AppContext,
  rule: keyof RateLimits,
  key: string,
): Promise<RateLimitResult | null> {
  if (!ctx.config.rateLimit) return null;
  try {
    const result = await rateLimiterFor(ctx).check(rule, key);
    return result.exceeded ? result : null;
  } catch (err) {
    ctx.logger.warn({ err }, "rate limiter unavailable; request allowed");
    return null;
  }
}

export function rateLimitMiddleware(ctx: AppContext): MiddlewareHandler<HonoEnv> {
  const trusted = trustedProxyList(ctx.config.trustedProxies);
  return async (c, next) => {
    if (!ctx.config.rateLimit || c.req.method === "OPTIONS" || !applies(c.req.path)) return next();
    const path = c.req.path.replace(/\/+$/, "") || "/";
    const method = c.req.method;
    const ip = ipLimitKey(clientIp(c, trusted));
    const checks: [keyof RateLimits, string][] = [];
    if (method === "POST" && AUTH_PATHS.has(path)) checks.push(["auth", `ip:${ip}`]);
    if (path.startsWith("/api/")) {
      const throttle = requestThrottle(c.get("grant"), ip);
      checks.push(throttle);
      if (WRITE_METHODS.has(method)) checks.push(["write", throttle[1]]);
    }
    if (checks.length === 0) return next();

    let results: RateLimitResult[];
    try {
      const limiter = rateLimiterFor(ctx);
      results = await Promise.all(checks.map(([rule, key]) => limiter.check(rule, key)));
    } catch (err) {
      // A limiter outage (Redis down) must not take the API down with it.
      ctx.logger.warn({ err }, "rate limiter unavailable; request allowed");
      return next();
    }
    const exceeded = results.find((r) => r.exceeded);
    const shown =
      exceeded ??
      results.reduce((a, b) =>
        b.remaining < a.remaining || (b.remaining === a.remaining && b.limit < a.limit) ? b : a,
      );
    const headers: [string, string][] = [
      ["X-RateLimit-Limit", String(shown.limit)],
      ["X-RateLimit-Remaining", String(shown.remaining)],
      ["X-RateLimit-Reset", shown.resetAt.toISOString()],
    ];
    for (const [k, v] of headers) c.header(k, v);
    if (exceeded) throw new RateLimitError(exceeded.resetAt);
    await next();
    // Handlers that build their own Response bypass prepared headers; put them on the result.
    for (const [k, v] of headers) {
      try {
        if (!c.res.headers.has(k)) c.res.headers.set(k, v);
      } catch {
        // immutable headers (a proxied response): leave them as they are
      }
    }
  };
}
