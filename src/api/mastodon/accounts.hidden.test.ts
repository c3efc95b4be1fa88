/**
 * An account awaiting approval is invisible to everyone until approved: every surface that can
 * show or address an account answers as if it did not exist (Mastodon: 404 / left out).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json, postStatus } from "../../../test/helpers/api.ts";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { apiCaller, createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { approveUser } from "../../core/accounts/admin.ts";
import { createLocalAccount } from "../../core/accounts/create.ts";

let n = 0;

async function pendingAccount(ctx: AppContext) {
  const username = `waiting${++n}_${Date.now() % 100000}`;
  return createLocalAccount(ctx, {
    username,
    email: `${username}@example.test`,
    password: "long enough pw",
    approved: false,
  });
}

/** A follow row made directly: a pending account cannot follow through the API. */
async function rawFollow(ctx: AppContext, from: string, to: string) {
  await ctx.db
    .insertInto("follows")
    .values({
      id: ctx.ids(),
      account_id: from,
      target_account_id: to,
      show_reblogs: 1,
      notify: 0,
      languages: null,
      created_at: ctx.now().toISOString(),
    })
    .execute();
}

const ids = (list: J[]) => list.map((a: J) => a.id);

describeStores("accounts awaiting approval are hidden", (get) => {
  test("by id, by acct, and every per-account endpoint answer 404", async () => {
    const ctx = get();
    const { account: p } = await pendingAccount(ctx);
    const alice = await createTestUser(ctx);
    const anon = apiCaller(ctx);
    const paths = [
      `/api/v1/accounts/${p.id}`,
      `/api/v1/accounts/lookup?acct=${p.username}`,
      `/api/v1/accounts/lookup?acct=${p.username}@${ctx.config.domain}`,
      `/api/v1/accounts/${p.id}/statuses`,
      `/api/v1/accounts/${p.id}/followers`,
      `/api/v1/accounts/${p.id}/following`,
      `/api/v1/accounts/${p.id}/featured_tags`,
      `/api/v1/accounts/${p.id}/endorsements`,
      `/api/v1/accounts/${p.id}/identity_proofs`,
    ];
    for (const path of paths) {
      assert.equal((await anon(path)).status, 404, `anonymous ${path}`);
      assert.equal((await alice.api(path)).status, 404, `signed in ${path}`);
    }
    for (const action of ["follow", "block", "mute", "note"]) {
      const res = await alice.api(`/api/v1/accounts/${p.id}/${action}`, { method: "POST", json: {} });
      assert.equal(res.status, 404, action);
    }
    const report = await alice.api("/api/v1/reports", { json: { account_id: p.id, comment: "x" } });
    assert.equal(report.status, 404);
    assert.equal((await alice.api(`/api/v1/suggestions/${p.id}`, { method: "DELETE" })).status, 404);

    // once approved, the same account is an ordinary one
    const user = await ctx.db
      .selectFrom("users")
      .select("id")
      .where("account_id", "=", p.id)
      .executeTakeFirstOrThrow();
    await approveUser(ctx, user.id);
    for (const path of paths) assert.equal((await anon(path)).status, 200, `approved ${path}`);
  });

  test("left out of search, directory, relationships and familiar followers", async () => {
    const ctx = get();
    const { account: p } = await pendingAccount(ctx);
    const alice = await createTestUser(ctx);
    const q = encodeURIComponent(p.username);
    assert.deepEqual(await json(alice.api(`/api/v1/accounts/search?q=${q}`)), []);
    assert.deepEqual(await json(alice.api(`/api/v1/accounts/search?q=${q}@${ctx.config.domain}`)), []);
    assert.deepEqual((await json(alice.api(`/api/v2/search?q=${q}`))).accounts, []);
    assert.deepEqual((await json(apiCaller(ctx)(`/api/v2/search?q=${q}`))).accounts, []);
    for (const url of [p.url, p.uri]) {
      const found = await json(alice.api(`/api/v2/search?q=${encodeURIComponent(url)}&resolve=true`));
      assert.deepEqual(found.accounts, [], url);
    }
    assert.ok(!ids(await json(apiCaller(ctx)("/api/v1/directory?local=true&limit=80"))).includes(p.id));
    assert.deepEqual(await json(alice.api(`/api/v1/accounts/relationships?id[]=${p.id}`)), []);

    // familiar followers: neither the hidden account's entry nor the hidden account as a follower
    const bob = await createTestUser(ctx);
    await alice.api(`/api/v1/accounts/${bob.account.id}/follow`, { method: "POST" });
    await rawFollow(ctx, p.id, bob.account.id);
    await rawFollow(ctx, bob.account.id, p.id);
    const carol = await createTestUser(ctx);
    await rawFollow(ctx, p.id, carol.account.id);
    const familiar = await json(
      alice.api(`/api/v1/accounts/familiar_followers?id[]=${p.id}&id[]=${carol.account.id}`),
    );
    assert.deepEqual(familiar, [{ id: carol.account.id, accounts: [] }]);
  });

  test("never listed as a follower, followed account, favouriter or booster", async () => {
    const ctx = get();
    const { account: p } = await pendingAccount(ctx);
    const alice: TestUser = await createTestUser(ctx);
    await rawFollow(ctx, p.id, alice.account.id);
    await rawFollow(ctx, alice.account.id, p.id);
    assert.deepEqual(await json(alice.api(`/api/v1/accounts/${alice.account.id}/followers`)), []);
    assert.deepEqual(await json(alice.api(`/api/v1/accounts/${alice.account.id}/following`)), []);
    const s = await postStatus(ctx, alice, "hello");
    await ctx.db
      .insertInto("favourites")
      .values({ id: ctx.ids(), account_id: p.id, status_id: s.id, created_at: ctx.now().toISOString() })
      .execute();
    assert.deepEqual(await json(alice.api(`/api/v1/statuses/${s.id}/favourited_by`)), []);
    await insertStatus(ctx, p.id, { reblog_of_id: s.id });
    assert.deepEqual(await json(alice.api(`/api/v1/statuses/${s.id}/reblogged_by`)), []);
  });

  test("a mention of a pending account links nobody and notifies nobody", async () => {
    const ctx = get();
    const { account: p } = await pendingAccount(ctx);
    const alice = await createTestUser(ctx);
    const s = await postStatus(ctx, alice, `hi @${p.username}`);
    assert.deepEqual(s.mentions, []);
    assert.doesNotMatch(s.content, /href=/);
    const notified = await ctx.db
      .selectFrom("notifications")
      .select("id")
      .where("account_id", "=", p.id)
      .execute();
    assert.deepEqual(notified, []);
  });
});
