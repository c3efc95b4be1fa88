import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { storeTest } from "../../test/helpers/harness.ts";
import { type AppContext, transaction } from "../app.ts";
import { defineJob } from "./define.ts";
import { backoffMs, JobQueue } from "./queue.ts";

type TestPayloads = {
  "test.record": { n: number };
  "test.fail": Record<string, never>;
  "test.x": { a: number };
  "test.ok": Record<string, never>;
  "test.count": { n: number };
  "test.inbox": { inbox: string; n: number };
};

/** A queue on the test's store with its own job types; `handlers` receive the payloads. */
function testQueue(
  ctx: AppContext,
  handlers: Partial<Record<keyof TestPayloads, (p: Record<string, unknown>) => Promise<void>>>,
  now: () => Date = ctx.now,
): JobQueue<TestPayloads> {
  const run = (name: keyof TestPayloads) => async (_ctx: AppContext, p: Record<string, unknown>) => {
    await handlers[name]?.(p);
  };
  const n = z.object({ n: z.number().int() });
  const empty = z.object({}).strict();
  const queue = new JobQueue<TestPayloads>({
    db: ctx.db,
    dialect: ctx.dialect,
    ids: ctx.ids,
    now,
    definitions: [
      defineJob({ name: "test.record", payload: n, handler: run("test.record") }),
      defineJob({ name: "test.fail", payload: empty, handler: run("test.fail") }),
      defineJob({ name: "test.x", payload: z.object({ a: z.number() }), handler: run("test.x") }),
      defineJob({ name: "test.ok", payload: empty, handler: run("test.ok") }),
      defineJob({ name: "test.count", payload: n, handler: run("test.count") }),
      defineJob({
        name: "test.inbox",
        payload: z.object({ inbox: z.string(), n: z.number() }),
        handler: run("test.inbox"),
        orderingKey: (p) => p.inbox,
      }),
    ],
  });
  queue.attach(ctx);
  return queue;
}

storeTest("a job enqueued in a transaction runs once it commits, and not if it rolls back", async (ctx) => {
  const committed: (() => void | Promise<void>)[] = [];
  const seen: unknown[] = [];
  const queue = testQueue(ctx, {
    "test.record": async (payload) => {
      seen.push(payload.n);
    },
  });
  let wakes = 0;
  queue.notify = () => {
    wakes++;
  };
  await ctx.db.transaction().execute(async (trx) => {
    // transaction() registers its transactions with ctx.queue; this one is ours
    queue.trackTransaction(trx, (fn) => {
      committed.push(fn);
    });
    await queue.enqueue(trx, "test.record", { n: 1 });
    assert.equal(wakes, 0, "workers are not woken before the commit");
  });
  for (const fn of committed) await fn();
  assert.equal(wakes, 1, "the commit wakes the workers");
  await assert.rejects(
    transaction(ctx, async (trx) => {
      await queue.enqueue(trx, "test.record", { n: 2 });
      throw new Error("rolled back");
    }),
  );
  assert.equal(await queue.drain(), 1);
  assert.deepEqual(seen, [1]);
  const left = await ctx.db.selectFrom("jobs").selectAll().execute();
  assert.equal(left.length, 0, "finished jobs are removed");
});
storeTest("transaction() wakes the server's workers after commit, by itself", async (ctx) => {
  let wakes = 0;
  const notify = ctx.queue.notify.bind(ctx.queue);
  ctx.queue.notify = () => {
    wakes++;
    notify();
  };
  await transaction(ctx, async (trx) => {
    await ctx.queue.enqueue(trx, "poll.expire", { pollId: "123" }, { runAt: new Date(0) });
    assert.equal(wakes, 0);
  });
  assert.equal(wakes, 1);
});

storeTest("payloads are validated when enqueued and again when run", async (ctx) => {
  const queue = testQueue(ctx, {});
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: a caller's mistake that the types would catch
    queue.enqueue(ctx.db, "test.record", { n: "one" } as any),
    /expected number/i,
  );
  await assert.rejects(
    // biome-ignore lint/suspicious/noExplicitAny: an unknown job type
    queue.enqueue(ctx.db, "test.nope" as any, {} as any),
    /unknown job type/,
  );
  assert.equal((await ctx.db.selectFrom("jobs").selectAll().execute()).length, 0, "nothing was written");
  // a row written by an older release (or by hand) with a payload the schema refuses dies at once
  await queue.enqueue(ctx.db, "test.record", { n: 1 });
  await ctx.db
    .updateTable("jobs")
    .set({ payload: JSON.stringify({ n: "x" }) })
    .execute();
  assert.equal(await queue.drain(), 1);
  const job = await ctx.db.selectFrom("jobs").selectAll().executeTakeFirstOrThrow();
  assert.equal(job.status, "dead");
  assert.equal(job.attempts, 1);
  assert.match(job.last_error ?? "", /invalid payload/);
});

storeTest("jobs sharing an ordering key run one at a time in order; others run beside them", async (ctx) => {
  let clock = new Date("2026-01-01T00:00:00Z");
  const ran: string[] = [];
  let failFirst = true;
  const queue = testQueue(
    ctx,
    {
      "test.inbox": async (p) => {
        if (p.inbox === "a" && p.n === 1 && failFirst) {
          failFirst = false;
          throw new Error("inbox a is down");
        }
        ran.push(`${p.inbox}${p.n}`);
      },
    },
    () => clock,
  );
  for (let n = 1; n <= 3; n++) await queue.enqueue(ctx.db, "test.inbox", { inbox: "a", n });
  await queue.enqueue(ctx.db, "test.inbox", { inbox: "b", n: 1 });
  // a1 fails and waits for its retry: a2 and a3 must wait behind it, b1 need not
  await queue.drain();
  assert.deepEqual(ran, ["b1"]);
  clock = new Date(clock.getTime() + 3600_000);
  await queue.drain();
  assert.deepEqual(ran, ["b1", "a1", "a2", "a3"]);
  // concurrent workers still keep one key's order
  ran.length = 0;
  for (let n = 1; n <= 10; n++) await queue.enqueue(ctx.db, "test.inbox", { inbox: "c", n });
  await Promise.all([queue.drain(), queue.drain(), queue.drain()]);
  assert.deepEqual(
    ran,
    Array.from({ length: 10 }, (_, i) => `c${i + 1}`),
  );
});

storeTest("a failing job is retried later with backoff and dies after max attempts", async (ctx) => {
  let clock = new Date("2026-01-01T00:00:00Z");
  let calls = 0;
  const queue = testQueue(
    ctx,
    {
      "test.fail": async () => {
        calls++;
        throw new Error("remote down");
      },
    },
    () => clock,
  );
  await queue.enqueue(ctx.db, "test.fail", {}, { maxAttempts: 3 });
  assert.equal(await queue.drain(), 1);
  assert.equal(calls, 1);
  let job = await ctx.db.selectFrom("jobs").selectAll().executeTakeFirstOrThrow();
  assert.equal(job.status, "pending");
  assert.equal(job.attempts, 1);
  assert.equal(job.last_error, "remote down");
  assert.ok(job.run_at > clock.toISOString(), "retry is scheduled in the future");
  assert.equal(await queue.drain(), 0, "not ready before its backoff");
  for (let i = 0; i < 2; i++) {
    clock = new Date(clock.getTime() + 24 * 3600_000);
    assert.equal(await queue.drain(), 1);
  }
  job = await ctx.db.selectFrom("jobs").selectAll().executeTakeFirstOrThrow();
  assert.equal(job.status, "dead");
  assert.equal(calls, 3);
  clock = new Date(clock.getTime() + 7 * 24 * 3600_000);
  assert.equal(await queue.drain(), 0, "dead jobs are not run again");
});

storeTest("dedupe keys keep one pending job", async (ctx) => {
  const queue = testQueue(ctx, {});
  await queue.enqueue(ctx.db, "test.x", { a: 1 }, { dedupeKey: "k1" });
  await queue.enqueue(ctx.db, "test.x", { a: 2 }, { dedupeKey: "k1" });
  const rows = await ctx.db.selectFrom("jobs").selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(JSON.parse(rows[0].payload).a, 1);
});

storeTest("a job whose worker died (lease expired) is claimed again", async (ctx) => {
  let clock = new Date("2026-01-01T00:00:00Z");
  let runs = 0;
  const queue = testQueue(
    ctx,
    {
      "test.ok": async () => {
        runs++;
      },
    },
    () => clock,
  );
  await queue.enqueue(ctx.db, "test.ok", {});
  // simulate a crashed worker holding the lease
  await ctx.db
    .updateTable("jobs")
    .set({ status: "running", attempts: 1, locked_until: new Date(clock.getTime() + 60_000).toISOString() })
    .execute();
  assert.equal(await queue.drain(), 0);
  clock = new Date(clock.getTime() + 10 * 60_000);
  assert.equal(await queue.drain(), 1);
  assert.equal(runs, 1);
});

storeTest("concurrent workers never run the same job twice", async (ctx) => {
  const ran = new Map<number, number>();
  const queue = testQueue(ctx, {
    "test.count": async (p) => {
      const n = p.n as number;
      ran.set(n, (ran.get(n) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 1));
    },
  });
  for (let i = 0; i < 30; i++) await queue.enqueue(ctx.db, "test.count", { n: i });
  await Promise.all([queue.drain(), queue.drain(), queue.drain()]);
  assert.equal(ran.size, 30);
  assert.ok([...ran.values()].every((v) => v === 1));
});

test("backoff grows exponentially and is capped, total ≈ 3 days over 16 attempts", () => {
  const mid = () => 0.5;
  assert.equal(backoffMs(1, mid), 20_000);
  assert.equal(backoffMs(2, mid), 40_000);
  assert.equal(backoffMs(30, mid), 12 * 3600_000);
  let total = 0;
  for (let a = 1; a < 16; a++) total += backoffMs(a, mid);
  const days = total / 86_400_000;
  assert.ok(days > 2 && days < 3.5, `total backoff ${days} days`);
});
