import assert from "node:assert/strict";
import { sql } from "kysely";
import { storeTest } from "../../test/helpers/harness.ts";
import { transaction } from "../app.ts";
import { createLocalAccount } from "../core/accounts/create.ts";

storeTest("the write generation moves with every write and only then", async (ctx) => {
  const writes = ctx.store.writes;
  const { account } = await createLocalAccount(ctx, { username: "gen", password: "password123" });
  let g = writes.value;
  const changedSince = () => {
    const moved = writes.value !== g;
    g = writes.value;
    return moved;
  };

  await ctx.db.selectFrom("accounts").selectAll().where("id", "=", account.id).execute();
  await sql`select 1 as one`.execute(ctx.db);
  assert.equal(changedSince(), false, "reads");

  await ctx.db.updateTable("accounts").set({ display_name: "x" }).where("id", "=", "0").execute();
  await ctx.db.deleteFrom("mutes").where("account_id", "=", account.id).returningAll().execute();
  assert.equal(changedSince(), false, "writes that touched no row (the job queue's idle poll)");

  await ctx.db.updateTable("accounts").set({ display_name: "y" }).where("id", "=", account.id).execute();
  assert.equal(changedSince(), true, "an update");
  await ctx.db
    .updateTable("accounts")
    .set({ display_name: "z" })
    .where("id", "=", account.id)
    .returning("id")
    .execute();
  assert.equal(changedSince(), true, "an update with RETURNING");
  await sql`update accounts set note = 'n' where id = ${account.id}`.execute(ctx.db);
  assert.equal(changedSince(), true, "raw SQL");

  // inside a transaction: whatever the statements did, the commit itself moves it afterwards
  let inside = -1;
  await transaction(ctx, async (trx) => {
    await trx.updateTable("accounts").set({ display_name: "t" }).where("id", "=", account.id).execute();
    inside = writes.value;
  });
  assert.ok(writes.value > inside, "the commit counts after the statements");
  g = writes.value;

  await assert.rejects(
    transaction(ctx, async (trx) => {
      await trx.updateTable("accounts").set({ display_name: "r" }).where("id", "=", account.id).execute();
      inside = writes.value;
      throw new Error("roll back");
    }),
  );
  assert.ok(writes.value > inside, "a rollback counts too");
  const [row] = await ctx.db
    .selectFrom("accounts")
    .select("display_name")
    .where("id", "=", account.id)
    .execute();
  assert.equal(row.display_name, "t");

  // a job claimed, run and deleted by the queue is a write like any other
  g = writes.value;
  await ctx.queue.enqueue(ctx.db, "poll.expire", { pollId: "0" });
  assert.equal(changedSince(), true, "enqueue");
  await ctx.queue.drain();
  assert.equal(changedSince(), true, "a job run");
  await ctx.queue.drain();
  assert.equal(changedSince(), false, "an idle queue poll");
});
