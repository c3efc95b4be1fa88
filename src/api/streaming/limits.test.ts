/** Abuse limits of the streaming WebSocket: throttled upgrades, a cap on subscriptions per socket. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestContext, createTestUser } from "../../../test/helpers/harness.ts";
import { connectWs, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { closeContext } from "../../app.ts";
import { closeRateLimiter, configureRateLimiter } from "../../core/ratelimit.ts";
import { startServer } from "../../server.ts";
import { MAX_SUBSCRIPTIONS, sessionsOf } from "./session.ts";

test("upgrades with a bad or missing token spend the IP's anonymous budget, then get 429", async () => {
  const ctx = await createTestContext("sqlite", { config: { TORGAI_RATE_LIMIT: "1" } });
  const srv = await startServer(ctx, { port: 0 });
  try {
    configureRateLimiter(ctx, { limits: { anonymous: { limit: 3, periodMs: 300_000 } } });
    const u = await createTestUser(ctx);
    const ip = { "x-forwarded-for": "203.0.113.20" }; // the test connects through a trusted loopback proxy
    const guess = (token: string) =>
      connectWs(wsUrl(srv.url, { stream: "user", access_token: token }), { headers: ip });
    await assert.rejects(guess("guess-1"), { status: 401 });
    await assert.rejects(guess("guess-2"), { status: 401 });
    await assert.rejects(connectWs(wsUrl(srv.url, { stream: "user" }), { headers: ip }), { status: 401 });
    const limited = await guess("guess-3").then(
      () => assert.fail("upgraded"),
      (err: { status: number; headers: Record<string, string> }) => err,
    );
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers["retry-after"]) >= 1);
    assert.equal(limited.headers["x-ratelimit-limit"], "3");
    // the budget is the IP's, shared with the REST API
    const rest = await fetch(`${srv.url}/api/v1/timelines/public`, { headers: ip });
    assert.equal(rest.status, 429);
    await rest.arrayBuffer();
    // another IP is not affected; a valid token counts against its account, not the IP
    await assert.rejects(
      connectWs(wsUrl(srv.url, { stream: "user", access_token: "guess-4" }), {
        headers: { "x-forwarded-for": "203.0.113.21" },
      }),
      { status: 401 },
    );
    const ok = await connectWs(wsUrl(srv.url, { stream: "user", access_token: u.token }), { headers: ip });
    await subscribed(ctx, u.account.id, "user");
    await ok.close();
  } finally {
    await srv.close();
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test("valid upgrades count against the account's API budget", async () => {
  const ctx = await createTestContext("sqlite", { config: { TORGAI_RATE_LIMIT: "1" } });
  const srv = await startServer(ctx, { port: 0 });
  try {
    configureRateLimiter(ctx, { limits: { authenticated: { limit: 2, periodMs: 300_000 } } });
    const u = await createTestUser(ctx);
    const open = () => connectWs(wsUrl(srv.url, { stream: "user", access_token: u.token }));
    const clients = [await open(), await open()];
    await assert.rejects(open(), { status: 429 });
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await srv.close();
    await closeRateLimiter(ctx);
    await closeContext(ctx);
  }
});

test(`a socket holds at most ${MAX_SUBSCRIPTIONS} subscriptions; more get an error event`, async () => {
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0, heartbeatMs: 60_000 });
  try {
    const u = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: u.token }));
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      client.send({ type: "subscribe", stream: "hashtag", tag: `t${i}` });
    await subscribed(ctx, u.account.id, `hashtag:t${MAX_SUBSCRIPTIONS - 1}`);
    client.send({ type: "subscribe", stream: "hashtag", tag: "one-too-many" });
    const refused = await client.next((m) => !!m.error);
    assert.deepEqual(refused, {
      error: `Too many subscriptions (at most ${MAX_SUBSCRIPTIONS} per connection)`,
      status: 400,
    });
    const [session] = [...sessionsOf(ctx)].filter((s) => s.viewer.account.id === u.account.id);
    assert.equal(session.streams.length, MAX_SUBSCRIPTIONS);
    assert.ok(!session.streams.includes("hashtag:one-too-many"));
    // room is made by unsubscribing
    client.send({ type: "unsubscribe", stream: "hashtag", tag: "t0" });
    client.send({ type: "subscribe", stream: "hashtag", tag: "one-too-many" });
    await subscribed(ctx, u.account.id, "hashtag:one-too-many");
    assert.equal(client.messages.filter((m) => m.error).length, 1);
    await client.close();
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});
