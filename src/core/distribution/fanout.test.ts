import assert from "node:assert/strict";
import { test } from "node:test";
import { homeIds, insertStatus, recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { blockAccount } from "../follows/blocks.ts";
import { followAccount } from "../follows/follow.ts";
import { muteAccount } from "../follows/mutes.ts";
import { HOME_FEED_CAP } from "../timelines/feed.ts";
import { fanoutStatus, fanoutStatusUpdate } from "./fanout.ts";

describeStores("fan-out", (get) => {
  test("public, private and direct statuses reach exactly who may see them", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    const mentioned = await createTestUser(ctx);
    await followAccount(ctx, follower.account.id, author.account.id);
    const events = recordEvents(ctx, [
      `user:${follower.account.id}`,
      `user:${stranger.account.id}`,
      `user:${mentioned.account.id}`,
      `direct:${mentioned.account.id}`,
      `direct:${author.account.id}`,
      "public",
      "public:local",
      "hashtag:qazaq",
      "hashtag:local:qazaq",
    ]);
    const pub = await insertStatus(ctx, author.account.id, { tags: ["qazaq"] });
    const priv = await insertStatus(ctx, author.account.id, { visibility: "private" });
    const dm = await insertStatus(ctx, author.account.id, {
      visibility: "direct",
      mentions: [mentioned.account.id],
    });
    for (const s of [pub, priv, dm]) await fanoutStatus(ctx, s.id);

    assert.deepEqual(await homeIds(ctx, follower.account.id), [priv.id, pub.id]);
    assert.deepEqual(await homeIds(ctx, stranger.account.id), []);
    assert.deepEqual(await homeIds(ctx, mentioned.account.id), [dm.id]);
    assert.deepEqual((await homeIds(ctx, author.account.id)).sort(), [pub.id, priv.id, dm.id].sort());
    const on = (ch: string) => events.filter((e) => e.channel === ch).map((e) => `${e.event}:${e.id}`);
    assert.deepEqual(on(`user:${follower.account.id}`), [`update:${pub.id}`, `update:${priv.id}`]);
    assert.deepEqual(on(`user:${stranger.account.id}`), []);
    assert.deepEqual(on("public"), [`update:${pub.id}`]);
    assert.deepEqual(on("public:local"), [`update:${pub.id}`]);
    assert.deepEqual(on("hashtag:qazaq"), [`update:${pub.id}`]);
    assert.deepEqual(on("hashtag:local:qazaq"), [`update:${pub.id}`]);
    assert.equal(on(`direct:${mentioned.account.id}`).length, 1);

    const convs = await ctx.db
      .selectFrom("account_conversations")
      .selectAll()
      .orderBy("account_id")
      .execute();
    const forMentioned = convs.find((c) => c.account_id === mentioned.account.id);
    const forAuthor = convs.find((c) => c.account_id === author.account.id);
    assert.equal(forMentioned?.unread, 1);
    assert.equal(forAuthor?.unread, 0);
    assert.deepEqual(JSON.parse(forMentioned?.participant_ids ?? "[]"), [author.account.id]);

    // the job may run twice: nothing is added or announced again
    const before = events.length;
    for (const s of [pub, priv, dm]) await fanoutStatus(ctx, s.id);
    assert.deepEqual(await homeIds(ctx, follower.account.id), [priv.id, pub.id]);
    assert.equal(
      events.slice(before).filter((e) => e.channel.startsWith("user:") || e.channel.startsWith("direct:"))
        .length,
      0,
    );
    assert.equal((await ctx.db.selectFrom("account_conversations").selectAll().execute()).length, 2);
  });

  test("replies reach followers who also follow the replied-to account", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const both = await createTestUser(ctx);
    const onlyAuthor = await createTestUser(ctx);
    await followAccount(ctx, both.account.id, author.account.id);
    await followAccount(ctx, both.account.id, other.account.id);
    await followAccount(ctx, onlyAuthor.account.id, author.account.id);
    await followAccount(ctx, other.account.id, author.account.id);
    const parent = await insertStatus(ctx, other.account.id);
    const reply = await insertStatus(ctx, author.account.id, {
      in_reply_to_id: parent.id,
      in_reply_to_account_id: other.account.id,
    });
    const selfReply = await insertStatus(ctx, author.account.id, {
      in_reply_to_id: reply.id,
      in_reply_to_account_id: author.account.id,
    });
    await fanoutStatus(ctx, reply.id);
    await fanoutStatus(ctx, selfReply.id);
    assert.ok((await homeIds(ctx, both.account.id)).includes(reply.id));
    assert.ok((await homeIds(ctx, other.account.id)).includes(reply.id), "the replied-to account sees it");
    assert.deepEqual(await homeIds(ctx, onlyAuthor.account.id), [selfReply.id]);
  });

  test("reblogs respect show_reblogs and are not added twice", async () => {
    const ctx = get();
    const booster = await createTestUser(ctx);
    const author = await createTestUser(ctx);
    const wantsBoosts = await createTestUser(ctx);
    const noBoosts = await createTestUser(ctx);
    const hasOriginal = await createTestUser(ctx);
    await followAccount(ctx, wantsBoosts.account.id, booster.account.id);
    await followAccount(ctx, noBoosts.account.id, booster.account.id, { reblogs: false });
    await followAccount(ctx, hasOriginal.account.id, booster.account.id);
    await followAccount(ctx, hasOriginal.account.id, author.account.id);
    const original = await insertStatus(ctx, author.account.id);
    await fanoutStatus(ctx, original.id);
    const reblog = await insertStatus(ctx, booster.account.id, { reblog_of_id: original.id });
    await fanoutStatus(ctx, reblog.id);
    assert.deepEqual(await homeIds(ctx, wantsBoosts.account.id), [reblog.id]);
    assert.deepEqual(await homeIds(ctx, noBoosts.account.id), []);
    assert.deepEqual(await homeIds(ctx, hasOriginal.account.id), [original.id]);
  });

  test("blocked and muted followers are skipped; notify followers get 'status' notifications once", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const blocker = await createTestUser(ctx);
    const muter = await createTestUser(ctx);
    const bell = await createTestUser(ctx);
    for (const u of [blocker, muter]) await followAccount(ctx, u.account.id, author.account.id);
    await followAccount(ctx, bell.account.id, author.account.id, { notify: true });
    await muteAccount(ctx, muter.account.id, author.account.id);
    await blockAccount(ctx, blocker.account.id, author.account.id);
    // a follow row that survived somehow (e.g. remote race) must still not deliver
    await ctx.db
      .insertInto("follows")
      .values({
        id: ctx.ids(),
        account_id: blocker.account.id,
        target_account_id: author.account.id,
        show_reblogs: 1,
        notify: 0,
        languages: null,
        uri: null,
        created_at: ctx.now().toISOString(),
      })
      .execute();
    const s = await insertStatus(ctx, author.account.id);
    await fanoutStatus(ctx, s.id);
    await fanoutStatus(ctx, s.id);
    assert.deepEqual(await homeIds(ctx, blocker.account.id), []);
    assert.deepEqual(await homeIds(ctx, muter.account.id), []);
    assert.deepEqual(await homeIds(ctx, bell.account.id), [s.id]);
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", bell.account.id)
      .execute();
    assert.deepEqual(
      notes.filter((n) => n.type === "status").map((n) => n.status_id),
      [s.id],
    );
  });

  test("home feeds are capped at 800 entries; the job runs from the queue", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    await followAccount(ctx, reader.account.id, author.account.id);
    const rows = [];
    for (let i = 0; i < HOME_FEED_CAP; i++) rows.push(ctx.ids());
    await ctx.db
      .insertInto("statuses")
      .values(
        rows.map((id) => ({
          id,
          uri: `${ctx.config.baseUrl}/s/${id}`,
          url: `${ctx.config.baseUrl}/s/${id}`,
          account_id: author.account.id,
          local: 1,
          text: "x",
          content: "x",
          spoiler_text: "",
          sensitive: 0,
          visibility: "public" as const,
          created_at: ctx.now().toISOString(),
          updated_at: ctx.now().toISOString(),
        })),
      )
      .execute();
    await ctx.db
      .insertInto("home_feed")
      .values(
        rows.map((id) => ({
          account_id: reader.account.id,
          status_id: id,
          author_id: author.account.id,
          reblog_of_id: null,
        })),
      )
      .execute();
    const s = await insertStatus(ctx, author.account.id);
    await ctx.queue.enqueue(ctx.db, "status.fanout", { statusId: s.id });
    await ctx.queue.drain();
    const home = await homeIds(ctx, reader.account.id);
    assert.equal(home.length, HOME_FEED_CAP);
    assert.equal(home[0], s.id);
    assert.ok(!home.includes(rows[0]), "the oldest entry was dropped");
  });

  test("edits announce status.update to every home holding the status or a reblog of it", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    const boosterFan = await createTestUser(ctx);
    await followAccount(ctx, follower.account.id, author.account.id);
    await followAccount(ctx, boosterFan.account.id, booster.account.id);
    const s = await insertStatus(ctx, author.account.id);
    await fanoutStatus(ctx, s.id);
    const rb = await insertStatus(ctx, booster.account.id, { reblog_of_id: s.id });
    await fanoutStatus(ctx, rb.id);
    await ctx.db
      .updateTable("statuses")
      .set({ edited_at: ctx.now().toISOString() })
      .where("id", "=", s.id)
      .execute();
    const events = recordEvents(
      ctx,
      [follower, boosterFan, author].map((u) => `user:${u.account.id}`),
    );
    await fanoutStatusUpdate(ctx, s.id);
    await fanoutStatusUpdate(ctx, s.id);
    const updates = events.filter((e) => e.event === "status.update");
    for (const u of [follower, boosterFan, author])
      assert.ok(updates.some((e) => e.channel === `user:${u.account.id}` && e.id === s.id));
  });
});
