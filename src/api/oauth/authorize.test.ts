import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, createTestContext, describeStores, STORES } from "../../../test/helpers/harness.ts";
import {
  authorizeQuery,
  browser,
  hiddenValue,
  pkcePair,
  registerTestApp,
} from "../../../test/helpers/oauth.ts";
import { closeContext } from "../../app.ts";
import { createLocalAccount } from "../../core/accounts/create.ts";
import { beginTotpEnrolment, confirmTotp, totpCode } from "../../core/auth/totp.ts";

let n = 0;
const newUser = (ctx: Parameters<typeof createLocalAccount>[0]) => {
  const username = `oa${++n}_${Date.now() % 100000}`;
  return createLocalAccount(ctx, {
    username,
    email: `${username}@example.test`,
    password: "secret password 1",
  });
};

describeStores("OAuth authorization code flow", (get) => {
  test("PKCE flow end to end: consent page, code, token, API access; code reuse revokes", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { account, user } = await newUser(ctx);
    const { verifier, challenge } = pkcePair();
    const b = browser(ctx);
    const params = {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: app.redirect_uri,
      scope: "read write",
      state: "xyz 1",
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    const page = await b.get(authorizeQuery(params));
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/client\.example/);
    const html = await page.text();
    assert.match(html, /<html lang="kk">/);
    assert.match(html, /Test client/);
    const res = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"),
      login: user.email ?? "",
      password: "secret password 1",
      decision: "approve",
    });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location") ?? "");
    assert.equal(`${location.origin}${location.pathname}`, app.redirect_uri);
    assert.equal(location.searchParams.get("state"), "xyz 1");
    const code = location.searchParams.get("code") ?? "";
    assert.ok(code.length > 20);

    const api = apiCaller(ctx);
    const tokenReq = {
      grant_type: "authorization_code",
      code,
      redirect_uri: app.redirect_uri,
      client_id: app.client_id,
      code_verifier: verifier,
    };
    const tokRes = await api("/oauth/token", { form: tokenReq });
    assert.equal(tokRes.status, 200);
    assert.equal(tokRes.headers.get("cache-control"), "no-store");
    const tok = (await tokRes.json()) as Record<string, unknown>;
    assert.equal(tok.token_type, "Bearer");
    assert.equal(tok.scope, "read write");
    assert.equal(typeof tok.created_at, "number");
    assert.ok(Math.abs((tok.created_at as number) - Date.now() / 1000) < 60);
    assert.equal(typeof tok.refresh_token, "string");
    const me = await api("/api/v1/accounts/verify_credentials", { token: tok.access_token as string });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, account.id);

    const again = await api("/oauth/token", { form: tokenReq });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, "invalid_grant");
    const revoked = await api("/api/v1/accounts/verify_credentials", { token: tok.access_token as string });
    assert.equal(revoked.status, 401);
  });

  test("unknown client and unregistered redirect_uri show an error page, never redirect", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const b = browser(ctx);
    const bad = await b.get(
      authorizeQuery({ response_type: "code", client_id: "nope", redirect_uri: app.redirect_uri }),
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get("location"), null);
    const wrong = await b.get(
      authorizeQuery({
        response_type: "code",
        client_id: app.client_id,
        redirect_uri: "https://evil.example/cb",
      }),
      { "accept-language": "ru,en;q=0.5" },
    );
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /не зарегистрирован/);
    // prefix of a registered URI is not a match
    const prefix = await b.get(
      authorizeQuery({
        response_type: "code",
        client_id: app.client_id,
        redirect_uri: `${app.redirect_uri}/x`,
      }),
    );
    assert.equal(prefix.status, 400);
  });

  test("plain PKCE, excess scope and bad response_type redirect back with an error", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx, { scopes: "read" });
    const b = browser(ctx);
    const base = { client_id: app.client_id, redirect_uri: app.redirect_uri, state: "s" };
    const plain = await b.get(
      authorizeQuery({
        ...base,
        response_type: "code",
        code_challenge: "a".repeat(43),
        code_challenge_method: "plain",
      }),
    );
    assert.equal(plain.status, 302);
    assert.equal(new URL(plain.headers.get("location") ?? "").searchParams.get("error"), "invalid_request");
    const scope = await b.get(authorizeQuery({ ...base, response_type: "code", scope: "read write" }));
    assert.equal(new URL(scope.headers.get("location") ?? "").searchParams.get("error"), "invalid_scope");
    const token = await b.get(authorizeQuery({ ...base, response_type: "token" }));
    const loc = new URL(token.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "unsupported_response_type");
    assert.equal(loc.searchParams.get("state"), "s");
  });

  test("deny redirects with access_denied; a post without the CSRF token is refused", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const b = browser(ctx);
    const params = {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: app.redirect_uri,
      state: "st",
    };
    const html = await (await b.get(authorizeQuery(params))).text();
    const denied = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"),
      decision: "deny",
    });
    assert.equal(denied.status, 302);
    const loc = new URL(denied.headers.get("location") ?? "");
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.equal(loc.searchParams.get("state"), "st");
    const { user } = await newUser(ctx);
    const forged = await browser(ctx).post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"), // token without its cookie
      login: user.email ?? "",
      password: "secret password 1",
      decision: "approve",
    });
    assert.equal(forged.status, 403);
    const crossSite = await b.post(
      "/oauth/authorize",
      { ...params, csrf: hiddenValue(html, "csrf"), login: user.email ?? "", password: "secret password 1" },
      { origin: "https://evil.example" },
    );
    assert.equal(crossSite.status, 403);
  });

  test("wrong password re-renders the form; a login session skips the password next time", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx, { redirectUri: "urn:ietf:wg:oauth:2.0:oob" });
    const { account } = await newUser(ctx);
    const b = browser(ctx);
    const params = {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: app.redirect_uri,
      lang: "en",
    };
    let html = await (await b.get(authorizeQuery(params))).text();
    const bad = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"),
      login: account.username,
      password: "wrong password",
    });
    assert.equal(bad.status, 401);
    html = await bad.text();
    assert.match(html, /Invalid email, username or password/);
    const ok = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"),
      login: account.username,
      password: "secret password 1",
      decision: "approve",
    });
    assert.equal(ok.status, 200); // out-of-band: the code is shown
    assert.match(await ok.text(), /<code id="code">[A-Za-z0-9_-]{20,}<\/code>/);
    const second = await (await b.get(authorizeQuery(params))).text();
    assert.match(second, new RegExp(`signed in as @${account.username}`));
    const approved = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(second, "csrf"),
      decision: "approve",
    });
    assert.equal(approved.status, 200);
    assert.match(await approved.text(), /id="code"/);
  });

  test("two-factor users get a second step; a wrong code is refused", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { user, account } = await newUser(ctx);
    const { secret } = await beginTotpEnrolment(ctx, user.id);
    await confirmTotp(ctx, user.id, totpCode(ctx, secret, new Date(Date.now() - 30_000)));
    const b = browser(ctx);
    const { verifier, challenge } = pkcePair();
    const params = {
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: app.redirect_uri,
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    const html = await (await b.get(authorizeQuery(params))).text();
    const step = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(html, "csrf"),
      login: account.username,
      password: "secret password 1",
      decision: "approve",
    });
    assert.equal(step.status, 200);
    const otpPage = await step.text();
    const mfa = hiddenValue(otpPage, "mfa_token");
    const wrong = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(otpPage, "csrf"),
      mfa_token: mfa,
      otp_attempt: "000000",
      decision: "approve",
    });
    assert.equal(wrong.status, 401);
    const retry = await wrong.text();
    const done = await b.post("/oauth/authorize", {
      ...params,
      csrf: hiddenValue(retry, "csrf"),
      mfa_token: hiddenValue(retry, "mfa_token"),
      otp_attempt: totpCode(ctx, secret),
      decision: "approve",
    });
    assert.equal(done.status, 302);
    const code = new URL(done.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const tok = await apiCaller(ctx)("/oauth/token", {
      json: {
        grant_type: "authorization_code",
        code,
        redirect_uri: app.redirect_uri,
        client_id: app.client_id,
        code_verifier: verifier,
      },
    });
    assert.equal(tok.status, 200);
  });

  test("repeated failed logins are throttled per IP and login", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { account } = await newUser(ctx);
    const b = browser(ctx);
    const params = { response_type: "code", client_id: app.client_id, redirect_uri: app.redirect_uri };
    let html = await (await b.get(authorizeQuery(params))).text();
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const res = await b.post("/oauth/authorize", {
        ...params,
        csrf: hiddenValue(html, "csrf"),
        login: account.username,
        password: i < 5 ? "wrong password" : "secret password 1",
      });
      last = res.status;
      html = await res.text();
    }
    assert.equal(last, 429);
  });
});

for (const kind of STORES) {
  test(`authorization codes expire after 10 minutes and bind the redirect_uri and verifier [${kind}]`, async () => {
    let clock = Date.now();
    const ctx = await createTestContext(kind, { now: () => new Date(clock) });
    try {
      const app = await registerTestApp(ctx);
      const { account } = await newUser(ctx);
      const getCode = async (withPkce: boolean) => {
        const b = browser(ctx);
        const pkce = pkcePair();
        const params: Record<string, string> = {
          response_type: "code",
          client_id: app.client_id,
          redirect_uri: app.redirect_uri,
        };
        if (withPkce)
          Object.assign(params, { code_challenge: pkce.challenge, code_challenge_method: "S256" });
        const html = await (await b.get(authorizeQuery(params))).text();
        const res = await b.post("/oauth/authorize", {
          ...params,
          csrf: hiddenValue(html, "csrf"),
          login: account.username,
          password: "secret password 1",
          decision: "approve",
        });
        return {
          code: new URL(res.headers.get("location") ?? "").searchParams.get("code") ?? "",
          verifier: pkce.verifier,
        };
      };
      const api = apiCaller(ctx);
      const exchange = (body: Record<string, string>) =>
        api("/oauth/token", {
          form: {
            grant_type: "authorization_code",
            client_id: app.client_id,
            redirect_uri: app.redirect_uri,
            ...body,
          },
        });
      const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

      const a = await getCode(true);
      clock += 11 * 60_000;
      assert.equal(
        await errorOf(await exchange({ code: a.code, code_verifier: a.verifier })),
        "invalid_grant",
      );

      const b = await getCode(true);
      assert.equal(
        await errorOf(await exchange({ code: b.code, code_verifier: pkcePair().verifier })),
        "invalid_grant",
      );
      const c = await getCode(true);
      assert.equal(await errorOf(await exchange({ code: c.code })), "invalid_grant");
      const d = await getCode(true);
      const wrongRedirect = await exchange({
        code: d.code,
        code_verifier: d.verifier,
        redirect_uri: "https://client.example/other",
      });
      assert.equal(await errorOf(wrongRedirect), "invalid_grant");

      // without PKCE the client must authenticate with its secret
      const e = await getCode(false);
      const pub = await exchange({ code: e.code });
      assert.equal(pub.status, 401);
      assert.equal(await errorOf(pub), "invalid_client");
      const f = await getCode(false);
      const conf = await exchange({ code: f.code, client_secret: app.client_secret });
      assert.equal(conf.status, 200);
    } finally {
      await closeContext(ctx);
    }
  });
}
