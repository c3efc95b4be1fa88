/** editStatus in core: history, mentions, notifications, the status.update_fanout job and its events. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueued, follow, recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { reblogStatus } from "./boost.ts";
import { createStatus } from "./create.ts";
import { editStatus } from "./edit.ts";
import { muteConversation } from "./mute.ts";

describeStores("editStatus", (get) => {
  const notes = (accountId: string) =>
    get()
      .db.selectFrom("notifications")
      .select(["type", "status_id"])
      .where("account_id", "=", accountId)
      .orderBy("id")
      .execute();

  test("an edit keeps history and dropped mentions (silent), notifies the newly mentioned and boosters, then announces status.update", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const first = await createTestUser(ctx);
    const second = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    await follow(ctx, follower, author);
    const s = await createStatus(ctx, author.account, {
      text: `Сәлем @${first.account.username}`,
      visibility: "public",
    });
    await reblogStatus(ctx, booster.account, s.id);
    await ctx.queue.drain();
    const events = recordEvents(ctx, [
      `user:${follower.account.id}`,
      `user:${booster.account.id}`,
      "public",
      "public:local",
    ]);

    const edited = await editStatus(ctx, author.account, s.id, { text: `Сәлем @${second.account.username}` });
    assert.ok(edited.edited_at);
    assert.match(edited.content, new RegExp(`@<span>${second.account.username}</span>`));
    const history = await ctx.db
      .selectFrom("status_edits")
      .select(["text", "created_at"])
      .where("status_id", "=", s.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      history.map((h) => h.text),
      [s.text, edited.text],
    );
    assert.equal(history[0].created_at, s.created_at);
    const mentions = await ctx.db
      .selectFrom("mentions")
      .select(["account_id", "silent"])
      .where("status_id", "=", s.id)
      .execute();
    assert.deepEqual(Object.fromEntries(mentions.map((m) => [m.account_id, m.silent])), {
      [first.account.id]: 1,
      [second.account.id]: 0,
    });
    assert.deepEqual(await notes(first.account.id), [{ type: "mention", status_id: s.id }]);
    assert.deepEqual(await notes(second.account.id), [{ type: "mention", status_id: s.id }]);
    assert.deepEqual(
      (await notes(booster.account.id)).filter((n) => n.type === "update"),
      [{ type: "update", status_id: s.id }],
    );
    assert.deepEqual(
      (await enqueued(ctx, "status.update_fanout")).filter((p) => p.statusId === s.id),
      [{ statusId: s.id }],
    );
    assert.equal(events.filter((e) => e.event === "status.update").length, 0, "announced by the job");

    await ctx.queue.drain();
    const updates = events.filter((e) => e.event === "status.update").map((e) => `${e.channel} ${e.id}`);
    assert.deepEqual(
      updates.sort(),
      [
        `public ${s.id}`,
        `public:local ${s.id}`,
        `user:${booster.account.id} ${s.id}`,
        `user:${follower.account.id} ${s.id}`,
      ].sort(),
    );
  });

  test("an edit that changes nothing writes and enqueues nothing", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const s = await createStatus(ctx, author.account, { text: "өзгеріссіз" });
    await ctx.queue.drain();
    const same = await editStatus(ctx, author.account, s.id, { text: "өзгеріссіз" });
    assert.equal(same.edited_at, null);
    assert.deepEqual(await enqueued(ctx, "status.update_fanout"), []);
    const history = await ctx.db
      .selectFrom("status_edits")
      .select("id")
      .where("status_id", "=", s.id)
      .execute();
    assert.equal(history.length, 0);
  });

  test("someone who muted the conversation is not notified when an edit mentions them", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const muter = await createTestUser(ctx);
    const s = await createStatus(ctx, author.account, { text: "бастама", visibility: "public" });
    await muteConversation(ctx, muter.account, s.id);
    await editStatus(ctx, author.account, s.id, { text: `бастама @${muter.account.username}` });
    assert.deepEqual(await notes(muter.account.id), []);
    await ctx.queue.drain();
  });
});
