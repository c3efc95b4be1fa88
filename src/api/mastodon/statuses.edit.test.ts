import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("status edit, delete, context API", (get) => {
  test("edit: history keeps the original first, source, edited_at, 'update' for boosters", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const s = (await post(alice, { status: "first #one" })).body;
    await bob.api(`/api/v1/statuses/${s.id}/reblog`, { method: "POST" });
    // someone else cannot edit: 404 as Mastodon
    assert.equal(
      (await bob.api(`/api/v1/statuses/${s.id}`, { method: "PUT", json: { status: "hacked" } })).status,
      404,
    );
    const e1 = await alice.api(`/api/v1/statuses/${s.id}`, {
      method: "PUT",
      json: { status: "second <i>#two</i>", spoiler_text: "cw" },
    });
    assert.equal(e1.status, 200);
    const b1 = (await e1.json()) as J;
    assert.ok(b1.edited_at);
    assert.equal(b1.sensitive, true);
    assert.ok(b1.content.includes("&lt;i&gt;"));
    assert.deepEqual(
      b1.tags.map((t: J) => t.name),
      ["two"],
    );
    await alice.api(`/api/v1/statuses/${s.id}`, { method: "PUT", json: { status: "third" } });
    const hist = (await (await alice.api(`/api/v1/statuses/${s.id}/history`)).json()) as J[];
    assert.deepEqual(
      hist.map((h) => [h.content.replace(/<[^>]+>/g, ""), h.spoiler_text]),
      [
        ["first #one", ""],
        ["second &lt;i&gt;#two&lt;/i&gt;", "cw"],
        ["third", ""],
      ],
    );
    assert.equal(hist[0].account.id, alice.account.id);
    const src = (await (await alice.api(`/api/v1/statuses/${s.id}/source`)).json()) as J;
    assert.deepEqual(src, { id: s.id, text: "third", spoiler_text: "" });
    assert.equal((await bob.api(`/api/v1/statuses/${s.id}/source`)).status, 404);
    const notes = await ctx.db
      .selectFrom("notifications")
      .selectAll()
      .where("account_id", "=", bob.account.id)
      .execute();
    assert.equal(notes.filter((n) => n.type === "update").length, 2);
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select("payload")
      .where("type", "=", "status.update_fanout")
      .execute();
    assert.ok(jobs.some((j) => JSON.parse(j.payload).statusId === s.id));
    // an unedited status has its current version as the only history entry
    const plain = (await post(alice, { status: "plain" })).body;
    const h2 = (await (await alice.api(`/api/v1/statuses/${plain.id}/history`)).json()) as J[];
    assert.equal(h2.length, 1);
    // editing with nothing changed creates no history
    await alice.api(`/api/v1/statuses/${plain.id}`, { method: "PUT", json: { status: "plain" } });
    assert.equal(((await (await alice.api(`/api/v1/statuses/${plain.id}/history`)).json()) as J[]).length, 1);
  });

  test("edit of a poll resets votes when options change", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const s = (await post(alice, { status: "q", poll: { options: ["a", "b"], expires_in: 3600 } })).body;
    const vote = await bob.api(`/api/v1/polls/${s.poll.id}/votes`, {
      method: "POST",
      json: { choices: [1] },
    });
    assert.equal(vote.status, 200);
    const same = (await (
      await alice.api(`/api/v1/statuses/${s.id}`, {
        method: "PUT",
        json: { status: "q?", poll: { options: ["a", "b"], expires_in: 3600 } },
      })
    ).json()) as J;
    assert.equal(same.poll.id, s.poll.id);
    assert.equal(same.poll.votes_count, 1);
    const changed = (await (
      await alice.api(`/api/v1/statuses/${s.id}`, {
        method: "PUT",
        json: { status: "q?", poll: { options: ["a", "c"], expires_in: 3600 } },
      })
    ).json()) as J;
    assert.notEqual(changed.poll.id, s.poll.id);
    assert.equal(changed.poll.votes_count, 0);
    const hist = (await (await alice.api(`/api/v1/statuses/${s.id}/history`)).json()) as J[];
    assert.deepEqual(hist[0].poll, { options: [{ title: "a" }, { title: "b" }] });
    const removed = (await (
      await alice.api(`/api/v1/statuses/${s.id}`, { method: "PUT", json: { status: "no poll" } })
    ).json()) as J;
    assert.equal(removed.poll, null);
  });

  test("delete: returns source text, cascades, decrements counters, publishes delete", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await follow(ctx, bob, alice);
    const root = (await post(bob, { status: "root" })).body;
    const s = (await post(alice, { status: "bye #тег", in_reply_to_id: root.id })).body;
    await bob.api(`/api/v1/statuses/${s.id}/favourite`, { method: "POST" });
    await bob.api(`/api/v1/statuses/${s.id}/bookmark`, { method: "POST" });
    const boost = (await (await bob.api(`/api/v1/statuses/${s.id}/reblog`, { method: "POST" })).json()) as J;
    const events: [string, string][] = [];
    const channels = [
      "public",
      "public:local",
      "hashtag:тег",
      `user:${alice.account.id}`,
      `user:${bob.account.id}`,
    ];
    const offs = channels.map((ch) =>
      ctx.events.subscribe(ch, (e) => events.push([ch, `${e.event}:${e.id}`])),
    );
    assert.equal((await bob.api(`/api/v1/statuses/${s.id}`, { method: "DELETE" })).status, 404);
    const del = await alice.api(`/api/v1/statuses/${s.id}`, { method: "DELETE" });
    offs.forEach((off) => {
      off();
    });
    assert.equal(del.status, 200);
    const body = (await del.json()) as J;
    assert.equal(body.text, "bye #тег");
    assert.equal(body.content, undefined);
    assert.equal(body.id, s.id);
    assert.equal((await alice.api(`/api/v1/statuses/${s.id}`)).status, 404);
    assert.equal((await bob.api(`/api/v1/statuses/${boost.id}`)).status, 404);
    for (const t of ["favourites", "bookmarks", "mentions", "status_tags"] as const) {
      const rows = await ctx.db.selectFrom(t).selectAll().where("status_id", "=", s.id).execute();
      assert.equal(rows.length, 0, t);
    }
    const accs = await ctx.db
      .selectFrom("accounts")
      .select(["id", "statuses_count"])
      .where("id", "in", [alice.account.id, bob.account.id])
      .execute();
    assert.deepEqual(Object.fromEntries(accs.map((a) => [a.id, a.statuses_count])), {
      [alice.account.id]: 0,
      [bob.account.id]: 1,
    });
    const r = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", root.id)
      .executeTakeFirstOrThrow();
    assert.equal(r.replies_count, 0);
    for (const ch of channels)
      assert.ok(
        events.some(([c, e]) => c === ch && e === `delete:${s.id}`),
        ch,
      );
    assert.ok(events.some(([c, e]) => c === `user:${bob.account.id}` && e === `delete:${boost.id}`));
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select("payload")
      .where("type", "=", "status.delete")
      .execute();
    assert.ok(jobs.some((j) => JSON.parse(j.payload).statusId === s.id));
  });

  test("context: ancestors in order, descendants depth-first, hidden ones left out", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    const a = (await post(alice, { status: "a" })).body;
    const b = (await post(bob, { status: "b", in_reply_to_id: a.id })).body;
    const c1 = (await post(alice, { status: "c1", in_reply_to_id: b.id })).body;
    const b2 = (await post(bob, { status: "b2", in_reply_to_id: a.id })).body;
    const d = (await post(bob, { status: "d", in_reply_to_id: c1.id })).body;
    const hidden = (await post(alice, { status: "private", in_reply_to_id: b.id, visibility: "private" }))
      .body;
    const ctxOf = async (u: typeof alice, id: string) =>
      (await (await u.api(`/api/v1/statuses/${id}/context`)).json()) as J;
    const full = await ctxOf(alice, a.id);
    assert.deepEqual(full.ancestors, []);
    assert.deepEqual(
      full.descendants.map((s: J) => s.id),
      [b.id, c1.id, d.id, hidden.id, b2.id],
    );
    const seen = await ctxOf(stranger, a.id);
    assert.deepEqual(
      seen.descendants.map((s: J) => s.id),
      [b.id, c1.id, d.id, b2.id],
    );
    const mid = await ctxOf(stranger, c1.id);
    assert.deepEqual(
      mid.ancestors.map((s: J) => s.id),
      [a.id, b.id],
    );
    assert.deepEqual(
      mid.descendants.map((s: J) => s.id),
      [d.id],
    );
    const anon = (await (await alice.api(`/api/v1/statuses/${d.id}/context`, { token: null })).json()) as J;
    assert.deepEqual(
      anon.ancestors.map((s: J) => s.id),
      [a.id, b.id, c1.id],
    );
    assert.equal((await stranger.api(`/api/v1/statuses/${hidden.id}/context`)).status, 404);
  });
});
