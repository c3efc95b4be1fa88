import assert from "node:assert/strict";
import { storeTest } from "../../test/helpers/harness.ts";
import type { AppContext } from "../app.ts";
import { authenticate } from "../core/auth/login.ts";
import { totpCode } from "../core/auth/totp.ts";
import { runAccountsCommand } from "./accounts.ts";

async function run(ctx: AppContext, ...argv: string[]) {
  const logs: string[] = [];
  const errors: string[] = [];
  const code = await runAccountsCommand(ctx, argv, {
    log: (s) => logs.push(s),
    error: (s) => errors.push(s),
  });
  return { code, logs, errors };
}

storeTest("torgai accounts: create, list, approve, 2fa, delete", async (ctx) => {
  const created = await run(
    ctx,
    "create",
    "--username",
    "admin",
    "--email",
    "root@example.kz",
    "--password",
    "long password",
    "--admin",
    "--confirmed",
  );
  assert.equal(created.code, 0);
  assert.match(created.logs[0], /^\d{18}$/);
  const dup = await run(ctx, "create", "--username", "ADMIN", "--password", "long password");
  assert.equal(dup.code, 1);
  assert.match(dup.errors[0], /Username has already been taken/);
  assert.equal((await run(ctx, "create", "--email", "x@y.kz")).code, 2);
  assert.equal((await run(ctx, "create", "--username", "bad name", "--password", "long password")).code, 1);
  assert.equal((await run(ctx, "create", "--username", "u", "--bogus")).code, 2);
  const gen = await run(ctx, "create", "--username", "aigerim");
  assert.equal(gen.code, 0);
  const password = /: (\S+)$/.exec(gen.errors[0])?.[1] ?? "";
  assert.equal((await authenticate(ctx, { login: "aigerim", password, ip: "x" })).status, "ok");

  await ctx.db.updateTable("users").set({ approved: 0 }).where("email", "is", null).execute();
  let list = await run(ctx, "list");
  assert.deepEqual(list.logs, ["admin\troot@example.kz\tadmin\tactive", "aigerim\t-\tuser\tpending"]);
  assert.equal((await run(ctx, "approve", "--username", "aigerim")).code, 0);
  list = await run(ctx, "list");
  assert.equal(list.logs[1], "aigerim\t-\tuser\tactive");
  assert.equal((await run(ctx, "approve", "--username", "nobody")).code, 1);

  const enable = await run(ctx, "2fa", "enable", "--username", "aigerim");
  assert.equal(enable.code, 0);
  const secret = enable.logs[0].replace("secret: ", "");
  assert.match(enable.logs[1], /^uri: otpauth:\/\/totp\//);
  assert.equal((await run(ctx, "2fa", "confirm", "--username", "aigerim", "--code", "000000")).code, 1);
  assert.equal(
    (await run(ctx, "2fa", "confirm", "--username", "aigerim", "--code", totpCode(ctx, secret))).code,
    0,
  );
  assert.equal((await authenticate(ctx, { login: "aigerim", password, ip: "x" })).status, "otp_required");
  assert.equal((await run(ctx, "2fa", "disable", "--username", "aigerim")).code, 0);
  assert.equal((await run(ctx, "2fa", "frobnicate", "--username", "aigerim")).code, 2);

  const del = await run(ctx, "delete", "--username", "aigerim");
  assert.equal(del.code, 0);
  list = await run(ctx, "list");
  assert.deepEqual(list.logs, ["admin\troot@example.kz\tadmin\tactive"]);
  assert.equal((await run(ctx, "delete", "--username", "aigerim")).code, 1);
  assert.equal((await run(ctx, "frobnicate")).code, 2);
  assert.equal((await run(ctx)).code, 2);
});

storeTest("torgai accounts alias and move: local aliases, refusals with exit codes", async (ctx) => {
  for (const u of ["oldme", "newme"]) assert.equal((await run(ctx, "create", "--username", u)).code, 0);
  assert.equal((await run(ctx, "alias", "--username", "newme")).code, 2, "needs --add or --remove");
  assert.equal((await run(ctx, "alias", "--username", "newme", "--add", "ghost")).code, 1, "unknown account");
  assert.equal((await run(ctx, "move", "--from", "oldme", "--to", "newme")).code, 1, "not an alias yet");
  const aliased = await run(ctx, "alias", "--username", "newme", "--add", "oldme");
  assert.equal(aliased.code, 0);
  assert.deepEqual(aliased.logs, [ctx.uris.actor("oldme")]);
  const moved = await run(ctx, "move", "--from", "oldme", "--to", "newme");
  assert.equal(moved.code, 0, moved.errors.join());
  assert.deepEqual(moved.logs, ["Moved oldme to newme"]);
  const rows = await ctx.db
    .selectFrom("accounts")
    .select(["username", "id", "moved_to_account_id"])
    .where("username", "in", ["oldme", "newme"])
    .execute();
  const by = new Map(rows.map((r) => [r.username, r]));
  assert.equal(by.get("oldme")?.moved_to_account_id, by.get("newme")?.id);
  assert.deepEqual((await run(ctx, "alias", "--username", "newme", "--remove", "oldme")).logs, []);
});
