import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { apiCaller, createTestContext, createTestUser } from "../../test/helpers/harness.ts";
import { registerTestApp } from "../../test/helpers/oauth.ts";
import { closeContext } from "../app.ts";
import {
  closeRateLimiter,
  configureRateLimiter,
  createMemoryCounterStore,
  createRateLimiter,
  createRedisCounterStore,
} from "../core/ratelimit.ts";
import { startServer } from "../server.ts";

const ON = { config: { TORGAI_RATE_LIMIT: "1" } };

test("fixed windows: counts, remaining, reset at the window end", async () => {
  let now = Date.UTC(2025, 0, 1, 12, 0, 30);
  const limiter = createRateLimiter({
    store: createMemoryCounterStore(),
    now: () => new Date(now),
    limits: { auth: { limit: 2, periodMs: 60_000 } },
  });
  const a = await limiter.check("auth", "ip:1");
  assert.deepEqual(
    [a.remaining, a.exceeded, a.resetAt.toISOString()],
    [1, false, "2025-01-01T12:01:00.000Z"],
  );
  await limiter.check("auth", "ip:1");
  assert.equal((await limiter.check("auth", "ip:1")).exceeded, true);
  assert.equal((await limiter.check("auth", "ip:2")).exceeded, false, "keys are separate");
  now += 30_000; // next window
  assert.equal((await limiter.check("auth", "ip:1")).remaining, 1);
});

test("Redis counters are shared between limiters (web processes)", async () => {
  const key = `ip:${randomBytes(6).toString("hex")}`;
  const limits = { auth: { limit: 3, periodMs: 60_000 } };
  const one = createRateLimiter({
    store: createRedisCounterStore("redis://127.0.0.1:6379"),
    now: () => new Date(),
    limits,
  });
  const two = createRateLimiter({
    store: createRedisCounterStore("redis://127.0.0.1:6379"),
    now: () => new Date(),
    limits,
  });
  try {
    await one.check("auth", key);
    await two.check("auth", key);
    await one.check("auth", key);
    const r = await two.check("auth", key);
    assert.equal(r.exceeded, true);
    assert.equal(r.remaining, 0);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

test("every /api response carries X-RateLimit-*; 429 once exceeded", async () => {
  const ctx = await createTestContext("sqlite", ON);
  try {
    configureRateLimiter(ctx, { limits: { anonymous: { limit: 3, periodMs: 300_000 } } });
    const api = apiCaller(ctx);
    const first = await api("/api/v1/instance");
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-ratelimit-limit"), "3");
    assert.equal(first.headers.get("x-ratelimit-remaining"), "2");
    assert.match(first.headers.get("x-ratelimit-reset") ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // errors carry them too
    const missing = await api("/api/v1/nothing-here");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-ratelimit-remaining"), "1");
    await api("/api/v1/instance");
    const limited = await api("/api/v1/instance");
    assert.equal(limited.status, 429);
    assert.deepEqual(await limited.json(), { error: "Too many requests" });
    assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    // healthz and non-API paths are not throttled
    assert.equal((await api("/healthz")).status, 200);
  } finally {
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test("writes are limited per account, not per IP", async () => {
  const ctx = await createTestContext("sqlite", ON);
  try {
    configureRateLimiter(ctx, { limits: { write: { limit: 2, periodMs: 300_000 } } });
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const write = (u: typeof a) => u.api("/api/v2/filters", { json: { title: "t", context: ["home"] } });
    assert.equal((await write(a)).status, 200);
    const second = await write(a);
    assert.equal(second.headers.get("x-ratelimit-limit"), "2");
    assert.equal(second.headers.get("x-ratelimit-remaining"), "0");
    assert.equal((await write(a)).status, 429);
    assert.equal((await write(b)).status, 200, "another account has its own budget");
    const read = await a.api("/api/v2/filters");
    assert.equal(read.status, 200, "reads use the larger authenticated budget");
    assert.equal(read.headers.get("x-ratelimit-limit"), "1500");
  } finally {
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test("sign-in and registration are limited per client IP; X-Forwarded-For only from trusted proxies", async () => {
  const ctx = await createTestContext("sqlite", ON);
  const srv = await startServer(ctx, { port: 0 });
  try {
    configureRateLimiter(ctx, { limits: { auth: { limit: 2, periodMs: 300_000 } } });
    const token = (ip?: string) =>
      fetch(`${srv.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(ip ? { "x-forwarded-for": ip } : {}) },
        body: JSON.stringify({ grant_type: "password", username: "x", password: "y" }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r;
      });
    // the test client connects from 127.0.0.1, a trusted proxy by default, so X-Forwarded-For counts
    await token("203.0.113.5");
    await token("203.0.113.5");
    const limited = await token("203.0.113.5");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("x-ratelimit-limit"), "2");
    assert.notEqual((await token("203.0.113.6")).status, 429, "another client IP");
    // a spoofed hop before an untrusted one does not help: the nearest untrusted address is used
    assert.equal((await token("198.51.100.1, 203.0.113.5")).status, 429);
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
  // an untrusted peer's X-Forwarded-For is ignored
  const strict = await createTestContext("sqlite", {
    config: { ...ON.config, TORGAI_TRUSTED_PROXIES: "10.0.0.1" },
  });
  const srv2 = await startServer(strict, { port: 0 });
  try {
    configureRateLimiter(strict, { limits: { anonymous: { limit: 1, periodMs: 300_000 } } });
    const get = (ip: string) => fetch(`${srv2.url}/api/v1/instance`, { headers: { "x-forwarded-for": ip } });
    assert.equal((await get("203.0.113.7")).status, 200);
    const r = await get("203.0.113.8");
    assert.equal(r.status, 429, "both requests counted against 127.0.0.1");
    await r.arrayBuffer();
  } finally {
    await srv2.close();
    await closeContext(strict);
  }
});

test("IPv6 clients are limited per /64, IPv4-mapped addresses as IPv4", async () => {
  const ctx = await createTestContext("sqlite", ON);
  try {
    configureRateLimiter(ctx, {
      limits: { auth: { limit: 2, periodMs: 300_000 }, anonymous: { limit: 2, periodMs: 300_000 } },
    });
    const api = apiCaller(ctx);
    const register = (remoteAddress: string, forwarded?: string) =>
      api("/api/v1/apps", {
        json: { client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" },
        remoteAddress,
        headers: forwarded ? { "x-forwarded-for": forwarded } : {},
      });
    assert.equal((await register("2001:db8:1:2::a")).status, 200);
    assert.equal((await register("2001:db8:1:2:ffff:ffff:ffff:ffff")).status, 200);
    assert.equal((await register("2001:db8:1:2::3")).status, 429, "a third address of the same /64");
    // through a trusted proxy (loopback) the forwarded address is grouped the same way
    assert.equal((await register("127.0.0.1", "2001:db8:1:2:0:0:0:9")).status, 429);
    assert.equal((await register("2001:db8:1:3::a")).status, 200, "the neighbouring /64 is another client");
    const instance = (remoteAddress: string) => api("/api/v1/instance", { remoteAddress });
    assert.equal((await instance("::ffff:192.0.2.1")).status, 200);
    assert.equal((await instance("::ffff:c000:201")).status, 200);
    assert.equal((await instance("192.0.2.1")).status, 429, "mapped and plain IPv4 are one client");
  } finally {
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test("the sign-up throttle (5 per 30 minutes) counts an IPv6 /64 as one client", async () => {
  const ctx = await createTestContext("sqlite", ON);
  try {
    configureRateLimiter(ctx, { limits: { auth: { limit: 1000, periodMs: 300_000 } } });
    const app = await registerTestApp(ctx);
    const tok = await apiCaller(ctx)("/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: app.client_id,
        client_secret: app.client_secret,
        scope: "write",
      },
    });
    const api = apiCaller(ctx, String(((await tok.json()) as { access_token: string }).access_token));
    const signUp = (i: number, remoteAddress: string) =>
      api("/api/v1/accounts", {
        json: { username: `six4_${i}`, password: "long enough pw", agreement: true },
        remoteAddress,
      });
    for (let i = 0; i < 5; i++) assert.equal((await signUp(i, `2001:db8:64:64::${i + 1}`)).status, 200);
    assert.equal((await signUp(5, "2001:db8:64:64:abcd::1")).status, 429);
    assert.equal((await signUp(6, "2001:db8:64:65::1")).status, 200, "another /64");
  } finally {
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test("token revocation shares the per-IP limit of the other OAuth endpoints", async () => {
  const ctx = await createTestContext("sqlite", ON);
  const srv = await startServer(ctx, { port: 0 });
  try {
    configureRateLimiter(ctx, { limits: { auth: { limit: 2, periodMs: 300_000 } } });
    const post = (path: string) =>
      fetch(`${srv.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.9" },
        body: JSON.stringify({ client_id: "guess", client_secret: "guess", token: "guess" }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r;
      });
    assert.notEqual((await post("/oauth/revoke")).status, 429);
    assert.notEqual((await post("/oauth/token")).status, 429);
    const limited = await post("/oauth/revoke");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("x-ratelimit-limit"), "2");
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});

test("disabled when TORGAI_RATE_LIMIT=0 (the test default)", async () => {
  const ctx = await createTestContext("sqlite");
  try {
    configureRateLimiter(ctx, { limits: { anonymous: { limit: 1, periodMs: 300_000 } } });
    const api = apiCaller(ctx);
    await api("/api/v1/instance");
    const res = await api("/api/v1/instance");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-ratelimit-limit"), null);
  } finally {
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});
