import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, describeStores } from "../../../test/helpers/harness.ts";
import { createHttpApp } from "../../http.ts";

type Json = Record<string, unknown>;

describeStores("POST /api/v1/apps", (get) => {
  test("registers an app and returns Mastodon's Application entity", async () => {
    const api = apiCaller(get());
    const res = await api("/api/v1/apps", {
      form: {
        client_name: "Tusky",
        redirect_uris: "https://a.example/cb\nurn:ietf:wg:oauth:2.0:oob",
        scopes: "read write:statuses push",
        website: "https://tusky.app",
      },
    });
    assert.equal(res.status, 200);
    const app = (await res.json()) as Json;
    assert.equal(app.name, "Tusky");
    assert.equal(app.website, "https://tusky.app");
    assert.deepEqual(app.scopes, ["read", "write:statuses", "push"]);
    assert.deepEqual(app.redirect_uris, ["https://a.example/cb", "urn:ietf:wg:oauth:2.0:oob"]);
    assert.equal(app.redirect_uri, "https://a.example/cb\nurn:ietf:wg:oauth:2.0:oob");
    assert.equal(typeof app.client_id, "string");
    assert.equal(typeof app.client_secret, "string");
    assert.match(String(app.id), /^\d+$/);
  });

  test("accepts JSON arrays and form brackets for redirect_uris; scopes default to read", async () => {
    const api = apiCaller(get());
    const j = (await (
      await api("/api/v1/apps", {
        json: { client_name: "x", redirect_uris: ["app.example:/cb", "https://b.example/"] },
      })
    ).json()) as Json;
    assert.deepEqual(j.redirect_uris, ["app.example:/cb", "https://b.example/"]);
    assert.deepEqual(j.scopes, ["read"]);
    const body =
      "client_name=y&redirect_uris%5B%5D=https%3A%2F%2Fc.example%2F1&redirect_uris%5B%5D=https%3A%2F%2Fc.example%2F2";
    const raw = await createHttpApp(get()).request("https://torgai.test/api/v1/apps", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    assert.equal(raw.status, 200);
    assert.deepEqual(((await raw.json()) as Json).redirect_uris, [
      "https://c.example/1",
      "https://c.example/2",
    ]);
  });

  test("rejects unknown scopes, relative or javascript: redirect URIs, missing names with 422", async () => {
    const api = apiCaller(get());
    const cases: Json[] = [
      { client_name: "x", redirect_uris: "https://a.example/", scopes: "read bogus" },
      { client_name: "x", redirect_uris: "/relative" },
      { client_name: "x", redirect_uris: "javascript:alert(1)" },
      { client_name: "x", redirect_uris: "https://a.example/#frag" },
      { redirect_uris: "https://a.example/" },
      { client_name: "x" },
    ];
    for (const body of cases) {
      const res = await api("/api/v1/apps", { json: body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(typeof ((await res.json()) as Json).error, "string");
    }
  });

  test("apps/verify_credentials needs a token", async () => {
    const res = await apiCaller(get())("/api/v1/apps/verify_credentials");
    assert.equal(res.status, 401);
    const bad = await apiCaller(get(), "not-a-token")("/api/v1/apps/verify_credentials");
    assert.equal(bad.status, 401);
  });
});
