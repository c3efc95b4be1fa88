/**
 * A revoked token, or a deleted user, ends its open streams at once — not at the next heartbeat —
 * in this process and, through Redis, in every other; other processes also stop accepting the token
 * at once instead of when their token cache expires.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pino from "pino";
import {
  createTestUser,
  describeStores,
  PG_URL,
  type TestUser,
  testConfig,
} from "../../../test/helpers/harness.ts";
import { connectWs, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { type AppContext, closeContext, createContext } from "../../app.ts";
import { deleteAccount } from "../../core/accounts/delete.ts";
import { createOauthApp, issueToken } from "../../core/auth/issue.ts";
import { revokeUserTokens } from "../../core/auth/tokens.ts";
import { channels } from "../../core/events.ts";
import { type RunningServer, startServer } from "../../server.ts";
import { dropSchema, openStore } from "../../store/db.ts";
import type { OauthApp } from "../../store/schema.ts";

/** A client app of its own, with a token (and refresh token) for `u`. */
async function clientToken(ctx: AppContext, u: TestUser) {
  const app = await createOauthApp(ctx, {
    name: "client",
    redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
    scopes: ["read", "write"],
  });
  const token = await issueToken(ctx, { appId: app.id, userId: u.user.id, scopes: ["read"] });
  return { app, token };
}

/** Rejects a stream that never ends (a hang guard far above any delivery, not a measurement). */
function endsAtAll<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} stayed open`)), 10_000).unref(),
    ),
  ]);
}

async function openWs(url: string, token: string) {
  const client = await connectWs(wsUrl(url, { access_token: token, stream: "user" }));
  const closed = endsAtAll(
    new Promise<{ code: number; reason: string }>((resolve) =>
      client.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
    "the WebSocket",
  );
  closed.catch(() => client.ws.terminate());
  return { client, closed };
}

/** An SSE user stream; `ended` resolves when the server ends the response. */
async function openSse(url: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/v1/streaming/user`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let text = "";
  const ended = endsAtAll(
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
    })(),
    "the SSE stream",
  );
  ended.catch(() => abort.abort());
  return { ended, stop: () => abort.abort() };
}

function post(url: string, path: string, form: Record<string, string>) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

const revoke = (url: string, app: OauthApp, token: string) =>
  post(url, "/oauth/revoke", { client_id: app.client_id, client_secret: app.client_secret, token });

describeStores("revocation ends streams", (get) => {
  let srv: RunningServer;
  // a heartbeat far beyond the tests: only the revocation itself can end the streams
  before(async () => {
    srv = await startServer(get(), { port: 0, heartbeatMs: 600_000 });
  });
  after(() => srv.close());

  test("/oauth/revoke ends the token's WebSocket and SSE streams; the user's other tokens stream on", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const { app, token } = await clientToken(ctx, u);
    const ws = await openWs(srv.url, token.accessToken);
    const sse = await openSse(srv.url, token.accessToken);
    const other = await openWs(srv.url, u.token);
    await subscribed(ctx, u.account.id, "user");
    assert.equal((await revoke(srv.url, app, token.accessToken)).status, 200);
    assert.deepEqual(await ws.closed, { code: 1008, reason: "access token revoked" });
    await sse.ended;
    ctx.events.publish(channels.user(u.account.id), { event: "delete", id: "1" });
    assert.equal((await other.client.next((m) => m.event === "delete")).payload, "1");
    await other.client.close();
  });

  test("refresh rotation ends the old token's streams; a replayed refresh token ends the new one's", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const { app, token } = await clientToken(ctx, u);
    const old = await openWs(srv.url, token.accessToken);
    const creds = { client_id: app.client_id, client_secret: app.client_secret };
    const res = await post(srv.url, "/oauth/token", {
      ...creds,
      grant_type: "refresh_token",
      refresh_token: token.refreshToken!,
    });
    assert.equal(res.status, 200);
    const rotated = (await res.json()) as { access_token: string };
    assert.equal((await old.closed).code, 1008);

    const current = await openWs(srv.url, rotated.access_token);
    await subscribed(ctx, u.account.id, "user");
    const replay = await post(srv.url, "/oauth/token", {
      ...creds,
      grant_type: "refresh_token",
      refresh_token: token.refreshToken!,
    });
    assert.equal(replay.status, 400);
    await replay.arrayBuffer();
    assert.equal((await current.closed).code, 1008);
  });

  test("revoking a user's tokens, or deleting the account, ends every stream of the user", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const a2 = await clientToken(ctx, a);
    const streams = [await openWs(srv.url, a.token), await openWs(srv.url, a2.token.accessToken)];
    const sse = await openSse(srv.url, a.token);
    await revokeUserTokens(ctx, a.user.id);
    for (const s of streams) assert.equal((await s.closed).code, 1008);
    await sse.ended;

    const b = await createTestUser(ctx);
    const ws = await openWs(srv.url, b.token);
    await subscribed(ctx, b.account.id, "user");
    await deleteAccount(ctx, b.account.id);
    assert.equal((await ws.closed).code, 1008);
  });
});

test("Redis: a token revoked in one process ends its stream in another, which refuses it at once", async () => {
  // two processes sharing one database and one Redis
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const config = testConfig({ REDIS_URL: "redis://127.0.0.1:6379" });
  const open = async (migrate: boolean) =>
    createContext(config, {
      store: await openStore({ url: PG_URL, pgSchema: schema, poolSize: 4 }),
      logger: pino({ level: "silent" }),
      migrate,
    });
  const one = await open(true);
  const two = await open(false);
  const srvOne = await startServer(one, { port: 0, heartbeatMs: 600_000 });
  const srvTwo = await startServer(two, { port: 0, heartbeatMs: 600_000 });
  try {
    const u = await createTestUser(one);
    const { app, token } = await clientToken(one, u);
    const verify = (url: string) =>
      fetch(`${url}/api/v1/accounts/verify_credentials`, {
        headers: { authorization: `Bearer ${token.accessToken}` },
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    // process two has the token in its cache, and a stream open with it
    assert.equal(await verify(srvTwo.url), 200);
    const ws = await openWs(srvTwo.url, token.accessToken);
    const sse = await openSse(srvTwo.url, token.accessToken);
    await subscribed(two, u.account.id, "user");
    await two.events.ready(); // its Redis subscriptions are in place

    assert.equal((await revoke(srvOne.url, app, token.accessToken)).status, 200);
    assert.deepEqual(await ws.closed, { code: 1008, reason: "access token revoked" });
    await sse.ended;
    // the same announcement dropped the token from process two's cache (its TTL is 10 s)
    assert.equal(await verify(srvTwo.url), 401);
    assert.equal(await verify(srvOne.url), 401);
    sse.stop();
  } finally {
    await srvOne.close();
    await srvTwo.close();
    await closeContext(one);
    await closeContext(two);
    await dropSchema(PG_URL, schema);
  }
});
