import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import {
  createMemoryCounterStore,
  createRateLimiter,
  createRedisCounterStore,
  ipLimitKey,
} from "./ratelimit.ts";

const REDIS = "redis://127.0.0.1:6379";

test("ipLimitKey: IPv4 as is, IPv6 by /64 in one spelling, IPv4-mapped IPv6 as IPv4", () => {
  const cases: [string, string][] = [
    ["192.0.2.7", "192.0.2.7"],
    ["2001:db8:1:2::a", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8:0:0:1::", "2001:db8:0:0::/64"],
    ["[2001:db8:1:2::1]", "2001:db8:1:2::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["::FFFF:c000:0207", "192.0.2.7"],
    ["0:0:0:0:0:ffff:192.0.2.7", "192.0.2.7"],
    ["64:ff9b::192.0.2.7", "64:ff9b:0:0::/64"],
    ["unknown", "unknown"],
  ];
  for (const [address, key] of cases) assert.equal(ipLimitKey(address), key, address);
});

test("release gives a unit back to the window it was taken from", async () => {
  let now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const limiter = createRateLimiter({
    store: createMemoryCounterStore(),
    now: () => new Date(now),
    limits: { signIn: { limit: 2, periodMs: 60_000 } },
  });
  const first = await limiter.check("signIn", "account:1");
  await first.release();
  await limiter.check("signIn", "account:1");
  assert.equal((await limiter.check("signIn", "account:1")).exceeded, false, "the released unit is free");
  assert.equal((await limiter.check("signIn", "account:1")).exceeded, true);
  const late = await limiter.check("signIn", "account:2");
  now += 60_000; // next window: releasing the old one's unit does not credit the new one
  await late.release();
  await limiter.check("signIn", "account:2");
  await limiter.check("signIn", "account:2");
  assert.equal((await limiter.check("signIn", "account:2")).exceeded, true);
});

test("Redis counters: a released unit is free again for every process", async () => {
  const key = `account:${randomBytes(6).toString("hex")}`;
  const limits = { signIn: { limit: 1, periodMs: 60_000 } };
  const one = createRateLimiter({ store: createRedisCounterStore(REDIS), now: () => new Date(), limits });
  const two = createRateLimiter({ store: createRedisCounterStore(REDIS), now: () => new Date(), limits });
  try {
    await (await one.check("signIn", key)).release();
    assert.equal((await two.check("signIn", key)).exceeded, false);
    assert.equal((await one.check("signIn", key)).exceeded, true);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});
