import assert from "node:assert/strict";
import { test } from "node:test";
import {
  apiCaller,
  createTestContext,
  createTestUser,
  describeStores,
  STORES,
} from "../../../test/helpers/harness.ts";
import { registerTestApp } from "../../../test/helpers/oauth.ts";
import { type AppContext, closeContext } from "../../app.ts";
import { approveUser, findLocalUserByUsername } from "../../core/accounts/admin.ts";

type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;

async function appToken(ctx: AppContext): Promise<string> {
  const app = await registerTestApp(ctx, { scopes: "read write follow push" });
  const res = await apiCaller(ctx)("/oauth/token", {
    form: {
      grant_type: "client_credentials",
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "write",
    },
  });
  return String((await json(res)).access_token);
}

let n = 0;
const signup = (over: Json = {}) => {
  const username = `new${++n}_${Date.now() % 100000}`;
  return {
    username,
    email: `${username}@example.test`,
    password: "long enough pw",
    agreement: true,
    locale: "ru",
    ...over,
  };
};

describeStores("registration and profile API", (get) => {
  test("POST /api/v1/accounts registers with an app token and returns a usable Token", async () => {
    const ctx = get();
    const api = apiCaller(ctx, await appToken(ctx));
    const body = signup();
    const res = await api("/api/v1/accounts", { json: body });
    assert.equal(res.status, 200);
    const tok = await json(res);
    assert.equal(tok.token_type, "Bearer");
    assert.equal(tok.scope, "read write follow push");
    assert.equal(typeof tok.created_at, "number");
    const me = await api("/api/v1/accounts/verify_credentials", { token: String(tok.access_token) });
    assert.equal(me.status, 200);
    const account = await json(me);
    assert.equal(account.username, body.username);
    assert.equal(account.acct, body.username);
    const dup = await api("/api/v1/accounts", {
      json: { ...signup(), username: body.username.toUpperCase() },
    });
    assert.equal(dup.status, 422);
    const err = await json(dup);
    assert.match(String(err.error), /taken/);
    assert.deepEqual((err.details as Json).username, [
      { error: "ERR_TAKEN", description: "has already been taken" },
    ]);
  });

  test("registration validation: agreement, short password, bad username, user tokens without scope", async () => {
    const ctx = get();
    const api = apiCaller(ctx, await appToken(ctx));
    const noAgreement = await api("/api/v1/accounts", { json: signup({ agreement: false }) });
    assert.equal(noAgreement.status, 422);
    assert.equal(
      ((((await json(noAgreement)).details as Json).agreement as Json[])[0] as Json).error,
      "ERR_ACCEPTED",
    );
    assert.equal((await api("/api/v1/accounts", { json: signup({ password: "short" }) })).status, 422);
    assert.equal((await api("/api/v1/accounts", { json: signup({ username: "no spaces" }) })).status, 422);
    assert.equal((await api("/api/v1/accounts", { json: { agreement: true } })).status, 422);
    assert.equal((await apiCaller(ctx)("/api/v1/accounts", { json: signup() })).status, 401);
    const reader = await createTestUser(ctx, { scopes: ["read"] });
    assert.equal((await reader.api("/api/v1/accounts", { json: signup() })).status, 403);
  });

  test("verify_credentials returns a CredentialAccount; update_credentials edits the profile", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const me = await json(await u.api("/api/v1/accounts/verify_credentials"));
    assert.deepEqual(me.source, {
      note: "",
      fields: [],
      privacy: "public",
      sensitive: false,
      language: null,
      follow_requests_count: 0,
      hide_collections: false,
      discoverable: true,
      indexable: true,
      attribution_domains: [],
    });
    assert.deepEqual(me.role, { id: "-99", name: "", permissions: "65536", color: "", highlighted: false });

    const res = await u.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      form: {
        display_name: "Әлия <b>",
        note: "Сәлем <script>x</script>\nhttps://example.kz/a\n\nекінші",
        locked: "true",
        bot: "0",
        "fields_attributes[0][name]": "Сайт",
        "fields_attributes[0][value]": "https://aliya.kz",
        "fields_attributes[1][name]": "",
        "fields_attributes[1][value]": "",
        "source[privacy]": "unlisted",
        "source[language]": "kk",
      },
    });
    assert.equal(res.status, 200);
    const updated = await json(res);
    assert.equal(updated.display_name, "Әлия <b>");
    assert.equal(
      updated.note,
      '<p>Сәлем &lt;script&gt;x&lt;/script&gt;<br /><a href="https://example.kz/a" target="_blank" rel="nofollow noopener noreferrer" translate="no">example.kz/a</a></p><p>екінші</p>',
    );
    assert.equal(updated.locked, true);
    assert.equal((updated.fields as Json[]).length, 1);
    assert.match(String((updated.fields as Json[])[0].value), /^<a href="https:\/\/aliya\.kz"/);
    const source = updated.source as Json;
    assert.equal(source.note, "Сәлем <script>x</script>\nhttps://example.kz/a\n\nекінші");
    assert.deepEqual(source.fields, [{ name: "Сайт", value: "https://aliya.kz", verified_at: null }]);
    assert.equal(source.privacy, "unlisted");
    assert.equal(source.language, "kk");
    const prefs = await json(await u.api("/api/v1/preferences"));
    assert.equal(prefs["posting:default:visibility"], "unlisted");
    assert.equal(prefs["posting:default:language"], "kk");

    const viaJson = await u.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      json: {
        fields_attributes: [
          { name: "a", value: "1" },
          { name: "b", value: "2" },
        ],
        discoverable: false,
      },
    });
    const j = await json(viaJson);
    assert.deepEqual(
      (j.fields as Json[]).map((f) => f.name),
      ["a", "b"],
    );
    assert.equal(j.discoverable, false);

    // a JSON hash keyed by index, in index order (Rails' nested attributes), as some apps send
    const viaHash = await json(
      await u.api("/api/v1/accounts/update_credentials", {
        method: "PATCH",
        json: {
          fields_attributes: { "1": { name: "second", value: "2" }, "0": { name: "first", value: "1" } },
        },
      }),
    );
    assert.deepEqual(
      (viaHash.fields as Json[]).map((f) => [f.name, f.value]),
      [
        ["first", "1"],
        ["second", "2"],
      ],
    );
    // a scalar where the fields belong (masto.js sends "undefined" for an unset field in a form) is
    // dropped, as Rails' strong parameters drop it: the fields stay
    const scalar = await u.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      form: { fields_attributes: "undefined", display_name: "Scalar" },
    });
    assert.equal(scalar.status, 200);
    const kept = await json(scalar);
    assert.equal(kept.display_name, "Scalar");
    assert.equal((kept.fields as Json[]).length, 2);
  });

  test("update_credentials limits are 422; a read-only token gets 403", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const patch = (body: Json) =>
      u.api("/api/v1/accounts/update_credentials", { method: "PATCH", json: body });
    assert.equal((await patch({ display_name: "x".repeat(31) })).status, 422);
    assert.equal((await patch({ note: "x".repeat(501) })).status, 422);
    const five = Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, value: "v" }));
    assert.equal((await patch({ fields_attributes: five })).status, 422);
    assert.equal((await patch({ source: { privacy: "secret" } })).status, 422);
    assert.equal((await patch({ display_name: "x".repeat(30), avatar: "ignored" })).status, 200);
    const reader = await createTestUser(ctx, { scopes: ["read"] });
    const denied = await reader.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      json: { note: "x" },
    });
    assert.equal(denied.status, 403);
  });

  test("GET /api/v1/accounts/:id, lookup and search", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const anon = apiCaller(ctx);
    const byId = await anon(`/api/v1/accounts/${u.account.id}`);
    assert.equal(byId.status, 200);
    assert.equal((await json(byId)).username, u.account.username);
    assert.equal((await anon("/api/v1/accounts/123456789012345678")).status, 404);
    const looked = await anon(`/api/v1/accounts/lookup?acct=${u.account.username.toUpperCase()}@torgai.test`);
    assert.equal((await json(looked)).id, u.account.id);
    assert.equal((await anon("/api/v1/accounts/lookup?acct=nobody_here")).status, 404);
    assert.equal((await anon("/api/v1/accounts/lookup")).status, 422);
    const prefix = u.account.username.slice(0, 6);
    const found = (await (await u.api(`/api/v1/accounts/search?q=${prefix}&limit=5`)).json()) as Json[];
    assert.ok(found.some((a) => a.id === u.account.id));
    assert.equal((await anon(`/api/v1/accounts/search?q=${prefix}`)).status, 401);
    assert.equal((await u.api("/api/v1/accounts/search")).status, 422);
    await ctx.db
      .updateTable("accounts")
      .set({ suspended_at: new Date().toISOString() })
      .where("id", "=", u.account.id)
      .execute();
    assert.equal((await anon(`/api/v1/accounts/${u.account.id}`)).status, 404);
  });

  test("an invalid bearer token is 401 everywhere", async () => {
    const api = apiCaller(get(), "bogus");
    for (const path of [
      "/api/v1/accounts/verify_credentials",
      "/api/v1/preferences",
      "/api/v1/accounts/lookup?acct=x",
    ]) {
      assert.equal((await api(path)).status, 401, path);
    }
  });
});

for (const kind of STORES) {
  test(`registration modes: closed refuses, approval holds the token until approved [${kind}]`, async () => {
    const closed = await createTestContext(kind, { config: { TORGAI_REGISTRATIONS: "closed" } });
    try {
      const res = await apiCaller(closed, await appToken(closed))("/api/v1/accounts", { json: signup() });
      assert.equal(res.status, 403);
    } finally {
      await closeContext(closed);
    }
    const ctx = await createTestContext(kind, { config: { TORGAI_REGISTRATIONS: "approval" } });
    try {
      const body = signup({ reason: "Мен қазақ тілінде жазамын" });
      const tok = await json(await apiCaller(ctx, await appToken(ctx))("/api/v1/accounts", { json: body }));
      const api = apiCaller(ctx, String(tok.access_token));
      assert.equal((await api("/api/v1/accounts/verify_credentials")).status, 401);
      const { user } = await findLocalUserByUsername(ctx, body.username);
      assert.equal(user.approved, 0);
      assert.equal(user.registration_reason, "Мен қазақ тілінде жазамын");
      assert.equal(user.locale, "ru");
      await approveUser(ctx, user.id);
      assert.equal((await api("/api/v1/accounts/verify_credentials")).status, 200);
    } finally {
      await closeContext(ctx);
    }
  });
}
