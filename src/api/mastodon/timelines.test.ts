import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, postStatus as post } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";

async function get(
  user: TestUser,
  path: string,
  token?: string | null,
): Promise<{ status: number; body: J; link: string | null }> {
  const res = await user.api(path, token === undefined ? {} : { token });
  return { status: res.status, body: await res.json(), link: res.headers.get("link") };
}

function linkUrl(link: string | null, rel: "next" | "prev"): string {
  const m = new RegExp(`<([^>]+)>; rel="${rel}"`).exec(link ?? "");
  assert.ok(m, `no ${rel} link in ${link}`);
  return m[1];
}

describeStores("timelines API", (getCtx) => {
  test("home timeline: follow, fan-out, pagination and Link headers", async () => {
    const ctx = getCtx();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const follow = await alice.api(`/api/v1/accounts/${bob.account.id}/follow`, { method: "POST" });
    assert.equal(follow.status, 200);
    assert.equal((await follow.json()).following, true);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(ctx, bob, `post ${i}`)).id);
    const own = await post(ctx, alice, "mine");

    const first = await get(alice, "/api/v1/timelines/home?limit=2");
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.map((s: J) => s.id),
      [own.id, ids[4]],
    );
    assert.equal(first.body[1].account.id, bob.account.id);
    assert.equal(first.body[1].content.includes("post 4"), true);
    const next = linkUrl(first.link, "next");
    assert.match(next, new RegExp(`max_id=${ids[4]}`));
    assert.match(linkUrl(first.link, "prev"), new RegExp(`min_id=${own.id}`));
    const second = await get(alice, next.replace(/^https?:\/\/[^/]+/, ""));
    assert.deepEqual(
      second.body.map((s: J) => s.id),
      [ids[3], ids[2]],
    );
    const since = await get(alice, `/api/v1/timelines/home?min_id=${ids[1]}&limit=2`);
    assert.deepEqual(
      since.body.map((s: J) => s.id),
      [ids[3], ids[2]],
      "min_id pages the oldest items newer than the cursor, newest first",
    );
    const sinceId = await get(alice, `/api/v1/timelines/home?since_id=${ids[1]}&limit=2`);
    assert.deepEqual(
      sinceId.body.map((s: J) => s.id),
      [own.id, ids[4]],
    );
    const capped = await get(alice, "/api/v1/timelines/home?limit=1000");
    assert.equal(capped.body.length, 6);
    const empty = await get(alice, `/api/v1/timelines/home?max_id=${ids[0]}`);
    assert.deepEqual(empty.body, []);
    assert.equal(empty.link, null);
    assert.equal((await alice.api("/api/v1/timelines/home", { token: null })).status, 401);

    // unfollowing takes bob's posts out of alice's home
    await alice.api(`/api/v1/accounts/${bob.account.id}/unfollow`, { method: "POST" });
    const after = await get(alice, "/api/v1/timelines/home");
    assert.deepEqual(
      after.body.map((s: J) => s.id),
      [own.id],
    );
  });

  test("private posts reach followers only; public timelines show public posts only", async () => {
    const ctx = getCtx();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    await follower.api(`/api/v1/accounts/${author.account.id}/follow`, { method: "POST" });
    const pub = await post(ctx, author, "hello #Torgai");
    const priv = await post(ctx, author, "followers only", { visibility: "private" });
    const unl = await post(ctx, author, "quiet", { visibility: "unlisted" });
    const dm = await post(ctx, author, `@${stranger.account.username} secret`, { visibility: "direct" });

    const fHome = (await get(follower, "/api/v1/timelines/home")).body.map((s: J) => s.id);
    assert.deepEqual(fHome, [unl.id, priv.id, pub.id]);
    const sHome = (await get(stranger, "/api/v1/timelines/home")).body.map((s: J) => s.id);
    assert.deepEqual(sHome, [dm.id], "the mentioned recipient gets the direct post, nothing else");

    for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?local=true"]) {
      const anon = await get(stranger, path, null);
      assert.equal(anon.status, 200);
      const seen = anon.body.map((s: J) => s.id);
      assert.ok(seen.includes(pub.id));
      for (const hidden of [priv.id, unl.id, dm.id]) assert.ok(!seen.includes(hidden));
    }
    assert.deepEqual((await get(stranger, "/api/v1/timelines/public?remote=true")).body, []);
    assert.deepEqual((await get(stranger, "/api/v1/timelines/public?only_media=true")).body, []);

    const tag = await get(stranger, "/api/v1/timelines/tag/torgai", null);
    assert.deepEqual(
      tag.body.map((s: J) => s.id),
      [pub.id],
    );
    assert.deepEqual((await get(stranger, "/api/v1/timelines/tag/torgai?none[]=torgai")).body, []);
    assert.deepEqual((await get(stranger, "/api/v1/timelines/tag/nothing?any[]=torgai")).body.length, 1);
    assert.deepEqual((await get(stranger, "/api/v1/timelines/tag/torgai?all[]=other")).body, []);

    // account statuses as each viewer may see them
    const path = `/api/v1/accounts/${author.account.id}/statuses`;
    const asStranger = (await get(stranger, path)).body.map((s: J) => s.id);
    assert.deepEqual(asStranger, [dm.id, unl.id, pub.id]);
    const asFollower = (await get(follower, path)).body.map((s: J) => s.id);
    assert.deepEqual(asFollower, [unl.id, priv.id, pub.id]);
    const anon = (await get(follower, path, null)).body.map((s: J) => s.id);
    assert.deepEqual(anon, [unl.id, pub.id]);
    const tagged = (await get(follower, `${path}?tagged=torgai`)).body.map((s: J) => s.id);
    assert.deepEqual(tagged, [pub.id]);

    // a block hides the blocker's posts from the blocked account
    await author.api(`/api/v1/accounts/${follower.account.id}/block`, { method: "POST" });
    assert.deepEqual((await get(follower, "/api/v1/timelines/home")).body, []);
    assert.deepEqual((await get(follower, path)).body, []);
    assert.ok(!(await get(follower, "/api/v1/timelines/public")).body.some((s: J) => s.id === pub.id));
  });

  test("account statuses: replies, reblogs and pins filters", async () => {
    const ctx = getCtx();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const root = await post(ctx, b, "root");
    const reply = await post(ctx, a, `@${b.account.username} reply`, { in_reply_to_id: root.id });
    const thread = await post(ctx, a, "thread start");
    const selfReply = await post(ctx, a, "thread 2", { in_reply_to_id: thread.id });
    const boost = await a.api(`/api/v1/statuses/${root.id}/reblog`, { method: "POST" });
    assert.equal(boost.status, 200);
    const reblogId = (await boost.json()).id;
    await ctx.queue.drain();
    const path = `/api/v1/accounts/${a.account.id}/statuses`;
    const all = (await get(b, path)).body.map((s: J) => s.id);
    assert.deepEqual(all, [reblogId, selfReply.id, thread.id, reply.id]);
    assert.deepEqual(
      (await get(b, `${path}?exclude_replies=true`)).body.map((s: J) => s.id),
      [reblogId, selfReply.id, thread.id],
    );
    assert.deepEqual(
      (await get(b, `${path}?exclude_reblogs=true&limit=1`)).body.map((s: J) => s.id),
      [selfReply.id],
    );
    const pin = await a.api(`/api/v1/statuses/${thread.id}/pin`, { method: "POST" });
    assert.equal(pin.status, 200);
    assert.deepEqual(
      (await get(b, `${path}?pinned=true`)).body.map((s: J) => s.id),
      [thread.id],
    );
    assert.equal((await get(b, "/api/v1/accounts/999999999999999999/statuses")).status, 404);
  });
});
