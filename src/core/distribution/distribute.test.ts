/**
 * Distribution of remote statuses, called as the inbox will call it: persist + distribute in one
 * transaction, then the fan-out jobs. Remote authors are inserted straight into the store.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  enqueued,
  followById,
  homeIds,
  insertRemoteAccounts,
  recordEvents,
  remoteDraft,
} from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { createStatus } from "../statuses/create.ts";
import { deleteStatusIn } from "../statuses/delete.ts";
import { persistStatus, persistStatusEdit, type StatusDraft } from "../statuses/persist.ts";
import { distributeStatus, distributeStatusUpdate } from "./distribute.ts";

describeStores("distribution of remote statuses", (get) => {
  const receive = (draft: StatusDraft): Promise<Status> =>
    transaction(get(), async (trx, after) => {
      const status = await persistStatus(get(), trx, draft);
      await distributeStatus(get(), trx, after, status);
      return status;
    });
  const remote = async (name: string): Promise<Account> =>
    (await insertRemoteAccounts(get(), "remote.example", [`${name}${get().ids().slice(-6)}`]))[0];
  const notifications = (accountId: string) =>
    get()
      .db.selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("id")
      .execute();

  test("a remote public post mentioning a local user reaches the local follower, notifies the mentioned, and is announced on public streams only", async () => {
    const ctx = get();
    const author = await remote("aru");
    const follower = await createTestUser(ctx);
    const mentioned = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const events = recordEvents(ctx, [
      `user:${follower.account.id}`,
      `user:${mentioned.account.id}`,
      `user:${stranger.account.id}`,
      "public",
      "public:local",
      "hashtag:дала",
      "hashtag:local:дала",
    ]);
    const draft = remoteDraft(ctx, author, {
      content: `<p>Сәлем @${mentioned.account.username} #Дала</p>`,
      mentions: [mentioned.account.id],
      tags: new Map([["дала", "Дала"]]),
    });
    const status = await receive(draft);

    const row = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", status.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.uri, draft.uri);
    assert.equal(row.url, draft.url);
    assert.equal(row.local, 0);
    assert.deepEqual(
      (
        await ctx.db.selectFrom("mentions").select("account_id").where("status_id", "=", status.id).execute()
      ).map((m) => m.account_id),
      [mentioned.account.id],
    );
    const counted = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.id)
      .executeTakeFirstOrThrow();
    assert.equal(counted.statuses_count, 1);
    // the job that takes it further is enqueued with the status; the mention is notified at once
    assert.deepEqual(
      (await enqueued(ctx, "status.fanout")).filter((p) => p.statusId === status.id),
      [{ statusId: status.id }],
    );
    const [note] = await notifications(mentioned.account.id);
    assert.deepEqual([note?.type, note?.from_account_id, note?.status_id], ["mention", author.id, status.id]);
    assert.ok(events.some((e) => e.channel === `user:${mentioned.account.id}` && e.event === "notification"));
    assert.deepEqual(await homeIds(ctx, author.id), [], "remote accounts have no home timeline");

    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [status.id]);
    assert.deepEqual(await homeIds(ctx, mentioned.account.id), [status.id]);
    assert.deepEqual(await homeIds(ctx, stranger.account.id), []);
    const on = (ch: string) => events.filter((e) => e.channel === ch).map((e) => `${e.event}:${e.id}`);
    assert.deepEqual(on(`user:${follower.account.id}`), [`update:${status.id}`]);
    assert.deepEqual(on(`user:${stranger.account.id}`), []);
    assert.deepEqual(on("public"), [`update:${status.id}`]);
    assert.deepEqual(on("hashtag:дала"), [`update:${status.id}`]);
    assert.deepEqual(on("public:local"), []);
    assert.deepEqual(on("hashtag:local:дала"), []);
  });

  test("a remote reply joins its local parent's thread and counts on it", async () => {
    const ctx = get();
    const author = await remote("reply");
    const local = await createTestUser(ctx);
    const parent = await createStatus(ctx, local.account, { text: "сұрақ", visibility: "public" });
    const reply = await receive(remoteDraft(ctx, author, { inReplyToId: parent.id, visibility: "unlisted" }));
    assert.equal(reply.in_reply_to_account_id, local.account.id);
    assert.equal(reply.conversation_id, parent.conversation_id);
    const p = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", parent.id)
      .executeTakeFirstOrThrow();
    assert.equal(p.replies_count, 1);
    await ctx.queue.drain();
  });

  test("a remote reblog of a local post notifies its author and reaches the booster's local followers", async () => {
    const ctx = get();
    const booster = await remote("booster");
    const author = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await followById(ctx, fan.account.id, booster.id);
    const original = await createStatus(ctx, author.account, { text: "жаңалық", visibility: "public" });
    await ctx.queue.drain();
    const events = recordEvents(ctx, ["public", `user:${fan.account.id}`]);
    const reblog = await receive(
      remoteDraft(ctx, booster, { reblogOfId: original.id, content: "", url: "https://remote.example/a/1" }),
    );
    assert.equal(reblog.conversation_id, null);
    const o = await ctx.db
      .selectFrom("statuses")
      .select("reblogs_count")
      .where("id", "=", original.id)
      .executeTakeFirstOrThrow();
    assert.equal(o.reblogs_count, 1);
    const notes = await notifications(author.account.id);
    assert.deepEqual(
      notes.map((n) => [n.type, n.from_account_id, n.status_id]),
      [["reblog", booster.id, reblog.id]],
    );
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, fan.account.id), [reblog.id]);
    assert.deepEqual(
      events.map((e) => `${e.channel} ${e.event}:${e.id}`),
      [`user:${fan.account.id} update:${reblog.id}`],
      "reblogs stay off the public streams",
    );
  });

  test("a remote edit announces status.update where the status is shown and notifies the newly mentioned", async () => {
    const ctx = get();
    const author = await remote("editor");
    const follower = await createTestUser(ctx);
    const later = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const status = await receive(remoteDraft(ctx, author));
    await ctx.queue.drain();
    const events = recordEvents(ctx, [`user:${follower.account.id}`, "public", "public:local"]);
    await transaction(ctx, async (trx, after) => {
      const edit = await persistStatusEdit(ctx, trx, status, {
        text: "",
        content: "<p>edited</p>",
        spoilerText: "",
        sensitive: false,
        language: null,
        mentions: [later.account.id],
        tags: new Map(),
      });
      assert.ok(edit);
      assert.deepEqual(edit.newlyMentioned, [later.account.id]);
      await distributeStatusUpdate(ctx, trx, after, edit.status, edit.newlyMentioned);
    });
    assert.deepEqual(
      (await enqueued(ctx, "status.update_fanout")).filter((p) => p.statusId === status.id),
      [{ statusId: status.id }],
    );
    assert.deepEqual(
      (await notifications(later.account.id)).map((n) => n.type),
      ["mention"],
    );
    await ctx.queue.drain();
    assert.deepEqual(events.map((e) => `${e.channel} ${e.event}:${e.id}`).sort(), [
      `public status.update:${status.id}`,
      `user:${follower.account.id} status.update:${status.id}`,
    ]);
  });

  test("a remote deletion is heard by local followers and holders, and on public streams only", async () => {
    const ctx = get();
    const author = await remote("gone");
    const follower = await createTestUser(ctx);
    const tagFan = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const status = await receive(remoteDraft(ctx, author, { tags: new Map([["жел", "жел"]]) }));
    await ctx.queue.drain();
    // a home holding it without following the author (a followed tag, say)
    await ctx.db
      .insertInto("home_feed")
      .values({
        account_id: tagFan.account.id,
        status_id: status.id,
        author_id: author.id,
        reblog_of_id: null,
      })
      .execute();
    const events = recordEvents(ctx, [
      `user:${follower.account.id}`,
      `user:${tagFan.account.id}`,
      "public",
      "public:local",
      "hashtag:жел",
      "hashtag:local:жел",
    ]);
    await transaction(ctx, (trx, after) => deleteStatusIn(ctx, trx, after, status));
    assert.deepEqual(events.map((e) => `${e.channel} ${e.event}:${e.id}`).sort(), [
      `hashtag:жел delete:${status.id}`,
      `public delete:${status.id}`,
      `user:${follower.account.id} delete:${status.id}`,
      `user:${tagFan.account.id} delete:${status.id}`,
    ]);
    const [job] = (await enqueued(ctx, "status.delete")).filter((p) => p.statusId === status.id);
    assert.deepEqual(job, {
      statusId: status.id,
      accountId: author.id,
      uri: status.uri,
      local: 0,
      visibility: "public",
      reblogOfId: null,
      reblogIds: [],
    });
    const left = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.id)
      .executeTakeFirstOrThrow();
    assert.equal(left.statuses_count, 0);
  });
});
