/**
 * Scheduled statuses and notification requests through the real masto.js client, against a real
 * server whose job worker runs, on SQLite and PostgreSQL. The server's clock is the test's, so a
 * post scheduled for tomorrow is published by the worker when the test moves the clock there.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRestAPIClient, type mastodon } from "masto";
import { createTestUser, STORES } from "../helpers/harness.ts";
import { type E2EServer, eventually, startE2EServer, statusCodeOf } from "./server.ts";

const HOUR = 3600_000;

for (const kind of STORES) {
  describe(`scheduled statuses and notification requests through masto.js [${kind}]`, () => {
    let offset = 0;
    let srv: E2EServer;
    let alice: mastodon.rest.Client;
    let bob: mastodon.rest.Client;
    let aliceId: string;
    let aliceAcct: string;
    let bobId: string;

    before(async () => {
      srv = await startE2EServer(kind, {}, { now: () => new Date(Date.now() + offset) });
      const a = await createTestUser(srv.ctx, { username: "alice" });
      const b = await createTestUser(srv.ctx, { username: "bob" });
      alice = createRestAPIClient({ url: srv.url, accessToken: a.token });
      bob = createRestAPIClient({ url: srv.url, accessToken: b.token });
      aliceId = a.account.id;
      aliceAcct = a.account.username;
      bobId = b.account.id;
    });
    after(async () => {
      await srv?.close();
    });

    test("schedule, fetch, move, list, cancel (the upstream spec), then one published by the worker", async () => {
      const scheduledAt = new Date(Date.now() + offset + 24 * HOUR).toISOString();
      let schedule = await alice.v1.statuses.create({ status: "Scheduled status", scheduledAt });
      assert.equal(schedule.params.text, "Scheduled status");
      assert.equal(schedule.scheduledAt, scheduledAt);
      schedule = await alice.v1.scheduledStatuses.$select(schedule.id).fetch();
      assert.equal(schedule.scheduledAt, scheduledAt);
      const later = new Date(Date.now() + offset + 48 * HOUR).toISOString();
      schedule = await alice.v1.scheduledStatuses.$select(schedule.id).update({ scheduledAt: later });
      assert.equal(schedule.scheduledAt, later);
      assert.equal((await alice.v1.scheduledStatuses.list())[0].id, schedule.id);
      await alice.v1.scheduledStatuses.$select(schedule.id).remove();
      assert.equal(await statusCodeOf(alice.v1.scheduledStatuses.$select(schedule.id).fetch()), 404);
      const tooSoon = new Date(Date.now() + offset + 60_000).toISOString();
      assert.equal(await statusCodeOf(alice.v1.statuses.create({ status: "x", scheduledAt: tooSoon })), 422);

      const when = new Date(Date.now() + offset + 2 * HOUR).toISOString();
      const pending = await alice.v1.statuses.create({
        status: "Ертеңгі жазба",
        scheduledAt: when,
        poll: { options: ["иә", "жоқ"], expiresIn: 3600 },
      });
      assert.deepEqual((await alice.v1.accounts.$select(aliceId).statuses.list()).length, 0);
      offset += 2 * HOUR + 1000;
      const published = await eventually(async () => {
        const list = await alice.v1.accounts.$select(aliceId).statuses.list();
        return list.length ? list : null;
      }, "the worker to publish the scheduled status");
      assert.match(published[0].content, /Ертеңгі жазба/);
      assert.equal(published[0].poll?.options.length, 2);
      assert.equal(await statusCodeOf(alice.v1.scheduledStatuses.$select(pending.id).fetch()), 404);
    });

    test("filter a stranger's mention, see the request, accept it: the mention joins the notifications", async () => {
      await alice.v2.notifications.policy.update({ forNotFollowing: "filter" });
      await bob.v1.statuses.create({ status: `@${aliceAcct} сәлем` });
      const requests = await eventually(async () => {
        const r = await alice.v1.notifications.requests.list();
        return r.length ? r : null;
      }, "a notification request");
      assert.equal(requests[0].account.id, bobId);
      assert.equal(Number(requests[0].notificationsCount), 1);
      assert.deepEqual(
        (await alice.v1.notifications.list()).filter((n) => n.account.id === bobId),
        [],
      );
      const policy = await alice.v2.notifications.policy.fetch();
      assert.equal(policy.summary.pendingRequestsCount, 1);
      const one = await alice.v1.notifications.requests.$select(requests[0].id).fetch();
      assert.equal(one.lastStatus?.account.id, bobId);

      await alice.v1.notifications.requests.$select(requests[0].id).accept();
      assert.deepEqual(await alice.v1.notifications.requests.merged.fetch(), { merged: true });
      const merged = await alice.v1.notifications.list();
      assert.deepEqual(
        merged.filter((n) => n.account.id === bobId).map((n) => n.type),
        ["mention"],
      );
      assert.deepEqual(await alice.v1.notifications.requests.list(), []);
      // the bulk forms, as the upstream spec calls them
      await alice.v1.notifications.requests.accept();
      await alice.v1.notifications.requests.dismiss();
      await alice.v2.notifications.policy.update({ forNotFollowing: "accept" });
    });
  });
}
