import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestContext, STORES } from "../../test/helpers/harness.ts";
import { closeContext } from "../app.ts";
import { createLocalAccount } from "./accounts/create.ts";
import {
  type CachedResponse,
  cachedResponse,
  enableResponseCache,
  responseCacheOptions,
  responseCacheStats,
} from "./response-cache.ts";

const body = (text: string): CachedResponse => ({ body: new TextEncoder().encode(text), headers: {} });
const text = (r: CachedResponse) => new TextDecoder().decode(r.body);

for (const kind of STORES) {
  test(`response cache: generation, clock, viewers and memory bound [${kind}]`, async () => {
    let clock = Date.parse("2026-03-01T10:00:00Z");
    const ctx = await createTestContext(kind, { now: () => new Date(clock) });
    const options = { ...responseCacheOptions };
    try {
      let builds = 0;
      const build = (t: string) => async () => {
        builds++;
        return body(t);
      };
      // off until the process says it owns every write
      await cachedResponse(ctx, "1", "/a", build("x"));
      await cachedResponse(ctx, "1", "/a", build("x"));
      assert.equal(builds, 2);
      assert.equal(responseCacheStats(ctx).entries, 0);

      enableResponseCache(ctx);
      assert.equal(text(await cachedResponse(ctx, "1", "/a", build("one"))), "one");
      assert.equal(text(await cachedResponse(ctx, "1", "/a", build("two"))), "one");
      assert.equal(builds, 3);
      // another viewer, another request: their own entries
      assert.equal(text(await cachedResponse(ctx, "2", "/a", build("other viewer"))), "other viewer");
      assert.equal(text(await cachedResponse(ctx, "1", "/b", build("other page"))), "other page");
      assert.equal(text(await cachedResponse(ctx, "1", "/a", build("three"))), "one");

      // any write to the store ends every entry
      await createLocalAccount(ctx, { username: "writer", password: "password123" });
      assert.equal(text(await cachedResponse(ctx, "1", "/a", build("after write"))), "after write");
      assert.equal(text(await cachedResponse(ctx, "2", "/a", build("after write 2"))), "after write 2");

      // a write while the response is built: answered, not kept
      const racing = await cachedResponse(ctx, "3", "/a", async () => {
        await ctx.db.updateTable("accounts").set({ note: "during" }).execute();
        return body("raced");
      });
      assert.equal(text(racing), "raced");
      assert.equal(text(await cachedResponse(ctx, "3", "/a", build("rebuilt"))), "rebuilt");

      // time alone (poll and mute expiry): the context's clock moving past the TTL ends an entry
      clock += responseCacheOptions.ttlMs;
      assert.equal(text(await cachedResponse(ctx, "3", "/a", build("later"))), "later");
      clock -= 5_000; // a clock set back does not revive anything either
      assert.equal(text(await cachedResponse(ctx, "3", "/a", build("earlier"))), "earlier");

      // memory: bodies over the entry limit are not kept; the total stays under the budget
      responseCacheOptions.maxEntryBytes = 100;
      responseCacheOptions.maxBytes = 250;
      await cachedResponse(ctx, "4", "/big", async () => body("x".repeat(101)));
      assert.equal(text(await cachedResponse(ctx, "4", "/big", build("small"))), "small");
      for (let i = 0; i < 10; i++) await cachedResponse(ctx, "5", `/p${i}`, async () => body("y".repeat(90)));
      assert.ok(responseCacheStats(ctx).bytes <= 250, `${responseCacheStats(ctx).bytes} bytes held`);
      // least recently used out first: the newest pages are still there
      assert.equal(text(await cachedResponse(ctx, "5", "/p9", build("gone"))), "y".repeat(90));
      assert.equal(text(await cachedResponse(ctx, "5", "/p0", build("rebuilt p0"))), "rebuilt p0");
    } finally {
      Object.assign(responseCacheOptions, options);
      await closeContext(ctx);
    }
  });
}
