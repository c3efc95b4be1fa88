import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("polls API", (get) => {
  test("voting rules, counters, own_votes, hide_totals, private poll hidden", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const s = (
      await post(alice, { status: "q", poll: { options: ["a", "b", "c"], expires_in: 600, multiple: true } })
    ).body;
    const pid = s.poll.id;
    const vote = (u: typeof bob, choices: unknown) =>
      u.api(`/api/v1/polls/${pid}/votes`, { method: "POST", json: { choices } });
    assert.equal((await vote(alice, [0])).status, 422); // own poll
    assert.equal((await vote(bob, [5])).status, 422);
    assert.equal((await vote(bob, [])).status, 422);
    const ok = await vote(bob, [0, 2]);
    assert.equal(ok.status, 200);
    const p = (await ok.json()) as J;
    assert.equal(p.votes_count, 2);
    assert.equal(p.voters_count, 1);
    assert.deepEqual(p.own_votes, [0, 2]);
    assert.equal(p.voted, true);
    assert.deepEqual(
      p.options.map((o: J) => o.votes_count),
      [1, 0, 1],
    );
    assert.equal((await vote(bob, [1])).status, 422); // already voted
    const anon = (await (await alice.api(`/api/v1/polls/${pid}`, { token: null })).json()) as J;
    assert.equal(anon.voted, undefined);
    assert.equal(anon.expired, false);

    const single = (
      await post(alice, { status: "s", poll: { options: ["x", "y"], expires_in: 600, hide_totals: true } })
    ).body;
    const r = await carol.api(`/api/v1/polls/${single.poll.id}/votes`, {
      method: "POST",
      json: { choices: [0, 1] },
    });
    assert.equal(r.status, 422);
    const r2 = (await (
      await carol.api(`/api/v1/polls/${single.poll.id}/votes`, { method: "POST", json: { choices: ["1"] } })
    ).json()) as J;
    assert.deepEqual(
      r2.options.map((o: J) => o.votes_count),
      [null, null],
    );
    const mine = (await (await alice.api(`/api/v1/polls/${single.poll.id}`)).json()) as J;
    assert.deepEqual(
      mine.options.map((o: J) => o.votes_count),
      [0, 1],
    );

    const priv = (
      await post(alice, {
        status: "p",
        visibility: "private",
        poll: { options: ["x", "y"], expires_in: 600 },
      })
    ).body;
    assert.equal((await bob.api(`/api/v1/polls/${priv.poll.id}`)).status, 404);
    assert.equal(
      (await bob.api(`/api/v1/polls/${priv.poll.id}/votes`, { method: "POST", json: { choices: [0] } }))
        .status,
      404,
    );
  });

  test("expired poll refuses votes; poll.expire notifies voters and author once", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const ctx = get();
    const realNow = ctx.now;
    ctx.now = () => now;
    try {
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      const s = (await post(alice, { status: "q", poll: { options: ["a", "b"], expires_in: 300 } })).body;
      await bob.api(`/api/v1/polls/${s.poll.id}/votes`, { method: "POST", json: { choices: [0] } });
      now = new Date("2030-01-01T00:10:00Z");
      const late = await bob.api(`/api/v1/polls/${s.poll.id}/votes`, {
        method: "POST",
        json: { choices: [1] },
      });
      assert.equal(late.status, 422);
      const p = (await (await bob.api(`/api/v1/polls/${s.poll.id}`)).json()) as J;
      assert.equal(p.expired, true);
      await ctx.db.deleteFrom("jobs").where("type", "!=", "poll.expire").execute();
      await ctx.queue.drain();
      await ctx.queue.enqueue(ctx.db, "poll.expire", { pollId: s.poll.id });
      await ctx.queue.drain();
      const notes = await ctx.db
        .selectFrom("notifications")
        .select(["account_id", "type"])
        .where("status_id", "=", s.id)
        .where("type", "=", "poll")
        .execute();
      assert.deepEqual(notes.map((n) => n.account_id).sort(), [alice.account.id, bob.account.id].sort());
    } finally {
      ctx.now = realNow;
    }
  });
});
