/** A server-sent-events stream must end once its token is revoked, as the WebSocket does. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { resolveAccessToken } from "../../core/auth/tokens.ts";
import type { HonoEnv } from "../context.ts";
import { streamingRoutes } from "../mastodon/streaming.ts";

describeStores("SSE and revoked tokens", (get) => {
  test("an SSE stream ends at the next keep-alive after its token is revoked", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    // the streaming routes behind the same token resolution as the app, with a short keep-alive
    const app = new Hono<HonoEnv>();
    app.use("*", async (c, next) => {
      c.set("app", ctx);
      c.set("grant", await resolveAccessToken(ctx, u.token));
      await next();
    });
    app.route("/", streamingRoutes(ctx, { keepAliveMs: 30 }));
    const res = await app.request(`${ctx.config.baseUrl}/api/v1/streaming/user`, {
      headers: { authorization: `Bearer ${u.token}` },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(first.done, false);

    await ctx.db
      .updateTable("oauth_tokens")
      .set({ revoked_at: ctx.now().toISOString() })
      .where("user_id", "=", u.user.id)
      .execute();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref());
    const done = await Promise.race([ended, timeout]);
    await reader.cancel().catch(() => {});
    assert.equal(done, true, "the stream stayed open with a revoked token");
  });
});
