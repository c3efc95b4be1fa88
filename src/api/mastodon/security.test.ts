/** Security regressions across route groups: privacy after blocks, existence oracles, races. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json, post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { deleteAccount } from "../../core/accounts/delete.ts";

describeStores("security regressions", (get) => {
  test("conversations drop direct posts of accounts blocked either way (list and read)", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const c = await createTestUser(ctx);
    // the readers follow a, so its private mentions are not held as requests
    await follow(ctx, b, a);
    await follow(ctx, c, a);
    const toB = (await post(a, { status: `@${b.account.username} secret`, visibility: "direct" })).body;
    const toC = (await post(a, { status: `@${c.account.username} secret`, visibility: "direct" })).body;
    await ctx.queue.drain();
    const convB = await json(b.api("/api/v1/conversations"));
    assert.deepEqual(
      convB.map((x: J) => x.last_status.id),
      [toB.id],
    );
    const convC = await json(c.api("/api/v1/conversations"));
    assert.equal(convC[0].last_status.id, toC.id);

    // the reader blocks the sender
    assert.equal((await b.api(`/api/v1/accounts/${a.account.id}/block`, { method: "POST" })).status, 200);
    assert.equal((await b.api(`/api/v1/statuses/${toB.id}`)).status, 404);
    assert.deepEqual(await json(b.api("/api/v1/conversations")), []);
    assert.equal((await b.api(`/api/v1/conversations/${convB[0].id}/read`, { method: "POST" })).status, 404);

    // the sender blocks the reader
    assert.equal((await a.api(`/api/v1/accounts/${c.account.id}/block`, { method: "POST" })).status, 200);
    assert.equal((await c.api(`/api/v1/statuses/${toC.id}`)).status, 404);
    assert.deepEqual(await json(c.api("/api/v1/conversations")), []);
    assert.equal((await c.api(`/api/v1/conversations/${convC[0].id}/read`, { method: "POST" })).status, 404);

    // the sender still has both
    assert.equal((await json(a.api("/api/v1/conversations"))).length, 2);
  });

  test("filters: an invisible status cannot be added (404 as for a missing one, no existence oracle)", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const priv = (await post(a, { status: "followers only", visibility: "private" })).body;
    const dm = (await post(a, { status: "nobody", visibility: "direct" })).body;
    const pub = (await post(a, { status: "everyone" })).body;
    const f = await json(b.api("/api/v2/filters", { json: { title: "t", context: ["home"] } }));
    for (const id of [priv.id, dm.id, "1234567"]) {
      const res = await b.api(`/api/v2/filters/${f.id}/statuses`, { json: { status_id: id } });
      assert.equal(res.status, 404, id);
    }
    const ok = await b.api(`/api/v2/filters/${f.id}/statuses`, { json: { status_id: pub.id } });
    assert.equal(ok.status, 200);
    // the author may filter their own private post
    const own = await json(a.api("/api/v2/filters", { json: { title: "t", context: ["home"] } }));
    const mine = await a.api(`/api/v2/filters/${own.id}/statuses`, { json: { status_id: priv.id } });
    assert.equal(mine.status, 200);
  });

  test("reports: statuses the reporter may not see are 404 like missing ones (no existence oracle)", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const priv = (await post(a, { status: "followers only", visibility: "private" })).body;
    const dm = (await post(a, { status: "nobody", visibility: "direct" })).body;
    const pub = (await post(a, { status: "everyone" })).body;
    for (const id of [priv.id, dm.id, "1234567"]) {
      const res = await b.api("/api/v1/reports", { json: { account_id: a.account.id, status_ids: [id] } });
      assert.equal(res.status, 404, id);
    }
    const ok = await b.api("/api/v1/reports", { json: { account_id: a.account.id, status_ids: [pub.id] } });
    assert.equal(ok.status, 200);
  });

  test("concurrent follows of a locked account: no 500, one request, one notification", async () => {
    const ctx = get();
    const locked = await createTestUser(ctx, { locked: true });
    const fan = await createTestUser(ctx);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => fan.api(`/api/v1/accounts/${locked.account.id}/follow`, { method: "POST" })),
    );
    for (const res of results) {
      assert.equal(res.status, 200);
      assert.equal((await res.json()).requested, true);
    }
    const requests = await ctx.db
      .selectFrom("follow_requests")
      .select("id")
      .where("target_account_id", "=", locked.account.id)
      .execute();
    assert.equal(requests.length, 1);
    const notes = await ctx.db
      .selectFrom("notifications")
      .select("id")
      .where("account_id", "=", locked.account.id)
      .where("type", "=", "follow_request")
      .execute();
    assert.equal(notes.length, 1);
  });

  test("account deletion takes back only the replies that were counted (public and unlisted)", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const c = await createTestUser(ctx);
    const root = (await post(a, { status: "root" })).body;
    for (const visibility of ["public", "unlisted", "private", "direct"]) {
      const r = await post(b, { status: `@${a.account.username} re`, in_reply_to_id: root.id, visibility });
      assert.equal(r.status, 200);
    }
    await post(c, { status: "another", in_reply_to_id: root.id });
    const before = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", root.id)
      .executeTakeFirstOrThrow();
    assert.equal(before.replies_count, 3);
    await deleteAccount(ctx, b.account.id);
    const after = await ctx.db
      .selectFrom("statuses")
      .select("replies_count")
      .where("id", "=", root.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.replies_count, 1);
  });
});
