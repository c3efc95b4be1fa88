import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, createTestContext, describeStores, STORES } from "../../../test/helpers/harness.ts";
import { pkcePair, registerTestApp } from "../../../test/helpers/oauth.ts";
import { closeContext } from "../../app.ts";
import { createLocalAccount } from "../../core/accounts/create.ts";
import { findAppByClientId } from "../../core/auth/apps.ts";
import { createAuthorizationCode } from "../../core/auth/codes.ts";
import { beginTotpEnrolment, confirmTotp, totpCode } from "../../core/auth/totp.ts";

let n = 0;
const PASSWORD = "secret password 2";
async function newUser(ctx: Parameters<typeof createLocalAccount>[0]) {
  const username = `tk${++n}_${Date.now() % 100000}`;
  return createLocalAccount(ctx, { username, email: `${username}@example.test`, password: PASSWORD });
}
type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;

describeStores("OAuth token endpoint", (get) => {
  test("password grant (test mode) accepts email or username and honours 2FA", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { user, account } = await newUser(ctx);
    const api = apiCaller(ctx);
    const grant = (extra: Json) =>
      api("/oauth/token", {
        json: {
          grant_type: "password",
          client_id: app.client_id,
          client_secret: app.client_secret,
          scope: "read",
          ...extra,
        },
      });
    const byEmail = await grant({ username: user.email, password: PASSWORD });
    assert.equal(byEmail.status, 200);
    assert.equal((await json(byEmail)).scope, "read");
    assert.equal((await grant({ username: account.username, password: PASSWORD })).status, 200);
    const wrong = await grant({ username: account.username, password: "nope nope" });
    assert.equal(wrong.status, 400);
    assert.equal((await json(wrong)).error, "invalid_grant");
    const noSecret = await api("/oauth/token", {
      form: {
        grant_type: "password",
        client_id: app.client_id,
        username: account.username,
        password: PASSWORD,
      },
    });
    assert.equal(noSecret.status, 401);

    const { secret } = await beginTotpEnrolment(ctx, user.id);
    await confirmTotp(ctx, user.id, totpCode(ctx, secret, new Date(Date.now() - 30_000)));
    const needsCode = await grant({ username: account.username, password: PASSWORD });
    assert.equal(needsCode.status, 400);
    assert.match(String((await json(needsCode)).error_description), /Two-factor/);
    const withCode = await grant({
      username: account.username,
      password: PASSWORD,
      otp_attempt: totpCode(ctx, secret),
    });
    assert.equal(withCode.status, 200);
  });

  test("client_credentials gives an app-only token; HTTP Basic client authentication works", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx, { scopes: "read write" });
    const api = apiCaller(ctx);
    const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64")}`;
    const res = await api("/oauth/token", {
      form: { grant_type: "client_credentials", scope: "write" },
      headers: { authorization: basic },
    });
    assert.equal(res.status, 200);
    const tok = await json(res);
    assert.equal(tok.scope, "write");
    assert.equal(tok.refresh_token, undefined);
    const appInfo = await api("/api/v1/apps/verify_credentials", { token: tok.access_token as string });
    assert.equal(appInfo.status, 200);
    const info = await json(appInfo);
    assert.equal(info.name, "Test client");
    assert.equal(info.client_secret, undefined);
    const me = await api("/api/v1/accounts/verify_credentials", { token: tok.access_token as string });
    assert.equal(me.status, 401);

    const tooMuch = await api("/oauth/token", {
      form: {
        grant_type: "client_credentials",
        scope: "follow",
        client_id: app.client_id,
        client_secret: app.client_secret,
      },
    });
    assert.equal(tooMuch.status, 400);
    assert.equal((await json(tooMuch)).error, "invalid_scope");
    const badSecret = await api("/oauth/token", {
      form: { grant_type: "client_credentials" },
      headers: { authorization: `Basic ${Buffer.from(`${app.client_id}:wrong`).toString("base64")}` },
    });
    assert.equal(badSecret.status, 401);
    assert.match(badSecret.headers.get("www-authenticate") ?? "", /^Basic/);
    assert.equal((await json(badSecret)).error, "invalid_client");
  });

  test("grant types and parameters are validated", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const api = apiCaller(ctx);
    const missing = await api("/oauth/token", { form: { client_id: app.client_id } });
    assert.equal((await json(missing)).error, "invalid_request");
    const unknown = await api("/oauth/token", { form: { grant_type: "implicit", client_id: app.client_id } });
    assert.equal((await json(unknown)).error, "unsupported_grant_type");
    const noClient = await api("/oauth/token", { form: { grant_type: "client_credentials" } });
    assert.equal(noClient.status, 401);
    const badCode = await api("/oauth/token", {
      form: {
        grant_type: "authorization_code",
        code: "nope",
        redirect_uri: app.redirect_uri,
        client_id: app.client_id,
        client_secret: app.client_secret,
      },
    });
    assert.equal((await json(badCode)).error, "invalid_grant");
  });

  test("refresh tokens rotate; replaying a rotated one revokes the family", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const { account } = await newUser(ctx);
    const api = apiCaller(ctx);
    const first = await json(
      await api("/oauth/token", {
        form: {
          grant_type: "password",
          username: account.username,
          password: PASSWORD,
          client_id: app.client_id,
          client_secret: app.client_secret,
          scope: "read write",
        },
      }),
    );
    const refresh = (token: unknown, scope?: string) =>
      api("/oauth/token", {
        form: {
          grant_type: "refresh_token",
          refresh_token: String(token),
          client_id: app.client_id,
          client_secret: app.client_secret,
          ...(scope ? { scope } : {}),
        },
      });
    const r1 = await refresh(first.refresh_token, "read");
    assert.equal(r1.status, 200);
    const second = await json(r1);
    assert.equal(second.scope, "read");
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await api("/api/v1/preferences", { token: first.access_token as string })).status, 401);
    assert.equal((await api("/api/v1/preferences", { token: second.access_token as string })).status, 200);
    const wider = await refresh(second.refresh_token, "read write follow");
    assert.equal((await json(wider)).error, "invalid_scope");

    const fresh = await api("/oauth/token", {
      form: {
        grant_type: "password",
        username: account.username,
        password: PASSWORD,
        client_id: app.client_id,
        client_secret: app.client_secret,
      },
    });
    const t = await json(fresh);
    const rotated = await json(await refresh(t.refresh_token));
    const replay = await refresh(t.refresh_token);
    assert.equal((await json(replay)).error, "invalid_grant");
    assert.equal((await api("/api/v1/preferences", { token: rotated.access_token as string })).status, 401);
  });

  test("refresh needs the client secret; a refused refresh leaves the grant intact", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const other = await registerTestApp(ctx);
    const { account } = await newUser(ctx);
    const api = apiCaller(ctx);
    const first = await json(
      await api("/oauth/token", {
        form: {
          grant_type: "password",
          username: account.username,
          password: PASSWORD,
          client_id: app.client_id,
          client_secret: app.client_secret,
          scope: "read",
        },
      }),
    );
    const works = async (token: unknown) =>
      (await api("/api/v1/preferences", { token: String(token) })).status === 200;
    const refresh = (form: Record<string, string>) =>
      api("/oauth/token", {
        form: { grant_type: "refresh_token", refresh_token: String(first.refresh_token), ...form },
      });
    // a leaked refresh token alone: no secret, a wrong one, another client's
    const noSecret = await refresh({ client_id: app.client_id });
    assert.equal(noSecret.status, 401);
    assert.equal((await json(noSecret)).error, "invalid_client");
    assert.equal((await refresh({ client_id: app.client_id, client_secret: "wrong" })).status, 401);
    const foreign = await refresh({ client_id: other.client_id, client_secret: other.client_secret });
    assert.equal((await json(foreign)).error, "invalid_grant");
    // a wider scope than granted is refused before the rotation
    const wider = await refresh({
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "read write",
    });
    assert.equal(wider.status, 400);
    assert.equal((await json(wider)).error, "invalid_scope");
    assert.ok(await works(first.access_token), "the refused attempts revoked nothing");
    const ok = await refresh({ client_id: app.client_id, client_secret: app.client_secret });
    assert.equal(ok.status, 200);
    const second = await json(ok);
    assert.equal(second.scope, "read");
    assert.ok(await works(second.access_token));
    assert.ok(!(await works(first.access_token)), "rotated away");
  });

  test("a code_verifier for a code issued without code_challenge is refused (RFC 9700)", async () => {
    const ctx = get();
    const reg = await registerTestApp(ctx);
    const app = await findAppByClientId(ctx, reg.client_id);
    assert.ok(app);
    const { user } = await newUser(ctx);
    const api = apiCaller(ctx);
    const exchange = async (extra: Record<string, string>) => {
      const code = await createAuthorizationCode(ctx, {
        app,
        userId: user.id,
        redirectUri: reg.redirect_uri,
        scopes: ["read"],
      });
      return api("/oauth/token", {
        form: {
          grant_type: "authorization_code",
          code,
          redirect_uri: reg.redirect_uri,
          client_id: reg.client_id,
          client_secret: reg.client_secret,
          ...extra,
        },
      });
    };
    const downgraded = await exchange({ code_verifier: pkcePair().verifier });
    assert.equal(downgraded.status, 400);
    const body = await json(downgraded);
    assert.equal(body.error, "invalid_grant");
    assert.match(String(body.error_description), /code_challenge/);
    assert.equal((await exchange({})).status, 200, "without a verifier the secret is enough");
  });

  test("revoke: own token revoked, unknown token 200, another client's token 403", async () => {
    const ctx = get();
    const app = await registerTestApp(ctx);
    const other = await registerTestApp(ctx);
    const { account } = await newUser(ctx);
    const api = apiCaller(ctx);
    const tok = await json(
      await api("/oauth/token", {
        form: {
          grant_type: "password",
          username: account.username,
          password: PASSWORD,
          client_id: app.client_id,
          client_secret: app.client_secret,
        },
      }),
    );
    const unknown = await api("/oauth/revoke", {
      form: { token: "unknown", client_id: app.client_id, client_secret: app.client_secret },
    });
    assert.equal(unknown.status, 200);
    assert.deepEqual(await unknown.json(), {});
    const foreign = await api("/oauth/revoke", {
      form: {
        token: String(tok.access_token),
        client_id: other.client_id,
        client_secret: other.client_secret,
      },
    });
    assert.equal(foreign.status, 403);
    assert.equal((await api("/api/v1/preferences", { token: tok.access_token as string })).status, 200);
    const own = await api("/oauth/revoke", {
      form: { token: String(tok.access_token), client_id: app.client_id, client_secret: app.client_secret },
    });
    assert.equal(own.status, 200);
    assert.equal((await api("/api/v1/preferences", { token: tok.access_token as string })).status, 401);
  });

  test("authorization server metadata", async () => {
    const ctx = get();
    const res = await apiCaller(ctx)("/.well-known/oauth-authorization-server");
    assert.equal(res.status, 200);
    const meta = await json(res);
    assert.equal(meta.issuer, "https://torgai.test/");
    assert.equal(meta.token_endpoint, "https://torgai.test/oauth/token");
    assert.deepEqual(meta.code_challenge_methods_supported, ["S256"]);
    assert.ok((meta.scopes_supported as string[]).includes("read:statuses"));
  });
});

for (const kind of STORES) {
  test(`password grant is refused outside test mode [${kind}]`, async () => {
    const ctx = await createTestContext(kind, { config: { TORGAI_TEST_MODE: "0" } });
    try {
      const app = await registerTestApp(ctx);
      const { account } = await newUser(ctx);
      const res = await apiCaller(ctx)("/oauth/token", {
        form: {
          grant_type: "password",
          username: account.username,
          password: PASSWORD,
          client_id: app.client_id,
          client_secret: app.client_secret,
        },
      });
      assert.equal(res.status, 400);
      assert.equal((await json(res)).error, "unsupported_grant_type");
      const meta = await json(await apiCaller(ctx)("/.well-known/oauth-authorization-server"));
      assert.ok(!(meta.grant_types_supported as string[]).includes("password"));
    } finally {
      await closeContext(ctx);
    }
  });
}
