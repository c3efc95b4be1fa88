import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestContext } from "../test/helpers/harness.ts";
import { closeContext, owned, replaceOwned, resourceKey } from "./app.ts";
import { loginThrottleFor } from "./core/auth/throttle.ts";
import { rateLimiterFor } from "./core/ratelimit.ts";

test("a context owns its caches, limiters and registries; closeContext closes them newest first", async () => {
  const ctx = await createTestContext("sqlite", { config: { REDIS_URL: "redis://127.0.0.1:6379" } });
  const closed: string[] = [];
  const a = resourceKey(
    "a",
    () => ({ n: 1 }),
    () => void closed.push("a"),
  );
  const b = resourceKey(
    "b",
    () => ({ n: 2 }),
    () => void closed.push("b"),
  );
  assert.equal(owned(ctx, a), owned(ctx, a), "made once per context");
  owned(ctx, b);
  replaceOwned(ctx, b, { n: 3 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(closed, ["b"], "a replaced resource is closed");
  // the server's own: a Redis-backed limiter (a connection that would keep the process alive)
  await rateLimiterFor(ctx).check("anonymous", "ip:192.0.2.1");
  loginThrottleFor(ctx);
  const other = await createTestContext("sqlite");
  assert.notEqual(loginThrottleFor(other), loginThrottleFor(ctx), "each context has its own");
  await closeContext(other);
  await closeContext(ctx);
  assert.deepEqual(closed, ["b", "b", "a"]);
  assert.equal(ctx.resources.size, 0, "nothing is left behind");
});
