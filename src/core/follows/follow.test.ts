import assert from "node:assert/strict";
import { test } from "node:test";
import { homeIds, insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { blockAccount, unblockAccount } from "./blocks.ts";
import { followAccount, unfollowAccount } from "./follow.ts";
import { muteAccount } from "./mutes.ts";
import { getRelationship, getRelationships } from "./relationships.ts";
import { authorizeFollowRequest, listFollowRequests, rejectFollowRequest } from "./requests.ts";

async function counts(ctx: AppContext, id: string) {
  return ctx.db
    .selectFrom("accounts")
    .select(["followers_count", "following_count"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function notificationTypes(ctx: AppContext, recipientId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("notifications")
    .select("type")
    .where("account_id", "=", recipientId)
    .execute();
  return rows.map((r) => r.type);
}

describeStores("follows", (get) => {
  test("following an unlocked account: counters, notification, backfill; re-follow changes options", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const old = await insertStatus(ctx, b.account.id);
    const priv = await insertStatus(ctx, b.account.id, { visibility: "private" });
    const dm = await insertStatus(ctx, b.account.id, { visibility: "direct" });
    assert.equal(await followAccount(ctx, a.account.id, b.account.id), "following");
    assert.deepEqual((await counts(ctx, a.account.id)).following_count, 1);
    assert.deepEqual((await counts(ctx, b.account.id)).followers_count, 1);
    assert.deepEqual(await notificationTypes(ctx, b.account.id), ["follow"]);
    const home = await homeIds(ctx, a.account.id);
    assert.ok(home.includes(old.id) && home.includes(priv.id));
    assert.ok(!home.includes(dm.id), "direct posts are not backfilled");

    assert.equal(
      await followAccount(ctx, a.account.id, b.account.id, { reblogs: false, notify: true }),
      "following",
    );
    const rel = await getRelationship(ctx, a.account.id, b.account.id);
    assert.equal(rel.following, true);
    assert.equal(rel.showing_reblogs, false);
    assert.equal(rel.notifying, true);
    assert.equal((await counts(ctx, b.account.id)).followers_count, 1, "re-follow does not count twice");
    const back = await getRelationship(ctx, b.account.id, a.account.id);
    assert.equal(back.followed_by, true);

    await unfollowAccount(ctx, a.account.id, b.account.id);
    assert.equal((await counts(ctx, b.account.id)).followers_count, 0);
    assert.equal((await counts(ctx, a.account.id)).following_count, 0);
    assert.deepEqual(await homeIds(ctx, a.account.id), []);
    assert.equal((await getRelationship(ctx, a.account.id, b.account.id)).following, false);
  });

  test("following oneself is refused", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    await assert.rejects(followAccount(ctx, a.account.id, a.account.id), { status: 403 });
    await assert.rejects(followAccount(ctx, a.account.id, "999999999999999999"), { status: 404 });
  });

  test("a locked account gets a request it can authorize or reject", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const c = await createTestUser(ctx);
    const locked = await createTestUser(ctx, { locked: true });
    const priv = await insertStatus(ctx, locked.account.id, { visibility: "private" });
    assert.equal(await followAccount(ctx, a.account.id, locked.account.id, { reblogs: false }), "requested");
    assert.equal(await followAccount(ctx, c.account.id, locked.account.id), "requested");
    assert.deepEqual(await notificationTypes(ctx, locked.account.id), ["follow_request", "follow_request"]);
    assert.equal((await counts(ctx, locked.account.id)).followers_count, 0);
    const rel = await getRelationship(ctx, a.account.id, locked.account.id);
    assert.equal(rel.requested, true);
    assert.equal(rel.following, false);
    assert.equal(rel.showing_reblogs, false);
    assert.equal((await getRelationship(ctx, locked.account.id, a.account.id)).requested_by, true);

    const page = await listFollowRequests(ctx, locked.account.id, { limit: 40 });
    assert.deepEqual(
      page.accounts.map((x) => x.id),
      [c.account.id, a.account.id],
    );
    const first = await listFollowRequests(ctx, locked.account.id, { limit: 1 });
    const second = await listFollowRequests(ctx, locked.account.id, { limit: 1, maxId: first.cursorIds[0] });
    assert.deepEqual(
      second.accounts.map((x) => x.id),
      [a.account.id],
    );

    await authorizeFollowRequest(ctx, locked.account.id, a.account.id);
    const after = await getRelationship(ctx, a.account.id, locked.account.id);
    assert.equal(after.following, true);
    assert.equal(after.requested, false);
    assert.equal(after.showing_reblogs, false, "request options carry over");
    assert.equal((await counts(ctx, locked.account.id)).followers_count, 1);
    assert.ok((await homeIds(ctx, a.account.id)).includes(priv.id), "authorized follower gets the backfill");

    await rejectFollowRequest(ctx, locked.account.id, c.account.id);
    assert.equal((await getRelationship(ctx, c.account.id, locked.account.id)).requested, false);
    assert.deepEqual(
      await notificationTypes(ctx, locked.account.id),
      [],
      "request notifications go with the requests",
    );
    await assert.rejects(rejectFollowRequest(ctx, locked.account.id, c.account.id), { status: 404 });

    // withdrawing a request by unfollowing
    await followAccount(ctx, c.account.id, locked.account.id);
    await unfollowAccount(ctx, c.account.id, locked.account.id);
    assert.equal((await listFollowRequests(ctx, locked.account.id, { limit: 40 })).accounts.length, 0);
  });

  test("blocking severs follows both ways, clears feeds, and forbids following", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    await insertStatus(ctx, a.account.id);
    await insertStatus(ctx, b.account.id);
    await followAccount(ctx, a.account.id, b.account.id);
    await followAccount(ctx, b.account.id, a.account.id);
    assert.equal((await homeIds(ctx, a.account.id)).length, 1);
    await blockAccount(ctx, a.account.id, b.account.id);
    const [rel] = await getRelationships(ctx, a.account.id, [b.account.id]);
    assert.equal(rel.blocking, true);
    assert.equal(rel.following, false);
    assert.equal(rel.followed_by, false);
    assert.equal((await getRelationship(ctx, b.account.id, a.account.id)).blocked_by, true);
    assert.deepEqual(await homeIds(ctx, a.account.id), []);
    assert.deepEqual(await homeIds(ctx, b.account.id), []);
    assert.equal((await counts(ctx, a.account.id)).followers_count, 0);
    assert.equal((await counts(ctx, a.account.id)).following_count, 0);
    await assert.rejects(followAccount(ctx, b.account.id, a.account.id), { status: 403 });
    await assert.rejects(followAccount(ctx, a.account.id, b.account.id), { status: 403 });
    await unblockAccount(ctx, a.account.id, b.account.id);
    assert.equal(await followAccount(ctx, b.account.id, a.account.id), "following");
  });

  test("muting clears the home feed and reports in relationships; expired mutes vanish", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    await insertStatus(ctx, b.account.id);
    await followAccount(ctx, a.account.id, b.account.id);
    await muteAccount(ctx, a.account.id, b.account.id, { notifications: false, duration: 60 });
    assert.deepEqual(await homeIds(ctx, a.account.id), []);
    const rel = await getRelationship(ctx, a.account.id, b.account.id);
    assert.equal(rel.muting, true);
    assert.equal(rel.muting_notifications, false);
    assert.ok(rel.muting_expires_at);
    await ctx.db
      .updateTable("mutes")
      .set({ expires_at: "2000-01-01T00:00:00.000Z" })
      .where("account_id", "=", a.account.id)
      .execute();
    assert.equal((await getRelationship(ctx, a.account.id, b.account.id)).muting, false);
  });
});
