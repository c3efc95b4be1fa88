import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { createHttpApp } from "../../http.ts";

describeStores("statuses API", (get) => {
  test("create renders HTML, stores mentions and tags, counts, appears in own home", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const r = await post(alice, {
      status: `Сәлем @${bob.account.username} #Қазақстан <b>x</b> https://example.kz`,
      language: "kk",
    });
    assert.equal(r.status, 200);
    const s = r.body;
    assert.match(s.id, /^\d{18}$/);
    assert.equal(s.visibility, "public");
    assert.equal(s.language, "kk");
    assert.equal(s.uri, `https://torgai.test/users/${alice.account.username}/statuses/${s.id}`);
    assert.equal(s.url, `https://torgai.test/@${alice.account.username}/${s.id}`);
    assert.ok(s.content.startsWith('<p>Сәлем <span class="h-card"'));
    assert.ok(s.content.includes("&lt;b&gt;x&lt;/b&gt;"));
    assert.deepEqual(
      s.mentions.map((m: J) => m.acct),
      [bob.account.username],
    );
    assert.deepEqual(s.tags, [
      { name: "қазақстан", url: `https://torgai.test/tags/${encodeURIComponent("қазақстан")}` },
    ]);
    assert.equal(s.account.id, alice.account.id);
    assert.equal(s.favourited, false);
    assert.equal(s.pinned, false);
    assert.deepEqual(s.application, { name: "test", website: null });
    assert.deepEqual(s.media_attachments, []);
    assert.equal(s.card, null);
    assert.equal(s.poll, null);
    assert.equal(s.text, undefined);
    const acc = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", alice.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(acc.statuses_count, 1);
    assert.ok(acc.last_status_at);
    const feed = await ctx.db
      .selectFrom("home_feed")
      .selectAll()
      .where("account_id", "=", alice.account.id)
      .execute();
    assert.deepEqual(
      feed.map((f) => f.status_id),
      [s.id],
    );
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", bob.account.id)
      .execute();
    assert.deepEqual(
      notes.map((n) => [n.type, n.status_id]),
      [["mention", s.id]],
    );
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select(["type", "payload"])
      .where("type", "=", "status.fanout")
      .execute();
    assert.ok(jobs.some((j) => JSON.parse(j.payload).statusId === s.id));
  });

  test("validation: blank, too long (URLs count 23), language, visibility, poll", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    assert.equal((await post(alice, { status: "  " })).status, 422);
    assert.equal((await post(alice, { status: "x".repeat(5001) })).status, 422);
    assert.equal((await post(alice, { status: "x".repeat(5000) })).status, 200);
    const longUrl = `https://example.com/${"a".repeat(6000)}`;
    assert.equal((await post(alice, { status: `${"x".repeat(4970)} ${longUrl}` })).status, 200);
    assert.equal((await post(alice, { status: "hi", language: "zz" })).status, 422);
    assert.equal((await post(alice, { status: "hi", visibility: "secret" })).status, 422);
    // less than five minutes ahead (scheduling itself: scheduled-statuses.test.ts)
    const soon = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await post(alice, { status: "hi", scheduled_at: soon })).status, 422);
    const bad = await post(alice, { status: "q", poll: { options: ["only"], expires_in: 600 } });
    assert.equal(bad.status, 422);
    assert.equal(
      (await post(alice, { status: "q", poll: { options: ["a", "b"], expires_in: 10 } })).status,
      422,
    );
    assert.equal(
      (await post(alice, { status: "q", poll: { options: ["a", "b", "c", "d", "e"], expires_in: 600 } }))
        .status,
      422,
    );
    assert.equal(
      (await post(alice, { status: "q", poll: { options: ["a", "x".repeat(51)], expires_in: 600 } })).status,
      422,
    );
    const ok = await post(alice, { poll: { options: ["иә", "жоқ"], expires_in: 600, multiple: true } });
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.body.poll.options.map((o: J) => o.title),
      ["иә", "жоқ"],
    );
    assert.equal(ok.body.poll.multiple, true);
    assert.equal(ok.body.poll.voted, true);
  });

  test("form encoding with brackets works (poll[options][])", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const body = new URLSearchParams();
    body.append("status", "form post");
    body.append("poll[options][]", "a");
    body.append("poll[options][]", "b");
    body.append("poll[expires_in]", "3600");
    body.append("sensitive", "true");
    body.append("spoiler_text", "cw");
    const app = createHttpApp(ctx);
    const res3 = await app.request("https://torgai.test/api/v1/statuses", {
      method: "POST",
      headers: {
        authorization: `Bearer ${alice.token}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    });
    assert.equal(res3.status, 200);
    const s = (await res3.json()) as J;
    assert.equal(s.spoiler_text, "cw");
    assert.equal(s.sensitive, true);
    assert.equal(s.poll.options.length, 2);
  });

  test("Idempotency-Key returns the same status for the same user within an hour", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const h = { "Idempotency-Key": "abc-123" };
    const [a, b] = await Promise.all([
      post(alice, { status: "once" }, h),
      post(alice, { status: "once" }, h),
    ]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(a.body.id, b.body.id);
    const c = await post(alice, { status: "once" }, h);
    assert.equal(c.body.id, a.body.id);
    const other = await post(bob, { status: "once" }, h);
    assert.notEqual(other.body.id, a.body.id);
    const n = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", alice.account.id)
      .execute();
    assert.equal(n.length, 1);
  });

  test("private and direct statuses: 404 for those who may not see them, on every read route", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const friend = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    await follow(ctx, follower, author);
    const priv = (await post(author, { status: "followers only", visibility: "private" })).body;
    const dm = (await post(author, { status: `@${friend.account.username} secret`, visibility: "direct" }))
      .body;
    const anon = (path: string) => author.api(path, { token: null });
    for (const [s, allowed, denied] of [
      [priv, [author, follower], [stranger, friend]],
      [dm, [author, friend], [stranger, follower]],
    ] as const) {
      for (const u of allowed) assert.equal((await u.api(`/api/v1/statuses/${s.id}`)).status, 200);
      for (const u of denied) {
        for (const sub of ["", "/context", "/favourited_by", "/reblogged_by", "/history"]) {
          const res = await u.api(`/api/v1/statuses/${s.id}${sub}`);
          assert.equal(res.status, 404, `${sub} for denied`);
          assert.deepEqual(await res.json(), { error: "Record not found" });
        }
        for (const action of ["favourite", "reblog", "bookmark", "pin", "mute"]) {
          assert.equal((await u.api(`/api/v1/statuses/${s.id}/${action}`, { method: "POST" })).status, 404);
        }
        const multi = (await (await u.api(`/api/v1/statuses?id[]=${s.id}`)).json()) as J[];
        assert.deepEqual(multi, []);
        assert.equal((await post(u, { status: "reply", in_reply_to_id: s.id })).status, 404);
      }
      assert.equal((await anon(`/api/v1/statuses/${s.id}`)).status, 404);
    }
    // the follower may not reblog a private post; a DM is not reblogged even by its recipient
    const r1 = await follower.api(`/api/v1/statuses/${priv.id}/reblog`, { method: "POST" });
    assert.equal(r1.status, 403);
    assert.deepEqual(await r1.json(), { error: "This action is not allowed" });
    assert.equal((await friend.api(`/api/v1/statuses/${dm.id}/reblog`, { method: "POST" })).status, 403);
    // the author may reblog their own private post; it stays private
    const own = await author.api(`/api/v1/statuses/${priv.id}/reblog`, {
      method: "POST",
      json: { visibility: "public" },
    });
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as J).visibility, "private");
  });

  test("anonymous get of a public status omits viewer flags; multiple get keeps order", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const a = (await post(alice, { status: "one" })).body;
    const b = (await post(alice, { status: "two", visibility: "unlisted" })).body;
    const res = await alice.api(`/api/v1/statuses/${a.id}`, { token: null });
    const s = (await res.json()) as J;
    assert.equal(s.favourited, undefined);
    assert.equal(s.filtered, undefined);
    assert.equal("application" in s, false);
    const multi = (await (
      await alice.api(`/api/v1/statuses?id[]=${b.id}&id[]=${a.id}&id[]=999999999999999999`)
    ).json()) as J[];
    assert.deepEqual(
      multi.map((x) => x.id),
      [b.id, a.id],
    );
    assert.equal((await alice.api("/api/v1/statuses/999999999999999999")).status, 404);
  });

  test("replies: inherit conversation, count replies (public only), reply to self", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const root = (await post(alice, { status: "root" })).body;
    const reply = (await post(bob, { status: "re", in_reply_to_id: root.id })).body;
    assert.equal(reply.in_reply_to_id, root.id);
    assert.equal(reply.in_reply_to_account_id, alice.account.id);
    await post(bob, { status: "dm re", in_reply_to_id: root.id, visibility: "direct" });
    const rows = await ctx.db
      .selectFrom("statuses")
      .select(["id", "conversation_id", "replies_count"])
      .where("id", "in", [root.id, reply.id])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(byId.get(root.id)?.conversation_id, byId.get(reply.id)?.conversation_id);
    assert.equal(byId.get(root.id)?.replies_count, 1);
  });

  test("a failing insert rolls back the whole post", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const before = await ctx.db.selectFrom("statuses").select("id").execute();
    const orig = ctx.ids;
    let calls = 0;
    // reuse one id for the mention rows so the second mention violates the primary key
    const fixed = orig();
    ctx.ids = ((at?: Date) => {
      calls++;
      return calls >= 3 ? fixed : orig(at);
    }) as typeof ctx.ids;
    try {
      const r = await post(alice, { status: `@${bob.account.username} and @${alice.account.username} #tag` });
      assert.equal(r.status, 500);
    } finally {
      ctx.ids = orig;
    }
    const after = await ctx.db.selectFrom("statuses").select("id").execute();
    assert.equal(after.length, before.length);
    const acc = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", alice.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(acc.statuses_count, 0);
    assert.equal(
      (
        await ctx.db
          .selectFrom("home_feed")
          .select("status_id")
          .where("account_id", "=", alice.account.id)
          .execute()
      ).length,
      0,
    );
    assert.equal(
      (
        await ctx.db
          .selectFrom("notifications")
          .select("id")
          .where("account_id", "=", bob.account.id)
          .execute()
      ).length,
      0,
    );
  });
});
