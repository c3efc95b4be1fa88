import assert from "node:assert/strict";
import { test } from "node:test";
import { json, postStatus } from "../../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("GET /api/v2/search by URL", (get) => {
  test("finds a status by its URL or ActivityPub id, an account by its URL; nothing else", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const anon = apiCaller(ctx, null);
    const s = await postStatus(ctx, u, "Сәлем, әлем");
    const hidden = await postStatus(ctx, u, "тек жазылушыларға", { visibility: "private" });
    const q = (v: string) => `/api/v2/search?q=${encodeURIComponent(v)}`;

    const byUrl = await json(anon(q(s.url)));
    assert.deepEqual(
      byUrl.statuses.map((x: { id: string }) => x.id),
      [s.id],
    );
    const byUri = await json(anon(q(s.uri)));
    assert.deepEqual(
      byUri.statuses.map((x: { id: string }) => x.id),
      [s.id],
    );
    const account = await json(anon(q(u.account.url)));
    assert.deepEqual(
      account.accounts.map((a: { id: string }) => a.id),
      [u.account.id],
    );
    assert.deepEqual(account.statuses, []);

    // a status the reader may not see is not found; nor is a URL nothing has
    assert.deepEqual((await json(anon(q(hidden.url)))).statuses, []);
    assert.deepEqual((await json(u.api(q(hidden.url)))).statuses.length, 1);
    const miss = await json(anon(q(`${ctx.config.baseUrl}/@nobody/404`)));
    assert.deepEqual(miss, { accounts: [], statuses: [], hashtags: [] });
  });
});
