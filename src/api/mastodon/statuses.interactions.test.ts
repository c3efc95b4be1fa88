import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("status interactions API", (get) => {
  test("favourite / unfavourite: idempotent, counted, notified, listed with Link headers", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const s = (await post(alice, { status: "fave me" })).body;
    for (let i = 0; i < 2; i++) {
      const r = (await (await bob.api(`/api/v1/statuses/${s.id}/favourite`, { method: "POST" })).json()) as J;
      assert.equal(r.favourited, true);
      assert.equal(r.favourites_count, 1);
    }
    await carol.api(`/api/v1/statuses/${s.id}/favourite`, { method: "POST" });
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", alice.account.id)
      .execute();
    assert.equal(notes.filter((n) => n.type === "favourite").length, 2);

    const page1 = await alice.api(`/api/v1/statuses/${s.id}/favourited_by?limit=1`);
    const p1 = (await page1.json()) as J[];
    assert.deepEqual(
      p1.map((a) => a.id),
      [carol.account.id],
    );
    const link = page1.headers.get("link") ?? "";
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    assert.ok(next);
    const p2 = (await (await alice.api(next)).json()) as J[];
    assert.deepEqual(
      p2.map((a) => a.id),
      [bob.account.id],
    );

    const favs = await bob.api("/api/v1/favourites");
    assert.deepEqual(
      ((await favs.json()) as J[]).map((x) => x.id),
      [s.id],
    );
    assert.match(favs.headers.get("link") ?? "", /max_id=\d+>; rel="next"/);

    const un = (await (
      await bob.api(`/api/v1/statuses/${s.id}/unfavourite`, { method: "POST" })
    ).json()) as J;
    assert.equal(un.favourited, false);
    assert.equal(un.favourites_count, 1);
    assert.deepEqual(await (await bob.api("/api/v1/favourites")).json(), []);
  });

  test("reblog / unreblog: idempotent, counters, notification, home, reblogged_by", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const s = (await post(alice, { status: "boost me" })).body;
    const r1 = (await (await bob.api(`/api/v1/statuses/${s.id}/reblog`, { method: "POST" })).json()) as J;
    const r2 = (await (await bob.api(`/api/v1/statuses/${s.id}/reblog`, { method: "POST" })).json()) as J;
    assert.equal(r1.id, r2.id);
    assert.equal(r1.reblog.id, s.id);
    assert.equal(r1.reblog.reblogged, true);
    // the wrapper says so too (masto.js and Mastodon apps read `reblogged` on the answer itself)
    assert.equal(r1.reblogged, true);
    const bobHome = (await (await bob.api("/api/v1/timelines/home")).json()) as J[];
    assert.equal(bobHome.find((x) => x.id === r1.id)?.reblogged, true);
    assert.equal(r1.reblog.reblogs_count, 1);
    assert.equal(r1.content, "");
    assert.equal(r1.account.id, bob.account.id);
    // reblogging the reblog reblogs the original (still idempotent)
    const r3 = (await (await bob.api(`/api/v1/statuses/${r1.id}/reblog`, { method: "POST" })).json()) as J;
    assert.equal(r3.id, r1.id);
    const bobAcc = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", bob.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(bobAcc.statuses_count, 1);
    const home = await ctx.db
      .selectFrom("home_feed")
      .selectAll()
      .where("account_id", "=", bob.account.id)
      .execute();
    assert.deepEqual(
      home.map((h) => [h.status_id, h.reblog_of_id]),
      [[r1.id, s.id]],
    );
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", alice.account.id)
      .execute();
    assert.deepEqual(
      notes.map((n) => [n.type, n.status_id]),
      [["reblog", r1.id]],
    );
    const by = (await (await alice.api(`/api/v1/statuses/${s.id}/reblogged_by`)).json()) as J[];
    assert.deepEqual(
      by.map((a) => a.id),
      [bob.account.id],
    );
    const un = (await (await bob.api(`/api/v1/statuses/${s.id}/unreblog`, { method: "POST" })).json()) as J;
    assert.equal(un.id, s.id);
    assert.equal(un.reblogged, false);
    assert.equal(un.reblogs_count, 0);
    assert.equal((await bob.api(`/api/v1/statuses/${r1.id}`)).status, 404);
    const after = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", bob.account.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.statuses_count, 0);
    assert.equal(
      (
        await ctx.db
          .selectFrom("notifications")
          .select("id")
          .where("account_id", "=", alice.account.id)
          .execute()
      ).length,
      0,
    );
  });

  test("concurrent reblogs and favourites by one account count once", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const s = (await post(alice, { status: "race" })).body;
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        bob.api(`/api/v1/statuses/${s.id}/${i % 2 ? "reblog" : "favourite"}`, { method: "POST" }),
      ),
    );
    for (const r of results) assert.equal(r.status, 200);
    const row = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", s.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.reblogs_count, 1);
    assert.equal(row.favourites_count, 1);
    const reblogs = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("reblog_of_id", "=", s.id)
      .execute();
    assert.equal(reblogs.length, 1);
  });

  test("bookmarks: flag, list with Link header, private post leaves the list when unfollowed", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await follow(ctx, bob, alice);
    const a = (await post(alice, { status: "a" })).body;
    const b = (await post(alice, { status: "b", visibility: "private" })).body;
    for (const s of [a, b]) {
      const r = (await (await bob.api(`/api/v1/statuses/${s.id}/bookmark`, { method: "POST" })).json()) as J;
      assert.equal(r.bookmarked, true);
    }
    const list = await bob.api("/api/v1/bookmarks");
    assert.deepEqual(
      ((await list.json()) as J[]).map((x) => x.id),
      [b.id, a.id],
    );
    assert.ok(list.headers.get("link"));
    await ctx.db.deleteFrom("follows").where("account_id", "=", bob.account.id).execute();
    assert.deepEqual(
      ((await (await bob.api("/api/v1/bookmarks")).json()) as J[]).map((x) => x.id),
      [a.id],
    );
    const un = (await (await bob.api(`/api/v1/statuses/${a.id}/unbookmark`, { method: "POST" })).json()) as J;
    assert.equal(un.bookmarked, false);
  });

  test("pin: own only, not direct, at most 5; unpin", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const other = (await post(bob, { status: "bob's" })).body;
    assert.equal((await alice.api(`/api/v1/statuses/${other.id}/pin`, { method: "POST" })).status, 422);
    const dm = (await post(alice, { status: `@${bob.account.username} dm`, visibility: "direct" })).body;
    assert.equal((await alice.api(`/api/v1/statuses/${dm.id}/pin`, { method: "POST" })).status, 422);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await post(alice, { status: `p${i}` })).body.id);
    for (let i = 0; i < 5; i++) {
      const r = await alice.api(`/api/v1/statuses/${ids[i]}/pin`, { method: "POST" });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as J).pinned, true);
    }
    const sixth = await alice.api(`/api/v1/statuses/${ids[5]}/pin`, { method: "POST" });
    assert.equal(sixth.status, 422);
    assert.match(((await sixth.json()) as J).error, /maximum/);
    const un = (await (await alice.api(`/api/v1/statuses/${ids[0]}/unpin`, { method: "POST" })).json()) as J;
    assert.equal(un.pinned, false);
    assert.equal((await alice.api(`/api/v1/statuses/${ids[5]}/pin`, { method: "POST" })).status, 200);
  });

  test("mute conversation: flag set; mentions in the thread no longer notify", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const root = (await post(alice, { status: `@${bob.account.username} hi` })).body;
    const m = (await (await bob.api(`/api/v1/statuses/${root.id}/mute`, { method: "POST" })).json()) as J;
    assert.equal(m.muted, true);
    await post(alice, { status: `@${bob.account.username} again`, in_reply_to_id: root.id });
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", bob.account.id)
      .execute();
    assert.equal(notes.length, 1);
    const u = (await (await bob.api(`/api/v1/statuses/${root.id}/unmute`, { method: "POST" })).json()) as J;
    assert.equal(u.muted, false);
  });

  test("blocks hide statuses both ways", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const s = (await post(alice, { status: "public" })).body;
    await ctx.db
      .insertInto("blocks")
      .values({
        id: ctx.ids(),
        account_id: alice.account.id,
        target_account_id: bob.account.id,
        uri: null,
        created_at: ctx.now().toISOString(),
      })
      .execute();
    assert.equal((await bob.api(`/api/v1/statuses/${s.id}`)).status, 404);
    assert.equal((await bob.api(`/api/v1/statuses/${s.id}/favourite`, { method: "POST" })).status, 404);
    const own = (await post(bob, { status: "bob" })).body;
    assert.equal((await alice.api(`/api/v1/statuses/${own.id}`)).status, 404);
  });
});
