/** createStatus in core: rows, counters, jobs and stream events (the HTTP tests keep the wire format). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueued, follow, homeIds, recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { createStatus } from "./create.ts";

describeStores("createStatus", (get) => {
  test("a post is stored with its entities and counters, reaches its author and the mentioned at once, the rest after the fan-out job", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const friend = await createTestUser(ctx);
    await follow(ctx, follower, author);
    const events = recordEvents(ctx, [
      `user:${author.account.id}`,
      `user:${follower.account.id}`,
      `user:${friend.account.id}`,
      "public",
      "public:local",
      "hashtag:сапар",
      "hashtag:local:сапар",
    ]);
    const s = await createStatus(ctx, author.account, {
      text: `Сәлем @${friend.account.username} #Сапар`,
      visibility: "public",
    });
    const row = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", s.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, s);
    assert.equal(s.uri, ctx.uris.status(author.account.username, s.id));
    assert.equal(s.local, 1);
    assert.ok(s.conversation_id);
    const acct = await ctx.db
      .selectFrom("accounts")
      .select(["statuses_count", "last_status_at"])
      .where("id", "=", author.account.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(acct, { statuses_count: 1, last_status_at: s.created_at });
    const mentions = await ctx.db.selectFrom("mentions").selectAll().where("status_id", "=", s.id).execute();
    assert.deepEqual(
      mentions.map((m) => [m.account_id, m.silent]),
      [[friend.account.id, 0]],
    );
    const tags = await ctx.db
      .selectFrom("status_tags")
      .innerJoin("tags", "tags.id", "status_tags.tag_id")
      .select(["tags.name", "tags.public_at"])
      .where("status_tags.status_id", "=", s.id)
      .execute();
    assert.equal(tags.length, 1);
    assert.equal(tags[0].name, "сапар");
    assert.ok(tags[0].public_at);

    assert.deepEqual(
      (await enqueued(ctx, "status.fanout")).filter((p) => p.statusId === s.id),
      [{ statusId: s.id }],
    );
    assert.deepEqual(await homeIds(ctx, author.account.id), [s.id], "the author's home has it at once");
    assert.deepEqual(await homeIds(ctx, follower.account.id), []);
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", friend.account.id)
      .execute();
    assert.deepEqual(
      notes.map((n) => [n.type, n.from_account_id, n.status_id]),
      [["mention", author.account.id, s.id]],
    );
    const on = (ch: string) => events.filter((e) => e.channel === ch).map((e) => `${e.event}:${e.id}`);
    assert.deepEqual(on(`user:${friend.account.id}`), [`notification:${notes[0].id}`]);
    assert.deepEqual(on("public"), []);

    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [s.id]);
    for (const ch of [
      `user:${author.account.id}`,
      `user:${follower.account.id}`,
      "public",
      "public:local",
      "hashtag:сапар",
      "hashtag:local:сапар",
    ])
      assert.deepEqual(on(ch), [`update:${s.id}`], ch);
  });

  test("a reply joins its parent's conversation and counts on it when public or unlisted; a reply to a hidden status writes nothing", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const parent = await createStatus(ctx, other.account, { text: "сұрақ", visibility: "public" });
    const open = await createStatus(ctx, author.account, { text: "жауап", inReplyToId: parent.id });
    const closed = await createStatus(ctx, author.account, {
      text: "жеке жауап",
      inReplyToId: parent.id,
      visibility: "private",
    });
    for (const r of [open, closed]) {
      assert.equal(r.conversation_id, parent.conversation_id);
      assert.equal(r.in_reply_to_account_id, other.account.id);
    }
    const p = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", parent.id)
      .executeTakeFirstOrThrow();
    assert.equal(p.replies_count, 1);

    const secret = await createStatus(ctx, other.account, { text: "құпия", visibility: "direct" });
    const jobsBefore = (await enqueued(ctx, "status.fanout")).length;
    await assert.rejects(
      createStatus(ctx, author.account, { text: "?", inReplyToId: secret.id }),
      /does not appear to exist/,
    );
    const mine = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", author.account.id)
      .execute();
    assert.equal(mine.length, 2);
    assert.equal((await enqueued(ctx, "status.fanout")).length, jobsBefore);
    await ctx.queue.drain();
  });

  test("direct posts are not counted; a poll is stored with its expiry job; an Idempotency-Key gives the first post back", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    await createStatus(ctx, author.account, { text: "тек саған", visibility: "direct" });
    const withPoll = await createStatus(ctx, author.account, {
      text: "қайсысы?",
      poll: { options: [" бір ", "екі"], expiresIn: 600 },
    });
    const poll = await ctx.db
      .selectFrom("polls")
      .selectAll()
      .where("id", "=", withPoll.poll_id as string)
      .executeTakeFirstOrThrow();
    assert.equal(poll.status_id, withPoll.id);
    assert.deepEqual(JSON.parse(poll.options), ["бір", "екі"]);
    const job = await ctx.db
      .selectFrom("jobs")
      .select(["payload", "run_at"])
      .where("type", "=", "poll.expire")
      .where("payload", "=", JSON.stringify({ pollId: poll.id }))
      .executeTakeFirstOrThrow();
    assert.equal(job.run_at, poll.expires_at);

    const first = await createStatus(ctx, author.account, { text: "бір рет", idempotencyKey: "k-1" });
    const again = await createStatus(ctx, author.account, { text: "бір рет", idempotencyKey: "k-1" });
    assert.equal(again.id, first.id);
    const acct = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(acct.statuses_count, 2, "the poll and the keyed post; not the direct one, nor the retry");
    await ctx.queue.drain();
  });
});
