import assert from "node:assert/strict";
import { test } from "node:test";
import type { KvKey, KvStore } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { createTestContext, STORES } from "../../test/helpers/harness.ts";
import { type AppContext, closeContext } from "../app.ts";
import { createKvStore, sweepExpiredKv } from "./kv.ts";

/** A test on each store with a clock the test moves (`clock.ms += …`) instead of sleeping. */
function kvTest(name: string, fn: (kv: KvStore, clock: { ms: number }, ctx: AppContext) => Promise<void>) {
  for (const kind of STORES) {
    test(`${name} [${kind}]`, async () => {
      const clock = { ms: Date.parse("2026-01-01T00:00:00Z") };
      const ctx = await createTestContext(kind, { now: () => new Date(clock.ms) });
      try {
        await fn(createKvStore(ctx), clock, ctx);
      } finally {
        await closeContext(ctx);
      }
    });
  }
}

async function listAll(kv: KvStore, prefix?: KvKey) {
  const out: [KvKey, unknown][] = [];
  for await (const e of kv.list(prefix)) out.push([e.key, e.value]);
  return out;
}

const seconds = (n: number) => Temporal.Duration.from({ seconds: n });

kvTest("get, set and delete round-trip JSON values under array keys", async (kv) => {
  assert.equal(await kv.get(["a"]), undefined);
  const doc = { "@context": "https://www.w3.org/ns/activitystreams", id: "https://x.test/1", n: [1, 2] };
  await kv.set(["_fedify", "remoteDocument", "https://x.test/1"], doc);
  await kv.set(["a"], "text");
  await kv.set(["a", "b"], 42);
  await kv.set(["flag"], true);
  assert.deepEqual(await kv.get(["_fedify", "remoteDocument", "https://x.test/1"]), doc);
  assert.equal(await kv.get(["a"]), "text");
  assert.equal(await kv.get(["a", "b"]), 42);
  assert.equal(await kv.get(["flag"]), true);
  // ["a","b"] and ["a,b"] are different keys
  assert.equal(await kv.get(["a,b"]), undefined);
  await kv.set(["a"], { replaced: true });
  assert.deepEqual(await kv.get(["a"]), { replaced: true });
  await kv.delete(["a"]);
  assert.equal(await kv.get(["a"]), undefined);
  assert.equal(await kv.get(["a", "b"]), 42, "deleting a key leaves longer keys alone");
  await kv.delete(["missing"]); // no error
});

kvTest("an entry is invisible once its ttl has passed, and the sweep deletes it", async (kv, clock, ctx) => {
  await kv.set(["short"], 1, { ttl: seconds(10) });
  await kv.set(["forever"], 2);
  clock.ms += 9_999;
  assert.equal(await kv.get(["short"]), 1);
  clock.ms += 1;
  assert.equal(await kv.get(["short"]), undefined);
  assert.deepEqual(await listAll(kv), [[["forever"], 2]]);
  assert.equal(await sweepExpiredKv(ctx), 1);
  const rows = await ctx.db.selectFrom("fedify_kv").select("key").execute();
  assert.deepEqual(
    rows.map((r) => r.key),
    ['["forever"]'],
  );
  // setting again without ttl makes it permanent
  await kv.set(["short"], 3, { ttl: seconds(1) });
  await kv.set(["short"], 4);
  clock.ms += 3600_000;
  assert.equal(await kv.get(["short"]), 4);
});

kvTest("set sweeps expired entries by itself, at most once a minute", async (kv, clock, ctx) => {
  await kv.set(["old"], 1, { ttl: seconds(1) }); // this set sweeps (first one), nothing to delete
  clock.ms += 2_000;
  await kv.set(["x"], 1); // within the minute: no sweep, the expired row stays (invisible)
  const count = async () => (await ctx.db.selectFrom("fedify_kv").select("key").execute()).length;
  assert.equal(await count(), 2);
  clock.ms += 60_000;
  await kv.set(["y"], 1);
  assert.equal(await count(), 2, "the expired entry was swept");
  assert.equal(await kv.get(["old"]), undefined);
});

kvTest("list returns live entries under a prefix of whole key parts", async (kv, clock) => {
  await kv.set(["p", "1"], "one");
  await kv.set(["p", "2", "deep"], "two");
  await kv.set(["p"], "self");
  await kv.set(["pq"], "not under p");
  await kv.set(["p", "gone"], "x", { ttl: seconds(1) });
  await kv.set(["q", "1"], "other");
  clock.ms += 1_000;
  const under = await listAll(kv, ["p"]);
  assert.deepEqual(
    new Map(under.map(([k, v]) => [JSON.stringify(k), v])),
    new Map<string, unknown>([
      ['["p"]', "self"],
      ['["p","1"]', "one"],
      ['["p","2","deep"]', "two"],
    ]),
  );
  assert.deepEqual(await listAll(kv, ["p", "2"]), [[["p", "2", "deep"], "two"]]);
  assert.equal((await listAll(kv)).length, 5);
  assert.deepEqual(await listAll(kv, ["nothing"]), []);
  // prefixes with non-ASCII and characters that LIKE would treat specially
  await kv.set(["қазақ", "%_"], "kk");
  await kv.set(["қазақ", "x"], "kk2");
  await kv.set(["қаз"], "shorter");
  assert.deepEqual((await listAll(kv, ["қазақ"])).map(([, v]) => v).sort(), ["kk", "kk2"]);
  assert.deepEqual(await listAll(kv, ["қазақ", "%_"]), [[["қазақ", "%_"], "kk"]]);
});

kvTest("cas swaps only when the live value equals the expected one", async (kv, clock) => {
  const cas = kv.cas!.bind(kv);
  // absent → value
  assert.equal(await cas(["c"], undefined, { v: 1 }), true);
  assert.equal(await cas(["c"], undefined, { v: 2 }), false, "a live value is not 'absent'");
  assert.deepEqual(await kv.get(["c"]), { v: 1 });
  // value → value, compared as JSON values (key order does not matter)
  await kv.set(["o"], { a: 1, b: [1, 2] });
  assert.equal(await cas(["o"], { b: [1, 2], a: 1 }, "next"), true);
  assert.equal(await kv.get(["o"]), "next");
  assert.equal(await cas(["o"], "stale", "never"), false);
  assert.equal(await kv.get(["o"]), "next");
  assert.equal(await cas(["missing"], "x", "y"), false);
  // an expired entry counts as absent
  await kv.set(["e"], "old", { ttl: seconds(1) });
  clock.ms += 1_000;
  assert.equal(await cas(["e"], "old", "new"), false);
  assert.equal(await cas(["e"], undefined, "new", { ttl: seconds(5) }), true);
  assert.equal(await kv.get(["e"]), "new");
  clock.ms += 5_000;
  assert.equal(await kv.get(["e"]), undefined, "cas honours its ttl");
  // value → absent deletes
  await kv.set(["d"], 1);
  assert.equal(await cas(["d"], 1, undefined), true);
  assert.equal(await kv.get(["d"]), undefined);
});

kvTest("concurrent cas from absent: exactly one wins", async (kv) => {
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => kv.cas!(["race"], undefined, i)));
  assert.equal(results.filter(Boolean).length, 1);
  const winner = results.indexOf(true);
  assert.equal(await kv.get(["race"]), winner);
  const swaps = await Promise.all(Array.from({ length: 8 }, (_, i) => kv.cas!(["race"], winner, 100 + i)));
  assert.equal(swaps.filter(Boolean).length, 1);
});
