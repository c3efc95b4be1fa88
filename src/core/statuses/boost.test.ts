/** reblogStatus and unreblogStatus in core: rows, counters, notifications, jobs and stream events. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueued, follow, homeIds, recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { ForbiddenError } from "../errors.ts";
import { reblogStatus, unreblogStatus } from "./boost.ts";
import { createStatus } from "./create.ts";

const counts = async (ctx: AppContext, statusId: string, accountId: string) => ({
  reblogs: (
    await ctx.db
      .selectFrom("statuses")
      .select("reblogs_count")
      .where("id", "=", statusId)
      .executeTakeFirstOrThrow()
  ).reblogs_count,
  statuses: (
    await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow()
  ).statuses_count,
});

describeStores("reblogs", (get) => {
  test("a reblog counts on the original and its booster, notifies the author, and reaches the booster's followers only by home", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await follow(ctx, fan, booster);
    const s = await createStatus(ctx, author.account, { text: "жаңалық", visibility: "public" });
    await ctx.queue.drain();
    const events = recordEvents(ctx, [`user:${fan.account.id}`, "public", "public:local"]);

    const reblog = await reblogStatus(ctx, booster.account, s.id, "unlisted");
    assert.equal(reblog.reblog_of_id, s.id);
    assert.equal(reblog.visibility, "unlisted");
    assert.equal(reblog.uri, ctx.uris.activity(booster.account.username, reblog.id));
    assert.equal(reblog.conversation_id, null);
    assert.deepEqual(await counts(ctx, s.id, booster.account.id), { reblogs: 1, statuses: 1 });
    const notes = await ctx.db
      .selectFrom("notifications")
      .select(["type", "from_account_id", "status_id"])
      .where("account_id", "=", author.account.id)
      .execute();
    assert.deepEqual(notes, [{ type: "reblog", from_account_id: booster.account.id, status_id: reblog.id }]);
    assert.deepEqual(await homeIds(ctx, booster.account.id), [reblog.id]);
    assert.deepEqual(
      (await enqueued(ctx, "status.fanout")).filter((p) => p.statusId === reblog.id),
      [{ statusId: reblog.id }],
    );
    assert.equal(
      (await reblogStatus(ctx, booster.account, s.id)).id,
      reblog.id,
      "a second reblog is the first",
    );

    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, fan.account.id), [reblog.id]);
    assert.deepEqual(
      events.map((e) => `${e.channel} ${e.event}:${e.id}`),
      [`user:${fan.account.id} update:${reblog.id}`],
    );
  });

  test("others' followers-only and anyone's direct posts cannot be reblogged; one's own private post stays private", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    await follow(ctx, booster, author);
    const priv = await createStatus(ctx, author.account, { text: "достарға", visibility: "private" });
    await assert.rejects(reblogStatus(ctx, booster.account, priv.id), ForbiddenError);
    const own = await reblogStatus(ctx, author.account, priv.id, "public");
    assert.equal(own.visibility, "private");
    const rows = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("reblog_of_id", "=", priv.id)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [own.id],
    );
    await ctx.queue.drain();
  });

  test("undoing a reblog removes it, its counts and home rows, and announces the deletion", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await follow(ctx, fan, booster);
    const s = await createStatus(ctx, author.account, { text: "қайта", visibility: "public" });
    const reblog = await reblogStatus(ctx, booster.account, s.id);
    await ctx.queue.drain();
    const events = recordEvents(ctx, [`user:${booster.account.id}`, `user:${fan.account.id}`, "public"]);

    const original = await unreblogStatus(ctx, booster.account, s.id);
    assert.equal(original.id, s.id);
    assert.equal(original.reblogs_count, 0);
    assert.deepEqual(await counts(ctx, s.id, booster.account.id), { reblogs: 0, statuses: 0 });
    assert.deepEqual(await homeIds(ctx, fan.account.id), []);
    assert.deepEqual(
      (await enqueued(ctx, "status.delete")).filter((p) => p.statusId === reblog.id),
      [
        {
          statusId: reblog.id,
          accountId: booster.account.id,
          uri: reblog.uri,
          local: 1,
          visibility: "public",
          reblogOfId: s.id,
          reblogIds: [],
        },
      ],
    );
    assert.deepEqual(events.map((e) => `${e.channel} ${e.event}:${e.id}`).sort(), [
      `public delete:${reblog.id}`,
      `user:${booster.account.id} delete:${reblog.id}`,
      `user:${fan.account.id} delete:${reblog.id}`,
    ]);
    await ctx.queue.drain();
  });
});
