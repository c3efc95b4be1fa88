import assert from "node:assert/strict";
import { test } from "node:test";
import { transaction } from "../app.ts";
import { storeTest } from "../testing/harness.ts";
import { backoffMs } from "./queue.ts";

storeTest("a job enqueued in a transaction runs once it commits, and not if it rolls back", async (ctx) => {
  const seen: unknown[] = [];
  ctx.queue.register("test.record", async (payload) => {
    seen.push(payload.n);
  });
  await transaction(ctx, async (trx) => {
    await ctx.queue.enqueue(trx, "test.record", { n: 1 });
  });
  await assert.rejects(
    transaction(ctx, async (trx) => {
      await ctx.queue.enqueue(trx, "test.record", { n: 2 });
      throw new Error("rolled back");
    }),
  );
  assert.equal(await ctx.queue.drain(), 1);
  assert.deepEqual(seen, [1]);
  const left = await ctx.db.selectFrom("jobs").selectAll().execute();
  assert.equal(left.length, 0, "finished jobs are removed");
});

storeTest("a failing job is retried later with backoff and dies after max attempts", async (ctx) => {
  let clock = new Date("2026-01-01T00:00:00Z");
  let calls = 0;
  const { JobQueue } = await import("./queue.ts");
  const queue = new JobQueue({ db: ctx.db, dialect: ctx.dialect, ids: ctx.ids, now: () => clock });
  queue.register("test.fail", async () => {
    calls++;
    throw new Error("remote down");
  });
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
  await ctx.queue.enqueue(ctx.db, "test.x", { a: 1 }, { dedupeKey: "k1" });
  await ctx.queue.enqueue(ctx.db, "test.x", { a: 2 }, { dedupeKey: "k1" });
  const rows = await ctx.db.selectFrom("jobs").selectAll().execute();
  assert.equal(rows.length, 1);
  assert.equal(JSON.parse(rows[0].payload).a, 1);
});

storeTest("a job whose worker died (lease expired) is claimed again", async (ctx) => {
  let clock = new Date("2026-01-01T00:00:00Z");
  const { JobQueue } = await import("./queue.ts");
  const queue = new JobQueue({ db: ctx.db, dialect: ctx.dialect, ids: ctx.ids, now: () => clock });
  let runs = 0;
  queue.register("test.ok", async () => {
    runs++;
  });
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
  ctx.queue.register("test.count", async (p) => {
    const n = p.n as number;
    ran.set(n, (ran.get(n) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 1));
  });
  for (let i = 0; i < 30; i++) await ctx.queue.enqueue(ctx.db, "test.count", { n: i });
  await Promise.all([ctx.queue.drain(), ctx.queue.drain(), ctx.queue.drain()]);
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
