import assert from "node:assert/strict";
import { storeTest } from "../../test/helpers/harness.ts";
import { transaction } from "../app.ts";
import { createLocalAccount } from "../core/accounts/create.ts";

storeTest("migrations create the schema and ids sort as numbers", async (ctx) => {
  const a = ctx.ids();
  const b = ctx.ids();
  assert.equal(a.length, 18);
  assert.ok(b > a);
  const { account } = await createLocalAccount(ctx, { username: "Alice", password: "password123" });
  const row = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", account.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.username, "Alice");
  assert.equal(row.domain, "");
  assert.equal(row.uri, "https://torgai.test/users/Alice");
  assert.match(row.public_key_pem ?? "", /BEGIN PUBLIC KEY/);
  assert.match(row.ed25519_public_key ?? "", /BEGIN PUBLIC KEY/);
  assert.ok(!("private_key_pem" in row), "private keys are not on the accounts row");
  const keys = await ctx.db
    .selectFrom("account_keys")
    .selectAll()
    .where("account_id", "=", account.id)
    .executeTakeFirstOrThrow();
  assert.match(keys.private_key_pem, /BEGIN PRIVATE KEY/);
  assert.match(keys.ed25519_private_key, /BEGIN PRIVATE KEY/);
  assert.equal(row.followers_count, 0);
});

storeTest("usernames are unique case-insensitively", async (ctx) => {
  await createLocalAccount(ctx, { username: "bob", password: "password123" });
  await assert.rejects(createLocalAccount(ctx, { username: "BOB", password: "password123" }), /taken/);
});

storeTest("a failed transaction leaves nothing behind and runs no after-commit callback", async (ctx) => {
  let published = false;
  await assert.rejects(
    transaction(ctx, async (trx, after) => {
      await trx
        .insertInto("conversations")
        .values({ id: ctx.ids(), uri: null, created_at: ctx.now().toISOString() })
        .execute();
      after(() => {
        published = true;
      });
      throw new Error("boom");
    }),
    /boom/,
  );
  const n = await ctx.db
    .selectFrom("conversations")
    .select(ctx.db.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  assert.equal(Number(n.n), 0);
  assert.equal(published, false);
});
