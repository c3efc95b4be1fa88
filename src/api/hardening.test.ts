/** Request hardening that every route shares: body size, headers, characters the stores refuse. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, createTestContext, createTestUser, describeStores } from "../../test/helpers/harness.ts";
import { closeContext } from "../app.ts";
import { closeRateLimiter, configureRateLimiter } from "../core/ratelimit.ts";
import { createHttpApp } from "../http.ts";

describeStores("HTTP hardening", (get) => {
  test("bodies over 1 MB are refused with 413 JSON before parsing", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const app = createHttpApp(ctx);
    const big = JSON.stringify({ status: "x".repeat(1_100_000) });
    const announced: Record<string, string>[] = [
      { "content-type": "application/json", "content-length": String(Buffer.byteLength(big)) },
      { "content-type": "application/json" }, // streamed, no length announced
    ];
    for (const headers of announced) {
      const res = await app.request(`${ctx.config.baseUrl}/api/v1/statuses`, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${alice.token}` },
        body: big,
      });
      assert.equal(res.status, 413);
      assert.match(res.headers.get("content-type") ?? "", /json/);
      assert.ok(((await res.json()) as { error: string }).error);
    }
    const form = await app.request(`${ctx.config.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=password&username=${"a".repeat(1_100_000)}`,
    });
    assert.equal(form.status, 413);
    // a normal post still works
    const ok = await alice.api("/api/v1/statuses", { json: { status: "small" } });
    assert.equal(ok.status, 200);
  });

  test("responses carry X-Content-Type-Options: nosniff (JSON, errors, HTML)", async () => {
    const ctx = get();
    const anon = apiCaller(ctx);
    for (const path of [
      "/api/v1/timelines/public",
      "/api/v1/nope",
      "/api/v1/statuses/1",
      "/oauth/authorize",
    ]) {
      const res = await anon(path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    }
  });

  test("NUL characters are a 4xx validation error on every store, never a 500", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const anon = apiCaller(ctx);
    const cases: [string, Promise<Response>][] = [
      ["status", alice.api("/api/v1/statuses", { json: { status: "hi\u0000there" } })],
      ["form", alice.api("/api/v1/lists", { form: { title: "a\u0000b" } })],
      ["query", alice.api("/api/v1/accounts/search?q=ab%00c")],
      ["path", anon("/api/v1/timelines/tag/ab%00c")],
      [
        "profile",
        alice.api("/api/v1/accounts/update_credentials", {
          method: "PATCH",
          json: { display_name: "a\u0000b" },
        }),
      ],
      [
        "app",
        anon("/api/v1/apps", {
          json: { client_name: "a\u0000", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" },
        }),
      ],
      [
        "token",
        anon("/oauth/token", {
          form: { grant_type: "client_credentials", client_id: "a\u0000b", client_secret: "x" },
        }),
      ],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      assert.ok(res.status >= 400 && res.status < 500, `${name}: ${res.status}`);
      assert.match(res.headers.get("content-type") ?? "", /json/, name);
    }
  });
});

for (const kind of ["sqlite", "postgres"] as const) {
  test(`requests with an invalid token are throttled per IP like anonymous ones [${kind}]`, async () => {
    const ctx = await createTestContext(kind, { config: { TORGAI_RATE_LIMIT: "1" } });
    try {
      configureRateLimiter(ctx, { limits: { anonymous: { limit: 3, periodMs: 300_000 } } });
      const api = apiCaller(ctx, "not-a-real-token");
      const first = await api("/api/v1/timelines/home");
      assert.equal(first.status, 401);
      assert.equal(first.headers.get("x-ratelimit-remaining"), "2");
      await api("/api/v1/timelines/home");
      await api("/api/v1/timelines/home");
      const limited = await api("/api/v1/timelines/home");
      assert.equal(limited.status, 429);
      // the budget is the IP's: an anonymous request from it is refused as well
      assert.equal((await apiCaller(ctx)("/api/v1/timelines/public")).status, 429);
    } finally {
      await closeRateLimiter(ctx);
      await closeContext(ctx);
    }
  });
}
