/**
 * Fixed-window rate limits, as Mastodon's rack-attack throttles: a counter per (rule, key, window),
 * windows aligned to multiples of the period so every process agrees on when one resets. Counters
 * live in memory for one process, or in Redis (INCR + PEXPIREAT) when several web processes run.
 */

import { isIP } from "node:net";
import { type AppContext, dropOwned, owned, replaceOwned, resourceKey } from "../app.ts";
import { newRedis } from "./redis.ts";

/** The eight 16-bit groups of an address that isIP() calls IPv6. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    // a trailing dotted IPv4 part is the last two groups
    const [a, b, c, d] = last.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part ? part.split(":").map((h) => Number.parseInt(h, 16)) : []);
  const gap = text.indexOf("::");
  if (gap < 0) return parse(text);
  const left = parse(text.slice(0, gap));
  const right = parse(text.slice(gap + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The key every IP-keyed limit counts under: an IPv4 address as it is (IPv4-mapped IPv6 too, so
 * `::ffff:192.0.2.1` and `192.0.2.1` share a budget) and an IPv6 address by its /64, since one
 * subscriber is routinely given a whole /64 and could otherwise use a fresh address per request
 * (Mastodon's rack-attack masks IPv6 the same way). Anything else (no socket: "unknown") is kept.
 */
export function ipLimitKey(address: string): string {
  let a = address.trim().toLowerCase();
  if (a.startsWith("[") && a.endsWith("]")) a = a.slice(1, -1);
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone);
  const kind = isIP(a);
  if (kind === 4) return a;
  if (kind !== 6) return address;
  const g = ipv6Groups(a);
  if (g.slice(0, 5).every((w) => w === 0) && g[5] === 0xffff) {
    return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join(".");
  }
  return `${g
    .slice(0, 4)
    .map((w) => w.toString(16))
    .join(":")}::/64`;
}

export interface RateLimitRule {
  limit: number;
  periodMs: number;
}

/** The throttles the HTTP layer applies; names are stable (they are part of counter keys). */
export interface RateLimits {
  /** sign-in, token, app and account registration requests, per IP */
  auth: RateLimitRule;
  /** POST/PUT/PATCH/DELETE under /api, per account (or per token for app-only tokens) */
  write: RateLimitRule;
  /** any /api request with a token, per account */
  authenticated: RateLimitRule;
  /** any /api request without a token, per IP */
  anonymous: RateLimitRule;
  /**
   * failed password and two-factor checks, per account (every spelling of the login and every
   * client address share it); Mastodon allows 25 sign-in attempts per account an hour
   */
  signIn: RateLimitRule;
}

const FIVE_MINUTES = 5 * 60 * 1000;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  auth: { limit: 25, periodMs: FIVE_MINUTES },
  write: { limit: 300, periodMs: FIVE_MINUTES },
  authenticated: { limit: 1500, periodMs: FIVE_MINUTES },
  anonymous: { limit: 300, periodMs: FIVE_MINUTES },
  signIn: { limit: 25, periodMs: 60 * 60 * 1000 },
};

export interface RateLimitResult {
  limit: number;
  remaining: number;
  resetAt: Date;
  exceeded: boolean;
  /** gives back the unit this check took (a sign-in attempt that turned out to succeed) */
  release(): Promise<void>;
}

/** Where counters live. `hit` increments and returns the count within the window ending at `resetAtMs`. */
export interface CounterStore {
  hit(key: string, resetAtMs: number, nowMs: number): Promise<number>;
  /** undoes one hit of the window (optional: a store without it keeps every hit) */
  release?(key: string, resetAtMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryCounterStore(): CounterStore {
  const counters = new Map<string, { count: number; resetAtMs: number }>();
  let lastSweep = 0;
  return {
    hit: async (key, resetAtMs, nowMs) => {
      // Expired windows are dropped at most once a second, so memory follows the active clients.
      if (nowMs - lastSweep > 1000) {
        lastSweep = nowMs;
        for (const [k, v] of counters) if (v.resetAtMs <= nowMs) counters.delete(k);
      }
      const entry = counters.get(key);
      if (entry && entry.resetAtMs > nowMs) {
        entry.count++;
        return entry.count;
      }
      counters.set(key, { count: 1, resetAtMs });
      return 1;
    },
    release: async (key) => {
      const entry = counters.get(key);
      if (entry && entry.count > 0) entry.count--;
    },
    close: async () => {
      counters.clear();
    },
  };
}

export function createRedisCounterStore(url: string, prefix = "torgai:rl:"): CounterStore {
  const redis = newRedis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on("error", () => {}); // reported by failing hits, not as unhandled events
  return {
    hit: async (key, resetAtMs) => {
      const k = prefix + key;
      // The key names its window, so PEXPIREAT (a little past the window) is idempotent.
      const res = await redis
        .multi()
        .incr(k)
        .pexpireat(k, resetAtMs + 1000)
        .exec();
      const first = res?.[0];
      if (!first || first[0]) throw first?.[0] ?? new Error("redis rate limit failed");
      return Number(first[1]);
    },
    release: async (key, resetAtMs) => {
      const k = prefix + key;
      // an expired window stays expired: PEXPIREAT in the past deletes what DECR recreated
      await redis
        .multi()
        .decr(k)
        .pexpireat(k, resetAtMs + 1000)
        .exec();
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export interface RateLimiter {
  readonly limits: RateLimits;
  check(rule: keyof RateLimits, key: string): Promise<RateLimitResult>;
  close(): Promise<void>;
}

export function createRateLimiter(opts: {
  store: CounterStore;
  now: () => Date;
  limits?: Partial<RateLimits>;
}): RateLimiter {
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...opts.limits };
  return {
    limits,
    async check(ruleName, key) {
      const rule = limits[ruleName];
      const nowMs = opts.now().getTime();
      const windowStart = Math.floor(nowMs / rule.periodMs) * rule.periodMs;
      const resetAtMs = windowStart + rule.periodMs;
      const counter = `${ruleName}:${key}:${windowStart}`;
      const count = await opts.store.hit(counter, resetAtMs, nowMs);
      return {
        limit: rule.limit,
        remaining: Math.max(0, rule.limit - count),
        resetAt: new Date(resetAtMs),
        exceeded: count > rule.limit,
        release: async () => {
          await opts.store.release?.(counter, resetAtMs);
        },
      };
    },
    close: () => opts.store.close(),
  };
}

function defaultCounterStore(ctx: AppContext): CounterStore {
  return ctx.config.redisUrl ? createRedisCounterStore(ctx.config.redisUrl) : createMemoryCounterStore();
}

/**
 * The context's limiter: one per context, so every Hono app built on it (and every request) shares
 * the counters. Redis-backed when REDIS_URL is set.
 */
const LIMITER = resourceKey(
  "rate limiter",
  (ctx): RateLimiter => createRateLimiter({ store: defaultCounterStore(ctx), now: ctx.now }),
  (limiter) => limiter.close(),
);

export function rateLimiterFor(ctx: AppContext): RateLimiter {
  return owned(ctx, LIMITER);
}

/** Replaces the context's limiter (tests use small limits; an operator tool could too). */
export function configureRateLimiter(
  ctx: AppContext,
  opts: { limits?: Partial<RateLimits>; store?: CounterStore },
): RateLimiter {
  const limiter = createRateLimiter({
    store: opts.store ?? defaultCounterStore(ctx),
    now: ctx.now,
    limits: opts.limits,
  });
  replaceOwned(ctx, LIMITER, limiter);
  return limiter;
}

/** Closes the context's limiter (its Redis connection, if any); closeContext does it too. */
export function closeRateLimiter(ctx: AppContext): Promise<void> {
  return dropOwned(ctx, LIMITER);
}
