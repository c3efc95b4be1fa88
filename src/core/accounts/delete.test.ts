import assert from "node:assert/strict";
import { createTestUser, storeTest } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { resolveAccessToken } from "../auth/tokens.ts";
import type { StreamEvent } from "../events.ts";
import { createLocalAccount } from "./create.ts";
import { deleteAccount } from "./delete.ts";
import { findAccountByAcct } from "./lookup.ts";

async function status(
  ctx: AppContext,
  accountId: string,
  extra: { reblog_of_id?: string; in_reply_to_id?: string; visibility?: "public" | "private" } = {},
): Promise<string> {
  const id = ctx.ids();
  const now = new Date().toISOString();
  await ctx.db
    .insertInto("statuses")
    .values({
      id,
      uri: `https://torgai.test/s/${id}`,
      url: `https://torgai.test/s/${id}`,
      account_id: accountId,
      local: 1,
      in_reply_to_id: extra.in_reply_to_id ?? null,
      in_reply_to_account_id: null,
      reblog_of_id: extra.reblog_of_id ?? null,
      conversation_id: null,
      text: "x",
      content: "<p>x</p>",
      spoiler_text: "",
      sensitive: 0,
      visibility: extra.visibility ?? "public",
      language: "kk",
      application_id: null,
      poll_id: null,
      created_at: now,
      edited_at: null,
      updated_at: now,
    })
    .execute();
  await ctx.db
    .updateTable("accounts")
    .set((eb) => ({ statuses_count: eb("statuses_count", "+", 1) }))
    .where("id", "=", accountId)
    .execute();
  return id;
}

const bump = (ctx: AppContext, id: string, col: "favourites_count" | "reblogs_count" | "replies_count") =>
  ctx.db
    .updateTable("statuses")
    .set((eb) => ({ [col]: eb(col, "+", 1) }))
    .where("id", "=", id)
    .execute();

storeTest(
  "deleteAccount removes content and relationships, fixes counters, keeps a tombstone",
  async (ctx) => {
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const A = alice.account.id;
    const B = bob.account.id;
    const now = new Date().toISOString();
    for (const [from, to] of [
      [A, B],
      [B, A],
    ]) {
      await ctx.db
        .insertInto("follows")
        .values({
          id: ctx.ids(),
          account_id: from,
          target_account_id: to,
          show_reblogs: 1,
          notify: 0,
          languages: null,
          uri: null,
          created_at: now,
        })
        .execute();
    }
    await ctx.db
      .updateTable("accounts")
      .set({ followers_count: 1, following_count: 1 })
      .where("id", "in", [A, B])
      .execute();

    const aliceStatus = await status(ctx, A);
    const bobStatus = await status(ctx, B);
    await ctx.db
      .insertInto("favourites")
      .values({ id: ctx.ids(), account_id: A, status_id: bobStatus, uri: null, created_at: now })
      .execute();
    await bump(ctx, bobStatus, "favourites_count");
    await status(ctx, A, { reblog_of_id: bobStatus });
    await bump(ctx, bobStatus, "reblogs_count");
    await status(ctx, A, { in_reply_to_id: bobStatus });
    await status(ctx, A, { in_reply_to_id: bobStatus, visibility: "private" });
    // only the public reply is counted (as createStatus counts: public and unlisted)
    await bump(ctx, bobStatus, "replies_count");
    await status(ctx, B, { reblog_of_id: aliceStatus }); // bob boosts alice: disappears with her post
    await bump(ctx, aliceStatus, "reblogs_count");
    await ctx.db
      .insertInto("notifications")
      .values({
        id: ctx.ids(),
        account_id: B,
        from_account_id: A,
        type: "favourite",
        status_id: bobStatus,
        created_at: now,
      })
      .execute();

    // a scheduled post, a filtered-notification request each way and an accepted sender
    await ctx.db
      .insertInto("scheduled_statuses")
      .values({
        id: ctx.ids(),
        account_id: A,
        scheduled_at: "2099-01-01T00:00:00.000Z",
        params: JSON.stringify({ text: "later" }),
        application_id: null,
        idempotency_key: null,
        created_at: now,
      })
      .execute();
    for (const [to, from] of [
      [A, B],
      [B, A],
    ]) {
      await ctx.db
        .insertInto("notification_requests")
        .values({
          id: ctx.ids(),
          account_id: to,
          from_account_id: from,
          last_status_id: null,
          notifications_count: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await ctx.db
      .insertInto("notification_permissions")
      .values({ account_id: B, from_account_id: A, created_at: now })
      .execute();

    const events: StreamEvent[] = [];
    ctx.events.subscribe(`user:${B}`, (e) => events.push(e));

    const result = await deleteAccount(ctx, A);
    assert.equal(result.statuses, 4);

    const bobRow = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", B)
      .executeTakeFirstOrThrow();
    assert.equal(bobRow.followers_count, 0);
    assert.equal(bobRow.following_count, 0);
    assert.equal(bobRow.statuses_count, 1);
    const bs = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", bobStatus)
      .executeTakeFirstOrThrow();
    assert.deepEqual([bs.favourites_count, bs.reblogs_count, bs.replies_count], [0, 0, 0]);
    assert.equal(
      Number(
        (
          await ctx.db
            .selectFrom("statuses")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      1,
    );
    assert.equal((await ctx.db.selectFrom("follows").selectAll().execute()).length, 0);
    assert.equal((await ctx.db.selectFrom("notifications").selectAll().execute()).length, 0);
    for (const table of ["scheduled_statuses", "notification_requests", "notification_permissions"] as const)
      assert.equal((await ctx.db.selectFrom(table).selectAll().execute()).length, 0, table);
    assert.equal(
      (await ctx.db.selectFrom("users").selectAll().where("account_id", "=", A).execute()).length,
      0,
    );
    assert.equal(await resolveAccessToken(ctx, alice.token), null);
    assert.ok(await resolveAccessToken(ctx, bob.token));

    const tomb = await ctx.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", A)
      .executeTakeFirstOrThrow();
    assert.ok(tomb.suspended_at);
    assert.ok(tomb.suspended_at);
    const keys = await ctx.db
      .selectFrom("account_keys")
      .select("private_key_pem")
      .where("account_id", "=", A)
      .executeTakeFirst();
    assert.match(keys?.private_key_pem ?? "", /PRIVATE KEY/, "keys stay to sign the federated Delete");
    assert.equal(await findAccountByAcct(ctx, alice.account.username), null);
    await assert.rejects(
      createLocalAccount(ctx, { username: alice.account.username, password: "another password" }),
      /taken/,
    );
    assert.equal(events.filter((e) => e.event === "delete").length, 4);
  },
);

storeTest("deleteAccount refuses unknown and remote accounts", async (ctx) => {
  await assert.rejects(deleteAccount(ctx, "123456789012345678"), /No such local account/);
});

storeTest(
  "deleteAccount removes endorsements both ways and collections, its own and its place in others'",
  async (ctx) => {
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    for (const [from, to] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await from.api(`/api/v1/accounts/${to.account.id}/follow`, { method: "POST" });
      assert.equal(
        (await from.api(`/api/v1/accounts/${to.account.id}/endorse`, { method: "POST" })).status,
        200,
      );
    }
    const own = await (
      await alice.api("/api/v1/collections", { json: { name: "mine", account_ids: [carol.account.id] } })
    ).json();
    const other = await (
      await bob.api("/api/v1/collections", { json: { name: "bob's", account_ids: [alice.account.id] } })
    ).json();
    await deleteAccount(ctx, alice.account.id);
    assert.deepEqual(await ctx.db.selectFrom("account_endorsements").selectAll().execute(), []);
    assert.deepEqual(await ctx.db.selectFrom("collections").select("id").execute(), [
      { id: other.collection.id },
    ]);
    assert.deepEqual(await ctx.db.selectFrom("collection_items").selectAll().execute(), []);
    assert.notEqual(own.collection.id, other.collection.id);
  },
);
