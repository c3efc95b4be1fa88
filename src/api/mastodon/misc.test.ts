import assert from "node:assert/strict";
import { test } from "node:test";
import { json } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("features answered as Mastodon answers when there is nothing", (get) => {
  test("annual reports: none, never eligible, generating does nothing", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    assert.deepEqual(await json(u.api("/api/v1/annual_reports")), {
      annual_reports: [],
      accounts: [],
      statuses: [],
    });
    assert.deepEqual(await json(u.api("/api/v1/annual_reports/2026/state")), { state: "ineligible" });
    const gen = await u.api("/api/v1/annual_reports/2026/generate", { method: "POST" });
    assert.equal(gen.status, 200);
    assert.deepEqual(await json(u.api("/api/v1/annual_reports/2026/state")), { state: "ineligible" });
    assert.equal((await u.api("/api/v1/annual_reports/2026")).status, 404);
    assert.equal((await u.api("/api/v1/annual_reports/2026/read", { method: "POST" })).status, 404);
    assert.equal((await u.api("/api/v1/annual_reports/2026/state", { token: null })).status, 401);
    const reader = await createTestUser(ctx, { scopes: ["read"] });
    assert.equal((await reader.api("/api/v1/annual_reports/2026/generate", { method: "POST" })).status, 403);
  });
});
