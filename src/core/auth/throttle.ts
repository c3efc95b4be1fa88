import { type AppContext, owned, resourceKey } from "../../app.ts";
import { RateLimitError } from "../errors.ts";

/**
 * Failed-login throttle keyed by client IP and login name. It lives in process memory: enough for
 * one machine, and with several web processes each allows its own budget (an attacker gains at most
 * a factor of the process count). A shared store (Redis) can replace it behind the same interface.
 */
export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
  maxKeys: number;
}

interface Entry {
  failures: number;
  resetAt: number;
}

export class LoginThrottle {
  readonly #opts: LoginThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: Partial<LoginThrottleOptions> = {}) {
    this.#opts = { maxFailures: 5, windowMs: 15 * 60_000, maxKeys: 50_000, ...opts };
  }

  static key(ip: string, login: string): string {
    return `${ip}\u0000${login.trim().toLowerCase()}`;
  }

  /** Throws RateLimitError while the key is locked out. */
  check(key: string, now: number): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (e.resetAt <= now) {
      this.#entries.delete(key);
      return;
    }
    if (e.failures >= this.#opts.maxFailures) throw new RateLimitError(new Date(e.resetAt));
  }

  fail(key: string, now: number): void {
    let e = this.#entries.get(key);
    if (!e || e.resetAt <= now) {
      if (this.#entries.size >= this.#opts.maxKeys) this.#sweep(now);
      e = { failures: 0, resetAt: now + this.#opts.windowMs };
      this.#entries.set(key, e);
    }
    e.failures++;
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(now: number): void {
    for (const [k, e] of this.#entries) if (e.resetAt <= now) this.#entries.delete(k);
    // still full: drop the oldest entries (Map keeps insertion order) rather than grow without bound
    for (const k of this.#entries.keys()) {
      if (this.#entries.size < this.#opts.maxKeys) break;
      this.#entries.delete(k);
    }
  }
}

/** A throttle owned by each context (tests get a fresh one with each context). */
export function throttleKey(name: string, opts?: Partial<LoginThrottleOptions>) {
  return resourceKey(name, () => new LoginThrottle(opts));
}

const LOGIN_THROTTLE = throttleKey("login throttle");

export function loginThrottleFor(ctx: AppContext): LoginThrottle {
  return owned(ctx, LOGIN_THROTTLE);
}
