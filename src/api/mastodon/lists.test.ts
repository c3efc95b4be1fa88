import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json, postStatus as post } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("lists API", (getCtx) => {
  test("CRUD, membership requires a follow, list timeline and replies policy", async () => {
    const ctx = getCtx();
    const me = await createTestUser(ctx);
    const friend = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);

    const created = await json(me.api("/api/v1/lists", { json: { title: "Dostar" } }));
    assert.deepEqual(Object.keys(created).sort(), ["exclusive", "id", "replies_policy", "title"]);
    assert.equal(created.replies_policy, "list");
    assert.equal(created.exclusive, false);
    assert.equal((await me.api("/api/v1/lists", { json: { title: " " } })).status, 422);
    assert.equal(
      (await me.api("/api/v1/lists", { json: { title: "x", replies_policy: "all" } })).status,
      422,
    );
    const id = created.id;
    const updated = await json(
      me.api(`/api/v1/lists/${id}`, { method: "PUT", json: { title: "Dos", replies_policy: "none" } }),
    );
    assert.equal(updated.title, "Dos");
    assert.equal(updated.replies_policy, "none");
    assert.equal((await friend.api(`/api/v1/lists/${id}`)).status, 404, "lists are private to their owner");

    const notFollowed = await me.api(`/api/v1/lists/${id}/accounts`, {
      json: { account_ids: [friend.account.id] },
    });
    assert.equal(notFollowed.status, 422);
    await me.api(`/api/v1/accounts/${friend.account.id}/follow`, { method: "POST" });
    await me.api(`/api/v1/accounts/${other.account.id}/follow`, { method: "POST" });
    const added = await me.api(`/api/v1/lists/${id}/accounts`, {
      form: { "account_ids[]": friend.account.id },
    });
    assert.equal(added.status, 200);
    const members = await json(me.api(`/api/v1/lists/${id}/accounts`));
    assert.deepEqual(
      members.map((a: J) => a.id),
      [friend.account.id],
    );
    assert.deepEqual(
      (await json(me.api(`/api/v1/accounts/${friend.account.id}/lists`))).map((l: J) => l.id),
      [id],
    );

    const events: string[] = [];
    ctx.events.subscribe(`list:${id}`, (e) => events.push(e.id));
    const s1 = await post(ctx, friend, "in the list");
    const s2 = await post(ctx, friend, "followers only", { visibility: "private" });
    await post(ctx, other, "not a member");
    const otherPost = await post(ctx, other, "parent");
    const reply = await post(ctx, friend, `@${other.account.username} reply`, {
      in_reply_to_id: otherPost.id,
    });
    await post(ctx, stranger, "unrelated");
    let timeline = await json(me.api(`/api/v1/timelines/list/${id}`));
    assert.deepEqual(
      timeline.map((s: J) => s.id),
      [s2.id, s1.id],
      "replies_policy none hides replies to others",
    );
    assert.deepEqual(events, [s1.id, s2.id]);
    await me.api(`/api/v1/lists/${id}`, { method: "PUT", json: { replies_policy: "followed" } });
    timeline = await json(me.api(`/api/v1/timelines/list/${id}`));
    assert.deepEqual(
      timeline.map((s: J) => s.id),
      [reply.id, s2.id, s1.id],
    );
    await me.api(`/api/v1/lists/${id}`, { method: "PUT", json: { replies_policy: "list" } });
    timeline = await json(me.api(`/api/v1/timelines/list/${id}?limit=1`));
    assert.deepEqual(
      timeline.map((s: J) => s.id),
      [s2.id],
    );
    assert.equal((await friend.api(`/api/v1/timelines/list/${id}`)).status, 404);

    // unfollowing drops the membership, and the list no longer shows the posts
    await me.api(`/api/v1/accounts/${friend.account.id}/unfollow`, { method: "POST" });
    assert.deepEqual(await json(me.api(`/api/v1/lists/${id}/accounts`)), []);
    assert.deepEqual(await json(me.api(`/api/v1/timelines/list/${id}`)), []);

    await me.api(`/api/v1/lists/${id}/accounts`, { json: { account_ids: [other.account.id] } });
    const removed = await me.api(`/api/v1/lists/${id}/accounts?account_ids[]=${other.account.id}`, {
      method: "DELETE",
    });
    assert.equal(removed.status, 200);
    assert.deepEqual(await json(me.api(`/api/v1/lists/${id}/accounts?limit=0`)), []);

    assert.equal((await me.api(`/api/v1/lists/${id}`, { method: "DELETE" })).status, 200);
    assert.deepEqual(await json(me.api("/api/v1/lists")), []);
    assert.equal((await me.api(`/api/v1/lists/${id}`)).status, 404);
  });
});
