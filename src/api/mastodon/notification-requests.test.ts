import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type J, json, postStatus } from "../../../test/helpers/api.ts";
import { recordEvents } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import { connectWs, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import type { AppContext } from "../../app.ts";
import { channels } from "../../core/events.ts";
import { type RunningServer, startServer } from "../../server.ts";

const setPolicy = (u: TestUser, body: Record<string, unknown>) =>
  u.api("/api/v2/notifications/policy", { method: "PATCH", json: body });

async function strangerMentions(ctx: AppContext, from: TestUser, to: TestUser, n = 1): Promise<J[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await postStatus(ctx, from, `@${to.account.username} hello ${i}`));
  return out;
}

describeStores("notification policy and requests API", (get) => {
  let srv: RunningServer;
  before(async () => {
    srv = await startServer(get(), { port: 0, heartbeatMs: 60_000 });
  });
  after(() => srv.close());

  test("v2 policy: Mastodon's defaults, PATCH some keys, bad values 422; v1 shape maps to it", async () => {
    const alice = await createTestUser(get());
    const p = (await json(alice.api("/api/v2/notifications/policy"))) as J;
    assert.deepEqual(p, {
      for_not_following: "accept",
      for_not_followers: "accept",
      for_new_accounts: "accept",
      for_private_mentions: "filter",
      for_limited_accounts: "filter",
      for_bots: "accept",
      summary: { pending_requests_count: 0, pending_notifications_count: 0 },
    });
    const changed = (await json(
      setPolicy(alice, { for_not_following: "drop", for_new_accounts: "filter" }),
    )) as J;
    assert.equal(changed.for_not_following, "drop");
    assert.equal(changed.for_new_accounts, "filter");
    assert.equal(changed.for_private_mentions, "filter", "what is not sent is kept");
    const bad = await setPolicy(alice, { for_not_following: "sometimes" });
    assert.equal(bad.status, 422);
    assert.equal(typeof ((await bad.json()) as J).error, "string");
    assert.equal(((await json(alice.api("/api/v2/notifications/policy"))) as J).for_not_following, "drop");

    const v1 = (await json(alice.api("/api/v1/notifications/policy"))) as J;
    assert.equal(v1.filter_not_following, true);
    assert.equal(v1.filter_not_followers, false);
    const v1set = await alice.api("/api/v1/notifications/policy", {
      method: "PUT",
      form: { filter_not_following: "false", filter_not_followers: "true" },
    });
    assert.equal(v1set.status, 200);
    const now = (await json(alice.api("/api/v2/notifications/policy"))) as J;
    assert.equal(now.for_not_following, "accept");
    assert.equal(now.for_not_followers, "filter");
    const denied = await createTestUser(get(), { scopes: ["read"] });
    assert.equal((await setPolicy(denied, { for_not_following: "drop" })).status, 403);
  });

  test("filter then accept: held out of lists and counts, listed as a request, merged with notifications_merged", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await setPolicy(alice, { for_not_following: "filter" });
    const events = recordEvents(ctx, [channels.user(alice.account.id)]);
    const client = await connectWs(wsUrl(srv.url, { stream: "user:notification" }), {
      protocols: [alice.token],
    });
    await subscribed(ctx, alice.account.id, "user:notification");
    try {
      const [, last] = await strangerMentions(ctx, bob, alice, 2);

      assert.deepEqual(await json(alice.api("/api/v1/notifications")), []);
      assert.equal(((await json(alice.api("/api/v1/notifications/unread_count"))) as J).count, 0);
      assert.equal(((await json(alice.api("/api/v2/notifications/unread_count"))) as J).count, 0);
      assert.deepEqual(((await json(alice.api("/api/v2/notifications"))) as J).notification_groups, []);
      assert.equal(
        ((await json(alice.api("/api/v1/notifications?include_filtered=true"))) as J[]).length,
        2,
        "include_filtered shows them",
      );
      assert.ok(!events.some((e) => e.event === "notification"), "a filtered notification is not streamed");

      const list = await alice.api("/api/v1/notifications/requests");
      const requests = (await list.json()) as J[];
      assert.equal(requests.length, 1);
      const r = requests[0];
      assert.equal(r.account.id, bob.account.id);
      assert.equal(r.notifications_count, "2");
      assert.equal(r.last_status.id, last.id);
      assert.equal(typeof r.created_at, "string");
      assert.match(list.headers.get("link") ?? "", /rel="next"/);
      assert.equal(((await json(alice.api(`/api/v1/notifications/requests/${r.id}`))) as J).id, r.id);
      const policy = (await json(alice.api("/api/v2/notifications/policy"))) as J;
      assert.deepEqual(policy.summary, { pending_requests_count: 1, pending_notifications_count: 2 });
      assert.deepEqual(await json(alice.api("/api/v1/notifications/requests/merged")), { merged: true });

      const other = await createTestUser(ctx);
      assert.equal((await other.api(`/api/v1/notifications/requests/${r.id}`)).status, 404);
      assert.equal(
        (await other.api(`/api/v1/notifications/requests/${r.id}/accept`, { method: "POST" })).status,
        404,
      );

      const accepted = await alice.api(`/api/v1/notifications/requests/${r.id}/accept`, { method: "POST" });
      assert.equal(accepted.status, 200);
      assert.deepEqual(await accepted.json(), {});
      const merged = await client.next((m) => m.event === "notifications_merged");
      assert.equal(merged.payload, "1");
      assert.ok(events.some((e) => e.event === "notifications_merged"));

      const shown = (await json(alice.api("/api/v1/notifications"))) as J[];
      assert.deepEqual(
        shown.map((n) => n.type),
        ["mention", "mention"],
      );
      assert.equal(((await json(alice.api("/api/v1/notifications/unread_count"))) as J).count, 2);
      assert.deepEqual(await json(alice.api("/api/v1/notifications/requests")), []);
      assert.equal((await alice.api(`/api/v1/notifications/requests/${r.id}`)).status, 404);

      // accepted senders are let through from then on, and streamed
      const third = await postStatus(ctx, bob, `@${alice.account.username} again`);
      const streamed = await client.next((m) => m.event === "notification");
      assert.equal((JSON.parse(streamed.payload ?? "{}") as J).status.id, third.id);
    } finally {
      await client.close();
    }
  });

  test("dismiss deletes what was held; bulk accept/dismiss take id[] and ignore others' ids", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const dave = await createTestUser(ctx);
    await setPolicy(alice, { for_not_following: "filter" });
    await setPolicy(dave, { for_not_following: "filter" });
    await strangerMentions(ctx, bob, alice);
    await strangerMentions(ctx, carol, alice);
    await strangerMentions(ctx, bob, dave);
    const reqs = (await json(alice.api("/api/v1/notifications/requests"))) as J[];
    assert.equal(reqs.length, 2);
    const byBob = reqs.find((r) => r.account.id === bob.account.id);
    const byCarol = reqs.find((r) => r.account.id === carol.account.id);
    const davesReq = ((await json(dave.api("/api/v1/notifications/requests"))) as J[])[0];

    const dismissed = await alice.api(`/api/v1/notifications/requests/${byBob.id}/dismiss`, {
      method: "POST",
    });
    assert.equal(dismissed.status, 200);
    assert.deepEqual(
      await json(alice.api("/api/v1/notifications?include_filtered=true")).then((l: J[]) => l.length),
      1,
    );
    assert.equal(
      (await alice.api("/api/v1/notifications/requests/999/dismiss", { method: "POST" })).status,
      404,
    );

    // no ids is a no-op (masto.js sends the bulk form bare)
    assert.equal((await alice.api("/api/v1/notifications/requests/accept", { method: "POST" })).status, 200);
    const bulk = await alice.api("/api/v1/notifications/requests/accept", {
      method: "POST",
      form: { "id[]": byCarol.id },
    });
    assert.equal(bulk.status, 200);
    assert.deepEqual(
      ((await json(alice.api("/api/v1/notifications"))) as J[]).map((n) => n.account.id),
      [carol.account.id],
    );
    // another user's request id does nothing
    await alice.api("/api/v1/notifications/requests/dismiss", {
      method: "POST",
      json: { id: [davesReq.id] },
    });
    assert.equal(((await json(dave.api("/api/v1/notifications/requests"))) as J[]).length, 1);
    await dave.api("/api/v1/notifications/requests/dismiss", { method: "POST", json: { id: [davesReq.id] } });
    assert.deepEqual(await json(dave.api("/api/v1/notifications/requests")), []);
    assert.deepEqual(await json(dave.api("/api/v1/notifications?include_filtered=true")), []);
  });

  test("a filtered private mention stays out of the conversations until its request is accepted", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const dm = await postStatus(ctx, bob, `@${alice.account.username} psst`, { visibility: "direct" });
    assert.deepEqual(await json(alice.api("/api/v1/conversations")), []);
    assert.equal(
      ((await json(bob.api("/api/v1/conversations"))) as J[]).length,
      1,
      "the sender's own is kept",
    );
    const [req] = (await json(alice.api("/api/v1/notifications/requests"))) as J[];
    assert.equal(req.last_status.id, dm.id);
    await alice.api(`/api/v1/notifications/requests/${req.id}/accept`, { method: "POST" });
    const convs = (await json(alice.api("/api/v1/conversations"))) as J[];
    assert.deepEqual(
      convs.map((c) => c.last_status.id),
      [dm.id],
    );
    assert.equal(convs[0].unread, true);
  });

  test("a request follows its held mentions: a deleted status leaves it, the last one takes it away", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await setPolicy(alice, { for_not_following: "filter" });
    const [first, second] = await strangerMentions(ctx, bob, alice, 2);
    await bob.api(`/api/v1/statuses/${second.id}`, { method: "DELETE" });
    const [req] = (await json(alice.api("/api/v1/notifications/requests"))) as J[];
    assert.equal(req.notifications_count, "1");
    assert.equal(req.last_status.id, first.id);
    await bob.api(`/api/v1/statuses/${first.id}`, { method: "DELETE" });
    assert.deepEqual(await json(alice.api("/api/v1/notifications/requests")), []);
    assert.deepEqual(((await json(alice.api("/api/v2/notifications/policy"))) as J).summary, {
      pending_requests_count: 0,
      pending_notifications_count: 0,
    });
  });

  test("unread_count counts what is newer than the notifications marker, filtered ones never", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    await postStatus(ctx, bob, `@${alice.account.username} one`);
    const list = (await json(alice.api("/api/v1/notifications"))) as J[];
    await alice.api("/api/v1/markers", { json: { notifications: { last_read_id: list[0].id } } });
    await postStatus(ctx, bob, `@${alice.account.username} two`);
    await postStatus(ctx, carol, `@${alice.account.username} secret`, { visibility: "direct" });
    assert.equal(((await json(alice.api("/api/v1/notifications/unread_count"))) as J).count, 1);
    assert.equal(((await json(alice.api("/api/v2/notifications/unread_count"))) as J).count, 1);
  });
});
