import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { follow, homeIds } from "../../../test/helpers/fixtures.ts";
import { createTestContext, createTestUser, STORES, type TestUser } from "../../../test/helpers/harness.ts";
import { type AppContext, closeContext } from "../../app.ts";
import { publishScheduledStatus } from "../../core/statuses/scheduled.ts";

const MIN = 60_000;

for (const kind of STORES) {
  describe(`scheduled statuses [${kind}]`, () => {
    // a clock the test moves: the queue runs a job once the clock reaches its time
    let clock = Date.parse("2026-03-02T10:00:00.000Z");
    let ctx: AppContext;
    before(async () => {
      ctx = await createTestContext(kind, { now: () => new Date(clock) });
    });
    after(() => closeContext(ctx));
    const at = (ms: number) => new Date(clock + ms).toISOString();
    const schedule = (u: TestUser, body: Record<string, unknown>, headers?: Record<string, string>) =>
      u.api("/api/v1/statuses", { json: body, headers });

    test("schedule, list with Link, show, move, cancel; others get 404", async () => {
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      const when = at(60 * MIN);
      const res = await schedule(alice, {
        status: "later",
        scheduled_at: when,
        visibility: "unlisted",
        poll: { options: ["a", "b"], expires_in: 3600 },
      });
      assert.equal(res.status, 200);
      const s = (await res.json()) as J;
      assert.equal(s.scheduled_at, when);
      assert.equal(s.params.text, "later");
      assert.equal(s.params.visibility, "unlisted");
      assert.equal(s.params.scheduled_at, null);
      assert.deepEqual(s.params.poll, {
        options: ["a", "b"],
        expires_in: 3600,
        multiple: false,
        hide_totals: false,
      });
      assert.deepEqual(s.media_attachments, []);
      assert.equal(s.content, undefined, "a ScheduledStatus, not a Status");

      const second = (await json(schedule(alice, { status: "later too", scheduled_at: at(90 * MIN) }))) as J;
      const page = await alice.api("/api/v1/scheduled_statuses?limit=1");
      assert.equal(page.status, 200);
      assert.deepEqual(
        ((await page.json()) as J[]).map((x) => x.id),
        [second.id],
      );
      assert.match(page.headers.get("link") ?? "", new RegExp(`max_id=${second.id}.*rel="next"`));
      const rest = (await json(alice.api(`/api/v1/scheduled_statuses?max_id=${second.id}`))) as J[];
      assert.deepEqual(
        rest.map((x) => x.id),
        [s.id],
      );

      assert.equal((await json(alice.api(`/api/v1/scheduled_statuses/${s.id}`))).params.text, "later");
      assert.equal((await bob.api(`/api/v1/scheduled_statuses/${s.id}`)).status, 404);
      assert.deepEqual(await json(bob.api("/api/v1/scheduled_statuses")), []);
      const bobMove = await bob.api(`/api/v1/scheduled_statuses/${s.id}`, {
        method: "PUT",
        json: { scheduled_at: at(120 * MIN) },
      });
      assert.equal(bobMove.status, 404);

      const moved = await alice.api(`/api/v1/scheduled_statuses/${s.id}`, {
        method: "PUT",
        json: { scheduled_at: at(24 * 60 * MIN) },
      });
      assert.equal(moved.status, 200);
      assert.equal(((await moved.json()) as J).scheduled_at, at(24 * 60 * MIN));
      const tooSoon = await alice.api(`/api/v1/scheduled_statuses/${s.id}`, {
        method: "PUT",
        json: { scheduled_at: at(2 * MIN) },
      });
      assert.equal(tooSoon.status, 422);

      assert.equal((await bob.api(`/api/v1/scheduled_statuses/${s.id}`, { method: "DELETE" })).status, 404);
      const del = await alice.api(`/api/v1/scheduled_statuses/${s.id}`, { method: "DELETE" });
      assert.equal(del.status, 200);
      assert.deepEqual(await del.json(), {});
      assert.equal((await alice.api(`/api/v1/scheduled_statuses/${s.id}`)).status, 404);
      const jobs = await ctx.db
        .selectFrom("jobs")
        .select("payload")
        .where("type", "=", "status.publish_scheduled")
        .execute();
      assert.ok(!jobs.some((j) => j.payload.includes(s.id)), "a cancelled post leaves no job behind");
      await alice.api(`/api/v1/scheduled_statuses/${second.id}`, { method: "DELETE" });
    });

    test("bad input: within five minutes, not a date, bad poll, hidden parent, media → refused", async () => {
      const alice = await createTestUser(ctx);
      const soon = await schedule(alice, { status: "x", scheduled_at: at(4 * MIN) });
      assert.equal(soon.status, 422);
      assert.equal(
        ((await soon.json()) as J).error,
        "Validation failed: Scheduled at The scheduled date must be in the future",
      );
      assert.equal((await schedule(alice, { status: "x", scheduled_at: "tomorrow-ish" })).status, 422);
      const poll = await schedule(alice, {
        status: "x",
        scheduled_at: at(60 * MIN),
        poll: { options: ["only one"], expires_in: 3600 },
      });
      assert.equal(poll.status, 422);
      assert.equal(
        (await schedule(alice, { status: "", scheduled_at: at(60 * MIN) })).status,
        422,
        "blank text is refused now, not at the time",
      );
      const reply = await schedule(alice, {
        status: "x",
        in_reply_to_id: "999999",
        scheduled_at: at(60 * MIN),
      });
      assert.equal(reply.status, 404);
      const media = await schedule(alice, { status: "x", media_ids: ["123"], scheduled_at: at(60 * MIN) });
      assert.equal(media.status, 422);
      assert.deepEqual(await json(alice.api("/api/v1/scheduled_statuses")), []);
    });

    test("a time already past posts at once", async () => {
      const alice = await createTestUser(ctx);
      const res = await schedule(alice, { status: "now please", scheduled_at: at(-MIN) });
      assert.equal(res.status, 200);
      const s = (await res.json()) as J;
      assert.match(s.content, /now please/);
      assert.deepEqual(await json(alice.api("/api/v1/scheduled_statuses")), []);
    });

    test("the job publishes at the time through the normal path (home of followers, app, poll), once", async () => {
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      await follow(ctx, bob, alice);
      const s = (await json(
        schedule(alice, {
          status: "scheduled hello",
          scheduled_at: at(30 * MIN),
          poll: { options: ["yes", "no"], expires_in: 600 },
        }),
      )) as J;
      await ctx.queue.drain();
      assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))).length, 0);

      clock += 30 * MIN + 1000;
      await ctx.queue.drain();
      const posted = (await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))) as J[];
      assert.equal(posted.length, 1);
      assert.match(posted[0].content, /scheduled hello/);
      assert.equal(posted[0].application?.name, "test");
      assert.deepEqual(
        posted[0].poll.options.map((o: J) => o.title),
        ["yes", "no"],
      );
      assert.equal(posted[0].created_at, new Date(clock).toISOString());
      assert.ok((await homeIds(ctx, bob.account.id)).includes(posted[0].id), "fanned out to a follower");
      assert.equal((await alice.api(`/api/v1/scheduled_statuses/${s.id}`)).status, 404);

      // a job delivered twice posts once
      assert.equal(await publishScheduledStatus(ctx, s.id), null);
      assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))).length, 1);
    });

    test("a moved post is published at its new time only", async () => {
      const alice = await createTestUser(ctx);
      const s = (await json(schedule(alice, { status: "moved", scheduled_at: at(10 * MIN) }))) as J;
      await alice.api(`/api/v1/scheduled_statuses/${s.id}`, {
        method: "PUT",
        form: { scheduled_at: at(60 * MIN) },
      });
      clock += 11 * MIN;
      await ctx.queue.drain();
      assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))).length, 0);
      clock += 50 * MIN;
      await ctx.queue.drain();
      assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))).length, 1);
    });

    test("a post that can no longer be made (its parent deleted) is dropped, not retried", async () => {
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      const parent = (await json(bob.api("/api/v1/statuses", { json: { status: "parent" } }))) as J;
      const s = (await json(
        schedule(alice, { status: "reply", in_reply_to_id: parent.id, scheduled_at: at(10 * MIN) }),
      )) as J;
      assert.equal(s.params.in_reply_to_id, parent.id);
      await bob.api(`/api/v1/statuses/${parent.id}`, { method: "DELETE" });
      clock += 11 * MIN;
      await ctx.queue.drain();
      assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}/statuses`))).length, 0);
      assert.equal((await alice.api(`/api/v1/scheduled_statuses/${s.id}`)).status, 404);
      const left = await ctx.db
        .selectFrom("jobs")
        .select("id")
        .where("type", "=", "status.publish_scheduled")
        .where("payload", "like", `%${s.id}%`)
        .execute();
      assert.equal(left.length, 0);
    });

    test("the same Idempotency-Key returns the same scheduled status", async () => {
      const alice = await createTestUser(ctx);
      const headers = { "idempotency-key": "sched-1" };
      const a = (await json(schedule(alice, { status: "once", scheduled_at: at(60 * MIN) }, headers))) as J;
      const b = (await json(schedule(alice, { status: "once", scheduled_at: at(60 * MIN) }, headers))) as J;
      assert.equal(a.id, b.id);
      assert.equal((await json(alice.api("/api/v1/scheduled_statuses"))).length, 1);
    });

    test("limits: 25 a day, 300 in all → 422", async () => {
      const alice = await createTestUser(ctx);
      const day = new Date(clock + 3 * 24 * 60 * MIN);
      day.setUTCHours(12, 0, 0, 0);
      for (let i = 0; i < 25; i++) {
        const r = await schedule(alice, {
          status: `d${i}`,
          scheduled_at: new Date(day.getTime() + i * 1000).toISOString(),
        });
        assert.equal(r.status, 200);
      }
      const over = await schedule(alice, {
        status: "d25",
        scheduled_at: new Date(day.getTime() + 30_000).toISOString(),
      });
      assert.equal(over.status, 422);
      assert.match(((await over.json()) as J).error, /limit of 25 scheduled posts for today/);
      const nextDay = new Date(day.getTime() + 24 * 60 * MIN).toISOString();
      assert.equal((await schedule(alice, { status: "next day", scheduled_at: nextDay })).status, 200);

      // fill up to 300 directly (one per day, so only the total limit is reached)
      const rows = [];
      for (let i = 0; i < 300 - 26; i++) {
        rows.push({
          id: ctx.ids(),
          account_id: alice.account.id,
          scheduled_at: new Date(clock + (10 + i) * 24 * 60 * MIN).toISOString(),
          params: JSON.stringify({ text: "filler" }),
          application_id: null,
          idempotency_key: null,
          created_at: new Date(clock).toISOString(),
        });
      }
      for (let i = 0; i < rows.length; i += 100)
        await ctx.db
          .insertInto("scheduled_statuses")
          .values(rows.slice(i, i + 100))
          .execute();
      const full = await schedule(alice, { status: "one too many", scheduled_at: at(2 * 24 * 60 * MIN) });
      assert.equal(full.status, 422);
      assert.match(((await full.json()) as J).error, /limit of 300 scheduled posts/);
    });
  });
}
