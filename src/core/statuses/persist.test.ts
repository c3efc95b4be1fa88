/** persist.ts on its own: what it writes for drafts that did not come from our API, and what it refuses. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueued, insertRemoteAccounts, remoteDraft } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { transaction } from "../../app.ts";
import { createStatus } from "./create.ts";
import { deleteStatus } from "./delete.ts";
import { persistStatus, persistStatusEdit, type StatusDraft } from "./persist.ts";

describeStores("persist", (get) => {
  const store = (draft: StatusDraft) => transaction(get(), (trx) => persistStatus(get(), trx, draft));

  test("a remote post keeps its uri, url, time and conversation; an older one arriving late does not move last_status_at back", async () => {
    const ctx = get();
    const [author] = await insertRemoteAccounts(ctx, "far.example", [`p${ctx.ids().slice(-6)}`]);
    const thread = ctx.ids();
    await ctx.db
      .insertInto("conversations")
      .values({ id: thread, uri: "https://far.example/ctx/1", created_at: ctx.now().toISOString() })
      .execute();
    const recent = remoteDraft(ctx, author, {
      createdAt: "2026-03-02T10:00:00.000Z",
      conversationId: thread,
    });
    const s = await store(recent);
    assert.deepEqual(
      [s.uri, s.url, s.local, s.created_at, s.updated_at, s.conversation_id],
      [recent.uri, recent.url, 0, recent.createdAt, recent.createdAt, thread],
    );
    await store(remoteDraft(ctx, author, { createdAt: "2025-01-01T00:00:00.000Z" }));
    const row = await ctx.db
      .selectFrom("accounts")
      .select(["statuses_count", "last_status_at"])
      .where("id", "=", author.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { statuses_count: 2, last_status_at: "2026-03-02T10:00:00.000Z" });
    await ctx.queue.drain();
  });

  test("a reply to a status that is gone is refused with nothing written", async () => {
    const ctx = get();
    const [author] = await insertRemoteAccounts(ctx, "far.example", [`q${ctx.ids().slice(-6)}`]);
    const local = await createTestUser(ctx);
    const parent = await createStatus(ctx, local.account, { text: "жоғалады" });
    await deleteStatus(ctx, local.account, parent.id);
    const conversations = async () =>
      Number(
        (
          await ctx.db
            .selectFrom("conversations")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await conversations();
    const draft = remoteDraft(ctx, author, {
      inReplyToId: parent.id,
      mentions: [local.account.id],
      tags: new Map([["а", "а"]]),
    });
    await assert.rejects(store(draft), /does not appear to exist/);
    assert.equal(
      await ctx.db.selectFrom("statuses").select("id").where("uri", "=", draft.uri).executeTakeFirst(),
      undefined,
    );
    assert.equal(await conversations(), before);
    const row = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.statuses_count, 0);
    await ctx.queue.drain();
  });

  test("a revision is compared on its content too (a remote edit has no source text); a new poll replaces the old with its own expiry job", async () => {
    const ctx = get();
    const [author] = await insertRemoteAccounts(ctx, "far.example", [`r${ctx.ids().slice(-6)}`]);
    const s = await store(
      remoteDraft(ctx, author, {
        content: "<p>бірінші</p>",
        poll: {
          options: ["иә", "жоқ"],
          multiple: false,
          hideTotals: false,
          expiresAt: "2030-01-01T00:00:00.000Z",
        },
      }),
    );
    const base = {
      text: "",
      spoilerText: "",
      sensitive: false,
      language: null,
      mentions: [],
      tags: new Map(),
    };
    const edit = (rev: Parameters<typeof persistStatusEdit>[3]) =>
      transaction(ctx, (trx) => persistStatusEdit(ctx, trx, s, rev));
    assert.equal(await edit({ ...base, content: s.content }), null, "nothing changed");
    const poll = {
      options: ["иә", "жоқ", "білмеймін"],
      multiple: false,
      hideTotals: false,
      expiresAt: "2030-02-01T00:00:00.000Z",
    };
    const done = await edit({
      ...base,
      content: "<p>екінші</p>",
      poll,
      editedAt: "2026-03-03T00:00:00.000Z",
    });
    assert.ok(done);
    assert.equal(done.status.edited_at, "2026-03-03T00:00:00.000Z");
    assert.notEqual(done.status.poll_id, s.poll_id);
    const polls = await ctx.db
      .selectFrom("polls")
      .select(["id", "options"])
      .where("status_id", "=", s.id)
      .execute();
    assert.deepEqual(polls, [{ id: done.status.poll_id, options: JSON.stringify(poll.options) }]);
    assert.ok((await enqueued(ctx, "poll.expire")).some((p) => p.pollId === done.status.poll_id));
    const history = await ctx.db
      .selectFrom("status_edits")
      .select("content")
      .where("status_id", "=", s.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      history.map((h) => h.content),
      ["<p>бірінші</p>", "<p>екінші</p>"],
    );
  });
});
