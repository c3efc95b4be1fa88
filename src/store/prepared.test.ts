import assert from "node:assert/strict";
import { storeTest } from "../../test/helpers/harness.ts";
import { createLocalAccount } from "../core/accounts/create.ts";
import { prepared, statementNameFor } from "./prepared.ts";

storeTest("prepared queries (named statements on PostgreSQL) read fresh rows on every run", async (ctx) => {
  const db = ctx.db;
  const count = async (id: string) => {
    const rows = await prepared(
      db,
      "test:account-statuses-count",
      (p) => db.selectFrom("accounts").select("statuses_count").where("id", "=", p.value("id")),
      { id },
    );
    return rows[0]?.statuses_count;
  };
  const { account } = await createLocalAccount(ctx, { username: "named", password: "password123" });
  // more runs than PostgreSQL's switch to a generic plan (5)
  for (let i = 0; i < 7; i++) {
    await db.updateTable("accounts").set({ statuses_count: i }).where("id", "=", account.id).execute();
    assert.equal(await count(account.id), i);
  }
  assert.equal(await count("000000000000000000"), undefined);
  const sqlText = db.selectFrom("accounts").select("statuses_count").where("id", "=", "x").compile().sql;
  assert.match(statementNameFor(sqlText) ?? "", /^torgai_\d+$/);
});
