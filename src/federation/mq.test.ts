import assert from "node:assert/strict";
import { test } from "node:test";
import type { MessageQueue } from "@fedify/fedify";
import { testMessageQueue } from "@fedify/testing";
import { Temporal } from "@js-temporal/polyfill";
import {
  createTestContext,
  persistentTestDatabase,
  STORES,
  type StoreKind,
} from "../../test/helpers/harness.ts";
import { type AppContext, closeContext } from "../app.ts";
import { createMessageQueue } from "./mq.ts";

/** A test on each store with a clock the test moves; workers are not started: tests drain. */
function mqTest(
  name: string,
  fn: (ctx: AppContext, mq: MessageQueue, clock: { ms: number }) => Promise<void>,
) {
  for (const kind of STORES) {
    test(`${name} [${kind}]`, async () => {
      const clock = { ms: Date.parse("2026-01-01T00:00:00Z") };
      const ctx = await createTestContext(kind, { now: () => new Date(clock.ms) });
      try {
        await fn(ctx, createMessageQueue(ctx), clock);
      } finally {
        await closeContext(ctx);
      }
    });
  }
}

const seconds = (n: number) => Temporal.Duration.from({ seconds: n });

async function pendingJobs(ctx: AppContext) {
  return ctx.db
    .selectFrom("jobs")
    .select(["status", "attempts", "last_error", "ordering_key"])
    .where("type", "=", "fedify.message")
    .execute();
}

for (const kind of STORES) {
  // Fedify's own conformance suite for queues: basic, delayed, batch, many messages, two consumers
  // (here two contexts on one database, as a web and a worker process would be) and ordering keys.
  test(`@fedify/testing testMessageQueue passes [${kind}]`, { timeout: 120_000 }, async () => {
    const database = await persistentTestDatabase(kind);
    const contexts: AppContext[] = [];
    try {
      await testMessageQueue(
        async () => {
          const ctx = await database.open();
          contexts.push(ctx);
          ctx.queue.start(2, 100);
          return createMessageQueue(ctx);
        },
        ({ controller }) => controller.abort(),
        { testOrderingKey: true },
      );
    } finally {
      for (const ctx of contexts) await closeContext(ctx);
      await database.dispose();
    }
  });
}

mqTest("messages wait without a listener, spending no attempt, and run once one listens", async (ctx, mq) => {
  await mq.enqueue({ n: 1 });
  assert.equal(await ctx.queue.drain(), 0);
  assert.deepEqual(
    (await pendingJobs(ctx)).map((j) => [j.status, j.attempts]),
    [["pending", 0]],
  );
  const seen: unknown[] = [];
  const controller = new AbortController();
  const listening = mq.listen((m) => void seen.push(m), { signal: controller.signal });
  assert.equal(await ctx.queue.drain(), 1);
  assert.deepEqual(seen, [{ n: 1 }]);
  controller.abort();
  await listening; // resolves on abort
  await mq.enqueue({ n: 2 });
  assert.equal(await ctx.queue.drain(), 0, "after abort the listener is gone and messages wait again");
  assert.deepEqual(seen, [{ n: 1 }]);
});

mqTest("a listener with an aborted signal never registers", async (ctx, mq) => {
  const seen: unknown[] = [];
  await mq.listen((m) => void seen.push(m), { signal: AbortSignal.abort() });
  await mq.enqueue("x");
  assert.equal(await ctx.queue.drain(), 0);
  assert.deepEqual(seen, []);
});

mqTest("a delay is honoured on the context's clock", async (ctx, mq, clock) => {
  const seen: unknown[] = [];
  const controller = new AbortController();
  void mq.listen((m) => void seen.push(m), { signal: controller.signal });
  await mq.enqueue("later", { delay: seconds(60) });
  await mq.enqueueMany!(["batch later 1", "batch later 2"], { delay: seconds(30) });
  await mq.enqueue("now");
  await ctx.queue.drain();
  assert.deepEqual(seen, ["now"]);
  assert.deepEqual(await mq.getDepth!(), { queued: 3, ready: 0, delayed: 3 });
  clock.ms += 30_000;
  await ctx.queue.drain();
  assert.deepEqual(seen, ["now", "batch later 1", "batch later 2"]);
  clock.ms += 29_999;
  assert.equal(await ctx.queue.drain(), 0);
  clock.ms += 1;
  await ctx.queue.drain();
  assert.deepEqual(seen, ["now", "batch later 1", "batch later 2", "later"]);
  assert.deepEqual(await mq.getDepth!(), { queued: 0, ready: 0, delayed: 0 });
  controller.abort();
});

mqTest(
  "a failing message is retried by our queue and holds back its ordering key only",
  async (ctx, mq, clock) => {
    assert.equal(mq.nativeRetrial, true);
    const seen: string[] = [];
    let failuresLeft = 1;
    const controller = new AbortController();
    void mq.listen(
      (m) => {
        const s = m as string;
        if (s === "a1" && failuresLeft-- > 0) throw new Error("inbox answered 503");
        seen.push(s);
      },
      { signal: controller.signal },
    );
    await mq.enqueue("a1", { orderingKey: "https://a.test/inbox" });
    await mq.enqueue("b1", { orderingKey: "https://b.test/inbox" });
    await mq.enqueueMany!(["a2", "a3"], { orderingKey: "https://a.test/inbox" });
    await mq.enqueue("free");
    await ctx.queue.drain();
    // a1 failed: a2 and a3 wait behind it; other keys and unkeyed messages go on
    assert.deepEqual(seen.sort(), ["b1", "free"]);
    const failed = (await pendingJobs(ctx)).find((j) => j.attempts === 1);
    assert.equal(failed?.status, "pending");
    assert.equal(failed?.last_error, "inbox answered 503");
    assert.equal(failed?.ordering_key, "fedify:https://a.test/inbox");
    clock.ms += 3600_000; // past the first backoff
    await ctx.queue.drain();
    assert.deepEqual(seen.slice(2), ["a1", "a2", "a3"]);
    controller.abort();
  },
);

mqTest("enqueueMany is all or nothing", async (ctx, mq) => {
  await assert.rejects(mq.enqueueMany!(["ok", undefined, "never"]));
  assert.equal((await pendingJobs(ctx)).length, 0);
  await mq.enqueueMany!([]);
  assert.equal((await pendingJobs(ctx)).length, 0);
});

async function durability(kind: StoreKind) {
  const database = await persistentTestDatabase(kind);
  try {
    const first = await database.open();
    const mq1 = createMessageQueue(first);
    await mq1.enqueue({ activity: "Create", n: 1 }, { orderingKey: "k" });
    await mq1.enqueueMany!([{ n: 2 }, { n: 3 }], { orderingKey: "k" });
    await closeContext(first); // the process ends (or is killed) before anything was consumed

    const second = await database.open();
    try {
      const seen: unknown[] = [];
      const controller = new AbortController();
      void createMessageQueue(second).listen((m) => void seen.push(m), { signal: controller.signal });
      await second.queue.drain();
      assert.deepEqual(seen, [{ activity: "Create", n: 1 }, { n: 2 }, { n: 3 }]);
      controller.abort();
    } finally {
      await closeContext(second);
    }
  } finally {
    await database.dispose();
  }
}

for (const kind of STORES) {
  test(`messages survive the context that enqueued them and keep their order [${kind}]`, () =>
    durability(kind));
}
