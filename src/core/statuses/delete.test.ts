/** Deleting statuses and accounts in core: rows, counters, the status.delete job, who hears of it. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueued, follow, recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { deleteAccount } from "../accounts/delete.ts";
import { reblogStatus } from "./boost.ts";
import { createStatus } from "./create.ts";
import { deleteStatus } from "./delete.ts";

describeStores("deleting statuses", (get) => {
  test("a deleted status takes its reblogs and counts with it, is enqueued for federation and heard wherever it was shown", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    const boosterFan = await createTestUser(ctx);
    await follow(ctx, follower, author);
    await follow(ctx, boosterFan, booster);
    const parent = await createStatus(ctx, other.account, { text: "сұрақ", visibility: "public" });
    const s = await createStatus(ctx, author.account, {
      text: "жауап #Көктем",
      visibility: "public",
      inReplyToId: parent.id,
    });
    const reblog = await reblogStatus(ctx, booster.account, s.id);
    await ctx.queue.drain();
    const users = [author, follower, booster, boosterFan, other];
    const events = recordEvents(ctx, [
      ...users.map((u) => `user:${u.account.id}`),
      "public",
      "public:local",
      "hashtag:көктем",
      "hashtag:local:көктем",
    ]);

    const gone = await deleteStatus(ctx, author.account, s.id);
    assert.equal(gone.id, s.id);
    const left = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("id", "in", [s.id, reblog.id])
      .execute();
    assert.deepEqual(left, []);
    const accounts = await ctx.db
      .selectFrom("accounts")
      .select(["id", "statuses_count"])
      .where("id", "in", [author.account.id, booster.account.id])
      .execute();
    assert.deepEqual(
      accounts.map((a) => a.statuses_count),
      [0, 0],
    );
    const p = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", parent.id)
      .executeTakeFirstOrThrow();
    assert.equal(p.replies_count, 0);
    assert.deepEqual(
      (await enqueued(ctx, "status.delete")).filter((j) => j.statusId === s.id),
      [
        {
          statusId: s.id,
          accountId: author.account.id,
          uri: s.uri,
          local: 1,
          visibility: "public",
          reblogOfId: null,
          reblogIds: [reblog.id],
        },
      ],
    );
    const heard = (ch: string) =>
      events
        .filter((e) => e.channel === ch)
        .map((e) => `${e.event}:${e.id}`)
        .sort();
    const both = [`delete:${reblog.id}`, `delete:${s.id}`].sort();
    // a home holding the status hears of its reblogs too (a client may show either)
    assert.deepEqual(heard(`user:${author.account.id}`), both);
    // a follower hears of it even where the fan-out skipped it (a reply to someone they do not follow)
    assert.deepEqual(heard(`user:${follower.account.id}`), [`delete:${s.id}`]);
    assert.deepEqual(heard(`user:${booster.account.id}`), both, "the booster's home held the reblog");
    assert.deepEqual(heard(`user:${boosterFan.account.id}`), both);
    assert.deepEqual(heard(`user:${other.account.id}`), [], "the parent's author was never shown it");
    assert.deepEqual(heard("public"), both);
    assert.deepEqual(heard("public:local"), both);
    assert.deepEqual(heard("hashtag:көктем"), [`delete:${s.id}`]);
    assert.deepEqual(heard("hashtag:local:көктем"), [`delete:${s.id}`]);
    await ctx.queue.drain();
  });

  test("a followers-only status's deletion stays off the public streams", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    await follow(ctx, follower, author);
    const s = await createStatus(ctx, author.account, { text: "жеке #Көктем", visibility: "private" });
    await ctx.queue.drain();
    const events = recordEvents(ctx, [`user:${follower.account.id}`, "public", "hashtag:көктем"]);
    await deleteStatus(ctx, author.account, s.id);
    assert.deepEqual(
      events.map((e) => `${e.channel} ${e.event}:${e.id}`),
      [`user:${follower.account.id} delete:${s.id}`],
    );
  });

  test("deleting an account is heard like deleting each of its statuses, others' reblogs of them included", async () => {
    const ctx = get();
    const leaving = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    const boosterFan = await createTestUser(ctx);
    await follow(ctx, boosterFan, booster);
    const s = await createStatus(ctx, leaving.account, { text: "қош #Көктем", visibility: "public" });
    const reblog = await reblogStatus(ctx, booster.account, s.id);
    await ctx.queue.drain();
    const events = recordEvents(ctx, [
      `user:${boosterFan.account.id}`,
      "public",
      "public:local",
      "hashtag:көктем",
    ]);
    assert.deepEqual(await deleteAccount(ctx, leaving.account.id), { statuses: 1 });
    const booster_ = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", booster.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(booster_.statuses_count, 0, "the vanished reblog is no longer counted");
    const heard = (ch: string) =>
      events
        .filter((e) => e.channel === ch)
        .map((e) => `${e.event}:${e.id}`)
        .sort();
    const both = [`delete:${reblog.id}`, `delete:${s.id}`].sort();
    assert.deepEqual(heard(`user:${boosterFan.account.id}`), both, "the reblog was in this home");
    assert.deepEqual(heard("public"), both);
    assert.deepEqual(heard("public:local"), both);
    assert.deepEqual(heard("hashtag:көктем"), [`delete:${s.id}`]);
  });
});
