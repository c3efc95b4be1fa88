import assert from "node:assert/strict";
import { test } from "node:test";
import { postStatus } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import { type AppContext, transaction } from "../../app.ts";
import { createNotification } from "./create.ts";
import { DEFAULT_POLICY, policyOf, updatePolicy } from "./policy.ts";
import { acceptRequests } from "./requests.ts";

const DAY = 24 * 3600_000;

async function rows(ctx: AppContext, recipient: TestUser, from: TestUser) {
  return ctx.db
    .selectFrom("notifications")
    .select(["type", "filtered", "status_id"])
    .where("account_id", "=", recipient.account.id)
    .where("from_account_id", "=", from.account.id)
    .orderBy("id")
    .execute();
}

async function requestOf(ctx: AppContext, recipient: TestUser, from: TestUser) {
  return ctx.db
    .selectFrom("notification_requests")
    .selectAll()
    .where("account_id", "=", recipient.account.id)
    .where("from_account_id", "=", from.account.id)
    .executeTakeFirst();
}

function notify(
  ctx: AppContext,
  to: TestUser,
  from: TestUser,
  type: "follow" | "favourite" | "poll" | "update",
) {
  return transaction(ctx, (trx, after) =>
    createNotification(ctx, trx, after, { recipientId: to.account.id, fromId: from.account.id, type }),
  );
}

async function age(ctx: AppContext, u: TestUser, days: number) {
  await ctx.db
    .updateTable("accounts")
    .set({ created_at: new Date(ctx.now().getTime() - days * DAY).toISOString() })
    .where("id", "=", u.account.id)
    .execute();
}

describeStores("notification policy", (get) => {
  test("defaults (Mastodon's): a stranger's private mention is filtered as a request, a public one is not", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    assert.deepEqual(await policyOf(ctx, alice.account.id), DEFAULT_POLICY);
    const pub = await postStatus(ctx, bob, `@${alice.account.username} hi`);
    const dm = await postStatus(ctx, bob, `@${alice.account.username} psst`, { visibility: "direct" });
    assert.deepEqual(await rows(ctx, alice, bob), [
      { type: "mention", filtered: 0, status_id: pub.id },
      { type: "mention", filtered: 1, status_id: dm.id },
    ]);
    const req = await requestOf(ctx, alice, bob);
    assert.equal(req?.last_status_id, dm.id);
    assert.equal(Number(req?.notifications_count), 1);
  });

  test("a private mention answering one's own private mention, or from someone followed, is accepted", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const mine = await postStatus(ctx, alice, `@${bob.account.username} question`, { visibility: "direct" });
    await postStatus(ctx, bob, `@${alice.account.username} answer`, {
      visibility: "direct",
      in_reply_to_id: mine.id,
    });
    assert.deepEqual(
      (await rows(ctx, alice, bob)).map((r) => r.filtered),
      [0],
    );
    await follow(ctx, alice, carol);
    await postStatus(ctx, carol, `@${alice.account.username} hello friend`, { visibility: "direct" });
    assert.deepEqual(
      (await rows(ctx, alice, carol)).map((r) => r.filtered),
      [0],
    );
  });

  test("drop stores nothing; types the policy cannot filter (poll, update) always pass", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    await updatePolicy(ctx, alice.account.id, { for_not_following: "drop" });
    await notify(ctx, alice, bob, "follow");
    await postStatus(ctx, bob, `@${alice.account.username} hi`);
    assert.deepEqual(await rows(ctx, alice, bob), []);
    assert.equal(await requestOf(ctx, alice, bob), undefined);
    await notify(ctx, alice, bob, "update");
    await notify(ctx, alice, bob, "poll");
    assert.deepEqual(
      (await rows(ctx, alice, bob)).map((r) => [r.type, r.filtered]),
      [
        ["update", 0],
        ["poll", 0],
      ],
    );
    await follow(ctx, alice, carol);
    await notify(ctx, alice, carol, "favourite");
    assert.equal((await rows(ctx, alice, carol)).length, 1, "followed accounts are not dropped");
  });

  test("drop wins over filter; for_not_followers counts only follows older than three days", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await updatePolicy(ctx, alice.account.id, { for_not_following: "filter", for_not_followers: "drop" });
    await notify(ctx, alice, bob, "favourite");
    assert.deepEqual(await rows(ctx, alice, bob), [], "dropped, not filtered");

    await updatePolicy(ctx, alice.account.id, { for_not_following: "accept", for_not_followers: "filter" });
    await follow(ctx, bob, alice);
    await notify(ctx, alice, bob, "favourite");
    await ctx.db
      .updateTable("follows")
      .set({ created_at: new Date(ctx.now().getTime() - 4 * DAY).toISOString() })
      .where("account_id", "=", bob.account.id)
      .where("target_account_id", "=", alice.account.id)
      .execute();
    await notify(ctx, alice, bob, "favourite");
    assert.deepEqual(
      (await rows(ctx, alice, bob)).map((r) => r.filtered),
      [1, 0],
    );
    assert.equal(await requestOf(ctx, alice, bob), undefined, "only mentions make requests, as Mastodon");
  });

  test("new accounts (under 30 days) and bots, unless followed", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const young = await createTestUser(ctx);
    const old = await createTestUser(ctx);
    const bot = await createTestUser(ctx);
    await age(ctx, old, 40);
    await age(ctx, bot, 40);
    await ctx.db.updateTable("accounts").set({ bot: 1 }).where("id", "=", bot.account.id).execute();
    await updatePolicy(ctx, alice.account.id, { for_new_accounts: "filter", for_bots: "drop" });
    await notify(ctx, alice, young, "follow");
    await notify(ctx, alice, old, "follow");
    await notify(ctx, alice, bot, "follow");
    assert.deepEqual(
      (await rows(ctx, alice, young)).map((r) => r.filtered),
      [1],
    );
    assert.deepEqual(
      (await rows(ctx, alice, old)).map((r) => r.filtered),
      [0],
    );
    assert.deepEqual(await rows(ctx, alice, bot), []);
    await follow(ctx, alice, young);
    await notify(ctx, alice, young, "favourite");
    assert.deepEqual(
      (await rows(ctx, alice, young)).map((r) => r.filtered),
      [1, 0],
    );
  });

  test("an accepted sender is let through from then on; staff mentions always pass", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const mod = await createTestUser(ctx, { role: "moderator" });
    await updatePolicy(ctx, alice.account.id, { for_not_following: "filter" });
    await postStatus(ctx, bob, `@${alice.account.username} one`);
    const req = await requestOf(ctx, alice, bob);
    assert.ok(req);
    await acceptRequests(ctx, alice.account.id, [req.id], { single: true });
    assert.deepEqual(
      (await rows(ctx, alice, bob)).map((r) => r.filtered),
      [0],
      "merged",
    );
    await postStatus(ctx, bob, `@${alice.account.username} two`);
    assert.deepEqual(
      (await rows(ctx, alice, bob)).map((r) => r.filtered),
      [0, 0],
    );
    assert.equal(await requestOf(ctx, alice, bob), undefined);
    await postStatus(ctx, mod, `@${alice.account.username} from staff`);
    assert.deepEqual(
      (await rows(ctx, alice, mod)).map((r) => r.filtered),
      [0],
    );
  });
});
