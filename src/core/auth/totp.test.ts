import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, storeTest } from "../../../test/helpers/harness.ts";
import { RateLimitError } from "../errors.ts";
import { authenticate } from "./login.ts";
import { LoginThrottle } from "./throttle.ts";
import { beginTotpEnrolment, confirmTotp, disableTotp, totpCode, verifyTotp } from "./totp.ts";

storeTest("TOTP enrolment: pending until confirmed, codes single use, disable clears", async (ctx) => {
  const { user, account } = await createTestUser(ctx);
  const { secret, uri } = await beginTotpEnrolment(ctx, user.id);
  assert.match(uri, /^otpauth:\/\/totp\//);
  assert.match(uri, new RegExp(`secret=${secret}`));
  const login = { login: account.username, password: "correct horse battery staple", ip: "198.51.100.7" };
  // not enforced before confirmation
  assert.equal((await authenticate(ctx, login)).status, "ok");
  await assert.rejects(confirmTotp(ctx, user.id, "000000"), /Invalid two-factor code/);
  await confirmTotp(ctx, user.id, totpCode(ctx, secret));
  await assert.rejects(beginTotpEnrolment(ctx, user.id), /already enabled/);
  assert.equal((await authenticate(ctx, login)).status, "otp_required");
  // the code used for confirmation cannot be replayed
  const replay = await authenticate(ctx, { ...login, otp: totpCode(ctx, secret) });
  assert.deepEqual(replay, { status: "failed", reason: "invalid_otp" });
  const fresh = await ctx.db
    .selectFrom("users")
    .selectAll()
    .where("id", "=", user.id)
    .executeTakeFirstOrThrow();
  const next = totpCode(ctx, secret, new Date(ctx.now().getTime() + 30_000));
  assert.equal(await verifyTotp(ctx, fresh, next), true);
  assert.equal(await verifyTotp(ctx, fresh, next), false);
  await disableTotp(ctx, user.id);
  assert.equal((await authenticate(ctx, login)).status, "ok");
});

storeTest(
  "authenticate: email or username, unknown users fail alike, pending and disabled users",
  async (ctx) => {
    const { user, account } = await createTestUser(ctx);
    const pw = "correct horse battery staple";
    const ip = "203.0.113.9";
    assert.equal((await authenticate(ctx, { login: user.email ?? "", password: pw, ip })).status, "ok");
    assert.equal(
      (await authenticate(ctx, { login: `@${account.username.toUpperCase()}`, password: pw, ip })).status,
      "ok",
    );
    assert.deepEqual(await authenticate(ctx, { login: "ghost", password: pw, ip }), {
      status: "failed",
      reason: "invalid_credentials",
    });
    await ctx.db.updateTable("users").set({ approved: 0 }).where("id", "=", user.id).execute();
    assert.deepEqual(await authenticate(ctx, { login: account.username, password: pw, ip }), {
      status: "failed",
      reason: "pending_approval",
    });
    await ctx.db.updateTable("users").set({ approved: 1, disabled: 1 }).where("id", "=", user.id).execute();
    assert.deepEqual(await authenticate(ctx, { login: account.username, password: pw, ip }), {
      status: "failed",
      reason: "disabled",
    });
  },
);

test("LoginThrottle locks a key after the budget and releases it after the window", () => {
  const t = new LoginThrottle({ maxFailures: 3, windowMs: 1000 });
  const key = LoginThrottle.key("1.2.3.4", "Alice");
  assert.equal(key, LoginThrottle.key("1.2.3.4", " alice "));
  for (let i = 0; i < 3; i++) {
    t.check(key, 0);
    t.fail(key, 0);
  }
  assert.throws(() => t.check(key, 500), RateLimitError);
  t.check(LoginThrottle.key("1.2.3.4", "bob"), 500);
  t.check(key, 1001);
  t.fail(key, 1001);
  t.succeed(key);
  t.check(key, 1002);
});

test("LoginThrottle stays bounded", () => {
  const t = new LoginThrottle({ maxFailures: 1, windowMs: 10_000, maxKeys: 10 });
  for (let i = 0; i < 100; i++) t.fail(`k${i}`, 0);
  assert.throws(() => t.check("k99", 1), RateLimitError);
  t.check("k0", 1); // evicted
});
