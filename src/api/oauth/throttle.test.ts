/** Brute-force limits on every path that checks a password or a two-factor code. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, describeStores } from "../../../test/helpers/harness.ts";
import { authorizeQuery, browser, hiddenValue, registerTestApp } from "../../../test/helpers/oauth.ts";
import { createLocalAccount } from "../../core/accounts/create.ts";
import { authenticate, authenticateSecondFactor } from "../../core/auth/login.ts";
import { beginTotpEnrolment, confirmTotp, totpCode } from "../../core/auth/totp.ts";
import { RateLimitError } from "../../core/errors.ts";

const PASSWORD = "secret password 3";
let n = 0;
async function newUser(ctx: Parameters<typeof createLocalAccount>[0]) {
  const username = `th${++n}_${Date.now() % 100000}`;
  return createLocalAccount(ctx, { username, email: `${username}@example.test`, password: PASSWORD });
}

describeStores("sign-in throttles", (get) => {
  test("the sign-in page: failures from many addresses and spellings share one budget per account", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { account, user } = await newUser(ctx);
    const other = await newUser(ctx);
    const b = browser(ctx);
    const params = { response_type: "code", client_id: app.client_id, redirect_uri: app.redirect_uri };
    const csrf = hiddenValue(await (await b.get(authorizeQuery(params))).text(), "csrf");
    const signIn = (login: string, password: string) =>
      b.post("/oauth/authorize", { ...params, csrf, login, password, decision: "approve" });
    const spellings = [account.username, `@${account.username.toUpperCase()}`, user.email ?? ""];
    // the reviewer's probe: 40 wrong passwords from 8 addresses, never 5 from one address+spelling
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      b.ip = `203.0.113.${(i % 8) + 1}`;
      statuses.push((await signIn(spellings[i % 3], "wrong password")).status);
    }
    assert.deepEqual(statuses.slice(0, 25), new Array(25).fill(401));
    assert.deepEqual(statuses.slice(25), new Array(15).fill(429));
    b.ip = "198.51.100.77"; // a fresh address with the right password is refused too
    const locked = await signIn(account.username, PASSWORD);
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get("retry-after")) >= 1);
    assert.equal((await signIn(other.account.username, PASSWORD)).status, 302, "another account signs in");
  });

  test("the password grant shares the account's budget", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { account } = await newUser(ctx);
    const api = apiCaller(ctx);
    const grant = (username: string, password: string, ip: string) =>
      api("/oauth/token", {
        form: {
          grant_type: "password",
          client_id: app.client_id,
          client_secret: app.client_secret,
          username,
          password,
        },
        remoteAddress: ip,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const spelling = i % 2 ? account.username : `@${account.username}`;
      statuses.push((await grant(spelling, "wrong password", `2001:db8:${i}::1`)).status);
    }
    assert.deepEqual(statuses.slice(0, 25), new Array(25).fill(400));
    assert.deepEqual(statuses.slice(25), new Array(5).fill(429));
    const locked = await grant(account.username, PASSWORD, "192.0.2.200");
    assert.equal(locked.status, 429);
    assert.deepEqual(await locked.json(), { error: "Too many requests" });
  });

  test("two-factor codes count against the same budget; a success gives its unit back", async () => {
    const ctx = get();
    const { user, account } = await newUser(ctx);
    const { secret } = await beginTotpEnrolment(ctx, user.id);
    await confirmTotp(ctx, user.id, totpCode(ctx, secret, new Date(Date.now() - 30_000)));
    const wrongCode = () => String((Number(totpCode(ctx, secret)) + 1) % 1_000_000).padStart(6, "0");
    // 10 wrong passwords, then a right password (otp_required: not a failure)
    for (let i = 0; i < 10; i++) {
      const r = await authenticate(ctx, {
        login: account.username,
        password: "nope nope",
        ip: `192.0.2.${i}`,
      });
      assert.equal(r.status, "failed");
    }
    const step = await authenticate(ctx, { login: account.username, password: PASSWORD, ip: "192.0.2.50" });
    assert.equal(step.status, "otp_required");
    // 15 wrong codes from as many addresses reach the 25 failures
    for (let i = 0; i < 15; i++) {
      const r = await authenticateSecondFactor(ctx, {
        userId: user.id,
        otp: wrongCode(),
        ip: `198.51.100.${i}`,
      });
      assert.deepEqual(r, { status: "failed", reason: "invalid_otp" });
    }
    await assert.rejects(
      authenticateSecondFactor(ctx, { userId: user.id, otp: totpCode(ctx, secret), ip: "203.0.113.250" }),
      RateLimitError,
    );
    await assert.rejects(
      authenticate(ctx, { login: user.email ?? "", password: PASSWORD, ip: "203.0.113.251" }),
      RateLimitError,
    );
  });

  test("successful sign-ins do not use up the budget", async () => {
    const ctx = get();
    const { account } = await newUser(ctx);
    const attempt = (password: string, i: number) =>
      authenticate(ctx, { login: account.username, password, ip: `192.0.2.${i}` });
    for (let i = 0; i < 24; i++) assert.equal((await attempt("nope nope", i)).status, "failed");
    for (let i = 0; i < 3; i++) assert.equal((await attempt(PASSWORD, 100 + i)).status, "ok");
    assert.equal((await attempt("nope nope", 200)).status, "failed", "the 25th failure is still allowed");
    await assert.rejects(attempt(PASSWORD, 201), RateLimitError);
  });

  test("IPv6 clients of one /64 share the per-address throttle; IPv4-mapped is IPv4", async () => {
    const ctx = get();
    const a = await newUser(ctx);
    const b = await newUser(ctx);
    // five failures for one login from five addresses of one /64 lock that login for the /64
    for (let i = 1; i <= 5; i++) {
      const r = await authenticate(ctx, {
        login: a.account.username,
        password: "nope nope",
        ip: `2001:db8:7:7::${i}`,
      });
      assert.equal(r.status, "failed");
    }
    await assert.rejects(
      authenticate(ctx, { login: a.account.username, password: PASSWORD, ip: "2001:db8:7:7:ffff:1:2:3" }),
      RateLimitError,
    );
    const outside = await authenticate(ctx, {
      login: a.account.username,
      password: PASSWORD,
      ip: "2001:db8:7:8::1",
    });
    assert.equal(outside.status, "ok", "the next /64 is another client");
    for (let i = 0; i < 5; i++) {
      await authenticate(ctx, { login: b.account.username, password: "nope nope", ip: "::ffff:192.0.2.9" });
    }
    await assert.rejects(
      authenticate(ctx, { login: b.account.username, password: PASSWORD, ip: "192.0.2.9" }),
      RateLimitError,
    );
  });
});
