import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { apiCaller, createTestContext, describeStores, STORES } from "../../../test/helpers/harness.ts";
import { registerTestApp } from "../../../test/helpers/oauth.ts";
import { type AppContext, closeContext } from "../../app.ts";

async function appApi(ctx: AppContext) {
  const app = await registerTestApp(ctx, { scopes: "read write follow push" });
  const res = await apiCaller(ctx)("/oauth/token", {
    form: {
      grant_type: "client_credentials",
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "write",
    },
  });
  return apiCaller(ctx, String(((await res.json()) as J).access_token));
}

const malformed = { username: "", email: "", password: "", agreement: false, locale: "hello" };

describeStores("registration errors (Mastodon's details)", (get) => {
  test("every invalid field is reported at once, with Mastodon's codes and descriptions", async () => {
    const api = await appApi(get());
    const res = await api("/api/v1/accounts", { json: malformed });
    assert.equal(res.status, 422);
    const body = (await res.json()) as J;
    // without mail the address is optional, so only the other three are reported
    assert.deepEqual(body.details, {
      username: [{ error: "ERR_BLANK", description: "can't be blank" }],
      password: [{ error: "ERR_BLANK", description: "can't be blank" }],
      agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }],
    });
    assert.equal(
      body.error,
      "Validation failed: Username can't be blank, Password can't be blank, Agreement must be accepted",
    );
    // a request with no fields at all is judged the same way (not a parser error)
    assert.deepEqual(Object.keys(((await json(api("/api/v1/accounts", { json: {} }))) as J).details).sort(), [
      "agreement",
      "password",
      "username",
    ]);

    const bad = (await json(
      api("/api/v1/accounts", {
        json: { username: "no spaces here", email: "not-an-address", password: "short", agreement: true },
      }),
    )) as J;
    assert.deepEqual(bad.details, {
      username: [{ error: "ERR_INVALID", description: "must contain only letters, numbers and underscores" }],
      email: [{ error: "ERR_INVALID", description: "is invalid" }],
      password: [{ error: "ERR_TOO_SHORT", description: "is too short (minimum is 8 characters)" }],
    });
    const long = (await json(
      api("/api/v1/accounts", {
        form: {
          username: "a".repeat(31),
          password: "long enough pw",
          agreement: "true",
          reason: "x".repeat(501),
        },
      }),
    )) as J;
    assert.deepEqual(long.details, {
      username: [{ error: "ERR_TOO_LONG", description: "is too long (maximum is 30 characters)" }],
      reason: [{ error: "ERR_TOO_LONG", description: "is too long (maximum is 500 characters)" }],
    });
    const reserved = (await json(
      api("/api/v1/accounts", { json: { username: "Admin", password: "long enough pw", agreement: true } }),
    )) as J;
    assert.deepEqual(reserved.details, { username: [{ error: "ERR_RESERVED", description: "is reserved" }] });
  });

  test("a taken username or confirmed address is ERR_TAKEN; nothing is half-written by a refusal", async () => {
    const ctx = get();
    const api = await appApi(ctx);
    const ok = await api("/api/v1/accounts", {
      json: { username: "aru", email: "aru@example.kz", password: "long enough pw", agreement: true },
    });
    assert.equal(ok.status, 200);
    const taken = (await json(
      api("/api/v1/accounts", {
        json: { username: "ARU", email: "other@example.kz", password: "long enough pw", agreement: true },
      }),
    )) as J;
    assert.deepEqual(taken.details, {
      username: [{ error: "ERR_TAKEN", description: "has already been taken" }],
    });
    await ctx.db.updateTable("users").set({ confirmed_at: ctx.now().toISOString() }).execute();
    const email = (await json(
      api("/api/v1/accounts", {
        json: { username: "aru2", email: "ARU@example.kz", password: "long enough pw", agreement: true },
      }),
    )) as J;
    assert.deepEqual(email.details, {
      email: [{ error: "ERR_TAKEN", description: "has already been taken" }],
    });
    const users = await ctx.db.selectFrom("accounts").select("username").where("domain", "=", "").execute();
    assert.deepEqual(
      users.map((u) => u.username),
      ["aru"],
    );
  });
});

for (const kind of STORES) {
  test(`with mail configured a blank address is ERR_BLANK and ERR_INVALID, as on Mastodon [${kind}]`, async () => {
    // nothing is sent: the queue does not run in this test
    const ctx = await createTestContext(kind, { config: { TORGAI_SMTP_URL: "smtp://127.0.0.1:9" } });
    try {
      const body = (await json((await appApi(ctx))("/api/v1/accounts", { json: malformed }))) as J;
      assert.deepEqual(body.details, {
        username: [{ error: "ERR_BLANK", description: "can't be blank" }],
        email: [
          { error: "ERR_BLANK", description: "can't be blank" },
          { error: "ERR_INVALID", description: "is invalid" },
        ],
        password: [{ error: "ERR_BLANK", description: "can't be blank" }],
        agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }],
      });
    } finally {
      await closeContext(ctx);
    }
  });
}
