import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { deleteAccount } from "../accounts/delete.ts";
import { refreshTokenGrant, revokeToken } from "./grants.ts";
import { createOauthApp, issueToken } from "./issue.ts";
import {
  cachedTokenCount,
  resolveAccessToken,
  revokeGrantFamily,
  revokeUserTokens,
  sha256,
  tokenCacheOptions,
} from "./tokens.ts";

describeStores("access token cache", (get) => {
  test("a cached token is used without its row until the TTL; fresh reads the row", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    assert.ok(await resolveAccessToken(ctx, u.token));
    // a change nobody announced (as from another process) is seen after the TTL or with `fresh`
    await ctx.db
      .updateTable("oauth_tokens")
      .set({ revoked_at: ctx.now().toISOString() })
      .where("token_hash", "=", sha256(u.token))
      .execute();
    assert.ok(await resolveAccessToken(ctx, u.token), "served from the cache within the TTL");
    assert.equal(await resolveAccessToken(ctx, u.token, { fresh: true }), null);
    assert.equal(await resolveAccessToken(ctx, u.token), null, "the revoked token is not cached again");
  });

  test("the TTL bounds how long an unannounced revocation goes unseen", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const saved = tokenCacheOptions.ttlMs;
    tokenCacheOptions.ttlMs = 30;
    try {
      assert.ok(await resolveAccessToken(ctx, u.token));
      await ctx.db
        .updateTable("oauth_tokens")
        .set({ revoked_at: ctx.now().toISOString() })
        .where("token_hash", "=", sha256(u.token))
        .execute();
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(await resolveAccessToken(ctx, u.token), null);
    } finally {
      tokenCacheOptions.ttlMs = saved;
    }
  });

  test("revocation through the API (logout) applies at once", async () => {
    const ctx = get();
    const app = await createOauthApp(ctx, {
      name: "c",
      redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
      scopes: ["read"],
    });
    const u = await createTestUser(ctx);
    const t = await issueToken(ctx, { appId: app.id, userId: u.user.id, scopes: ["read"] });
    assert.ok(await resolveAccessToken(ctx, t.accessToken));
    await revokeToken(ctx, { app, token: t.accessToken });
    assert.equal(await resolveAccessToken(ctx, t.accessToken), null);
  });

  test("refresh rotation, family and per-user revocation apply at once", async () => {
    const ctx = get();
    const app = await createOauthApp(ctx, {
      name: "c",
      redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
      scopes: ["read"],
    });
    const u = await createTestUser(ctx);
    const first = await issueToken(ctx, { appId: app.id, userId: u.user.id, scopes: ["read"] });
    assert.ok(await resolveAccessToken(ctx, first.accessToken));
    const second = await refreshTokenGrant(ctx, {
      app,
      clientAuthenticated: true,
      refreshToken: first.refreshToken ?? undefined,
    });
    assert.equal(await resolveAccessToken(ctx, first.accessToken), null, "rotated away");
    assert.ok(await resolveAccessToken(ctx, second.accessToken));
    await revokeGrantFamily(ctx, first.id);
    assert.equal(await resolveAccessToken(ctx, second.accessToken), null, "family revoked");

    assert.ok(await resolveAccessToken(ctx, u.token));
    await revokeUserTokens(ctx, u.user.id);
    assert.equal(await resolveAccessToken(ctx, u.token), null, "all of the user's tokens revoked");
  });

  test("disabled users and deleted accounts are refused at once, token cached or not", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    assert.ok(await resolveAccessToken(ctx, a.token));
    assert.ok(await resolveAccessToken(ctx, b.token));
    await ctx.db.updateTable("users").set({ disabled: 1 }).where("id", "=", a.user.id).execute();
    assert.equal(await resolveAccessToken(ctx, a.token), null);
    await deleteAccount(ctx, b.account.id);
    assert.equal(await resolveAccessToken(ctx, b.token), null);
  });

  test("the grant carries the current account, not a cached copy", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    assert.equal((await resolveAccessToken(ctx, u.token))?.account?.display_name, u.account.display_name);
    await ctx.db
      .updateTable("accounts")
      .set({ display_name: "Жаңа есім" })
      .where("id", "=", u.account.id)
      .execute();
    assert.equal((await resolveAccessToken(ctx, u.token))?.account?.display_name, "Жаңа есім");
  });

  test("the cache holds at most `max` tokens", async () => {
    const ctx = get();
    const saved = tokenCacheOptions.max;
    tokenCacheOptions.max = 3;
    try {
      const users = await Promise.all([1, 2, 3, 4, 5].map(() => createTestUser(ctx)));
      for (const u of users) assert.ok(await resolveAccessToken(ctx, u.token));
      assert.ok(cachedTokenCount(ctx) <= 3);
      // evicted tokens still resolve (from the database)
      assert.ok(await resolveAccessToken(ctx, users[0].token));
    } finally {
      tokenCacheOptions.max = saved;
    }
  });
});
