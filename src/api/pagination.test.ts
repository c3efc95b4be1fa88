/**
 * Absolute URLs the server writes (Link headers, discovery documents, instance metadata) point at
 * its configured address, whatever Host or X-Forwarded-* the request claimed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { postStatus } from "../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores } from "../../test/helpers/harness.ts";

function links(res: Response): string[] {
  const header = res.headers.get("link") ?? "";
  return [...header.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
}

describeStores("pagination Link header", (get) => {
  test("is built on the configured base URL, not the request's Host or X-Forwarded-Proto", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    await postStatus(ctx, alice, "one");
    await postStatus(ctx, alice, "two");
    const anon = apiCaller(ctx);
    const path = "/api/v1/timelines/public?limit=1&local=true";

    const honest = links(await anon(path));
    assert.equal(honest.length, 2);
    for (const l of honest) assert.ok(l.startsWith(`${ctx.config.baseUrl}/api/v1/timelines/public?`), l);

    const spoofed = [
      anon(`http://evil.example${path}`, { headers: { "x-forwarded-proto": "http" } }),
      anon(`https://evil.example:8443${path}`),
      anon(path, { headers: { "x-forwarded-proto": "http", "x-forwarded-host": "evil.example" } }),
      alice.api(`http://evil.example/api/v1/accounts/${alice.account.id}/statuses?limit=1`),
    ];
    for (const res of await Promise.all(spoofed)) {
      assert.equal(res.status, 200);
      const got = links(res);
      assert.equal(got.length, 2);
      for (const l of got) {
        const u = new URL(l);
        assert.equal(u.origin, new URL(ctx.config.baseUrl).origin, l);
        assert.ok(u.searchParams.has("max_id") || u.searchParams.has("min_id"), l);
        assert.equal(u.searchParams.get("limit"), "1");
      }
    }
  });

  test("discovery and instance documents never echo the request's host", async () => {
    const ctx = get();
    const anon = apiCaller(ctx);
    for (const path of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/nodeinfo",
      "/api/v1/instance",
      "/api/v2/instance",
    ]) {
      const res = await anon(`http://evil.example${path}`, {
        headers: { "x-forwarded-proto": "http", "x-forwarded-host": "evil.example" },
      });
      assert.equal(res.status, 200, path);
      const body = await res.text();
      assert.doesNotMatch(body, /evil\.example/, path);
      assert.match(body, new RegExp(ctx.config.domain.replace(/\./g, "\\.")), path);
    }
  });
});
