import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { enqueued, followById, insertRemoteAccounts } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("featured accounts (endorsements) and removal from followers", (getCtx) => {
  test("endorse needs a follow; endorse/pin mark `endorsed`, list on both endpoints, unendorse/unpin undo", async () => {
    const ctx = getCtx();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const refused = await alice.api(`/api/v1/accounts/${bob.account.id}/endorse`, { method: "POST" });
    assert.equal(refused.status, 422);
    assert.match(((await refused.json()) as J).error, /following/);

    await alice.api(`/api/v1/accounts/${bob.account.id}/follow`, { method: "POST" });
    await alice.api(`/api/v1/accounts/${carol.account.id}/follow`, { method: "POST" });
    const rel = await json(alice.api(`/api/v1/accounts/${bob.account.id}/endorse`, { method: "POST" }));
    assert.equal(rel.endorsed, true);
    // idempotent, and the 4.4 alias does the same
    assert.equal(
      (await json(alice.api(`/api/v1/accounts/${bob.account.id}/pin`, { method: "POST" }))).endorsed,
      true,
    );
    await alice.api(`/api/v1/accounts/${carol.account.id}/pin`, { method: "POST" });

    const mine = await alice.api("/api/v1/endorsements?limit=1");
    assert.deepEqual(
      ((await mine.json()) as J[]).map((a) => a.id),
      [carol.account.id],
    );
    const next = /<([^>]+)>; rel="next"/.exec(mine.headers.get("link") ?? "")?.[1];
    assert.ok(next, "endorsements page with a next link");
    assert.deepEqual(
      ((await json(alice.api(next))) as J[]).map((a) => a.id),
      [bob.account.id],
    );
    // anyone, signed in or not, sees the featured accounts on the profile
    const shown = (await json(carol.api(`/api/v1/accounts/${alice.account.id}/endorsements`))) as J[];
    assert.deepEqual(shown.map((a) => a.id).sort(), [bob.account.id, carol.account.id].sort());
    const anon = (await json(
      alice.api(`/api/v1/accounts/${alice.account.id}/endorsements`, { token: null }),
    )) as J[];
    assert.equal(anon.length, 2);
    const [r] = (await json(alice.api(`/api/v1/accounts/relationships?id[]=${bob.account.id}`))) as J[];
    assert.equal(r.endorsed, true);

    assert.equal(
      (await json(alice.api(`/api/v1/accounts/${bob.account.id}/unendorse`, { method: "POST" }))).endorsed,
      false,
    );
    assert.equal(
      (await json(alice.api(`/api/v1/accounts/${carol.account.id}/unpin`, { method: "POST" }))).endorsed,
      false,
    );
    assert.deepEqual(await json(alice.api("/api/v1/endorsements")), []);
    assert.equal(
      (await alice.api("/api/v1/accounts/999999999999999999/endorse", { method: "POST" })).status,
      404,
    );
  });

  test("an endorsement ends with the follow; a blocked viewer sees no featured accounts", async () => {
    const ctx = getCtx();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    await alice.api(`/api/v1/accounts/${bob.account.id}/follow`, { method: "POST" });
    await alice.api(`/api/v1/accounts/${bob.account.id}/endorse`, { method: "POST" });
    await alice.api(`/api/v1/accounts/${carol.account.id}/block`, { method: "POST" });
    assert.deepEqual(await json(carol.api(`/api/v1/accounts/${alice.account.id}/endorsements`)), []);

    const rel = await json(alice.api(`/api/v1/accounts/${bob.account.id}/unfollow`, { method: "POST" }));
    assert.equal(rel.endorsed, false);
    assert.deepEqual(await json(alice.api("/api/v1/endorsements")), []);
    // following again does not bring the endorsement back
    await alice.api(`/api/v1/accounts/${bob.account.id}/follow`, { method: "POST" });
    assert.deepEqual(await json(alice.api("/api/v1/endorsements")), []);
  });

  test("remove_from_followers ends the follower's follow, counters and home rows included", async () => {
    const ctx = getCtx();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await bob.api(`/api/v1/accounts/${alice.account.id}/follow`, { method: "POST" });
    await alice.api("/api/v1/statuses", { json: { status: "for my followers", visibility: "private" } });
    await ctx.queue.drain();
    assert.equal(((await json(bob.api("/api/v1/timelines/home"))) as J[]).length, 1);

    const rel = await json(
      alice.api(`/api/v1/accounts/${bob.account.id}/remove_from_followers`, { method: "POST" }),
    );
    assert.equal(rel.followed_by, false);
    assert.equal(rel.following, false);
    const [r] = (await json(bob.api(`/api/v1/accounts/relationships?id[]=${alice.account.id}`))) as J[];
    assert.equal(r.following, false);
    assert.equal((await json(alice.api(`/api/v1/accounts/${alice.account.id}`))).followers_count, 0);
    assert.equal((await json(bob.api(`/api/v1/accounts/${bob.account.id}`))).following_count, 0);
    assert.deepEqual(await json(bob.api("/api/v1/timelines/home")), []);
    // removing someone who does not follow is a no-op; an unknown account is 404
    const again = await alice.api(`/api/v1/accounts/${bob.account.id}/remove_from_followers`, {
      method: "POST",
    });
    assert.equal(again.status, 200);
    assert.equal(
      (await alice.api("/api/v1/accounts/999999999999999999/remove_from_followers", { method: "POST" }))
        .status,
      404,
    );
  });

  test("removing a remote follower tells its server: a Reject of its Follow", async () => {
    const ctx = getCtx();
    const alice = await createTestUser(ctx);
    const [remote] = await insertRemoteAccounts(ctx, "remote.example", ["erlan"]);
    const followUri = "https://remote.example/users/erlan#follows/1";
    await followById(ctx, remote.id, alice.account.id);
    await ctx.db.updateTable("follows").set({ uri: followUri }).where("account_id", "=", remote.id).execute();
    const rel = await json(
      alice.api(`/api/v1/accounts/${remote.id}/remove_from_followers`, { method: "POST" }),
    );
    assert.equal(rel.followed_by, false);
    assert.deepEqual(await enqueued(ctx, "federation.outbound"), [
      {
        type: "follow.answer",
        accountId: alice.account.id,
        followerId: remote.id,
        followUri,
        accepted: false,
      },
    ]);
  });
});
