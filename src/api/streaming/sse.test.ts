import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestContext, createTestUser } from "../../../test/helpers/harness.ts";
import { connectWs, payloadOf, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { closeContext } from "../../app.ts";
import { channels, type StreamEvent } from "../../core/events.ts";
import { startServer } from "../../server.ts";

/** Reads an event-stream body until `pred` holds for the text so far. */
async function readUntil(
  res: Response,
  pred: (text: string) => boolean,
  abort: AbortController,
  timeoutMs = 3000,
): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!pred(text)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(text)}`);
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    abort.abort(); // drops the connection, as a client that goes away does
    await reader.cancel().catch(() => {});
  }
  return text;
}

test("server-sent events: auth, hashtag stream, reader leaving", async () => {
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0 });
  try {
    const u = await createTestUser(ctx);
    const refused = async (path: string, headers: Record<string, string> = {}) => {
      const r = await fetch(`${srv.url}${path}`, { headers });
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    assert.deepEqual(await refused("/api/v1/streaming/public"), [401, "Missing access token"]);
    const auth = { authorization: `Bearer ${u.token}` };
    assert.deepEqual(await refused("/api/v1/streaming/hashtag", auth), [400, "Missing tag name parameter"]);
    assert.deepEqual(await refused(`/api/v1/streaming/nowhere?access_token=${u.token}`), [
      400,
      "Unknown stream type",
    ]);
    const abort = new AbortController();
    const res = await fetch(`${srv.url}/api/v1/streaming/hashtag?tag=Алматы`, {
      headers: { authorization: `Bearer ${u.token}` },
      signal: abort.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    await subscribed(ctx, u.account.id, "hashtag:алматы");
    const s = await insertStatus(ctx, u.account.id, { text: "#Алматы" });
    ctx.events.publish(channels.hashtag("алматы"), { event: "update", id: s.id });
    const text = await readUntil(res, (t) => t.includes("\n\n") && t.includes("event: update"), abort);
    assert.ok(text.startsWith(":)"));
    const data = /event: update\ndata: (.*)\n/.exec(text)?.[1];
    assert.equal(JSON.parse(data ?? "{}").id, s.id);
    // the reader went away: its session is gone
    await subscribed(ctx, u.account.id, "hashtag:алматы", false);
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});

test("SSE user stream via access_token query; server close ends the stream", async () => {
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0 });
  try {
    const u = await createTestUser(ctx);
    const abort = new AbortController();
    const res = await fetch(`${srv.url}/api/v1/streaming/user?access_token=${u.token}`, {
      signal: abort.signal,
    });
    assert.equal(res.status, 200);
    await subscribed(ctx, u.account.id, "user");
    ctx.events.publish(channels.user(u.account.id), { event: "delete", id: "42" });
    const reading = readUntil(res, (t) => t.includes("data: 42\n"), abort);
    assert.match(await reading, /event: delete\ndata: 42\n/);
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});

test("direct stream delivers conversations to their participant only", async () => {
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0 });
  try {
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: a.token, stream: "direct" }));
    const spy = await connectWs(wsUrl(srv.url, { access_token: b.token, stream: "direct" }));
    await subscribed(ctx, a.account.id, "direct");
    await subscribed(ctx, b.account.id, "direct");
    const dm = await insertStatus(ctx, b.account.id, { visibility: "direct", text: "@a hi" });
    await ctx.db
      .insertInto("mentions")
      .values({ id: ctx.ids(), status_id: dm.id, account_id: a.account.id, silent: 0 })
      .execute();
    const convId = ctx.ids();
    await ctx.db
      .insertInto("conversations")
      .values({ id: convId, uri: null, created_at: dm.created_at })
      .execute();
    const rowId = ctx.ids();
    await ctx.db
      .insertInto("account_conversations")
      .values({
        id: rowId,
        account_id: a.account.id,
        conversation_id: convId,
        participant_ids: JSON.stringify([b.account.id]),
        last_status_id: dm.id,
        unread: 1,
        updated_at: dm.created_at,
      })
      .execute();
    ctx.events.publish(channels.direct(a.account.id), { event: "conversation", id: rowId });
    // a row id of A's published on B's channel must not reveal A's conversation
    ctx.events.publish(channels.direct(b.account.id), { event: "conversation", id: rowId });
    const conv = payloadOf(await client.next((m) => m.event === "conversation"));
    assert.equal(conv.id, rowId);
    assert.equal(conv.unread, true);
    assert.equal((conv.last_status as { id: string }).id, dm.id);
    assert.equal((conv.accounts as { id: string }[])[0].id, b.account.id);
    ctx.events.publish(channels.direct(b.account.id), { event: "update", id: dm.id }); // not a direct-stream event
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(spy.messages.length, 0);
    await Promise.all([client.close(), spy.close()]);
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});

test("Redis: an event published in one process reaches a stream served by another", async () => {
  const redis = { REDIS_URL: "redis://127.0.0.1:6379" };
  const web = await createTestContext("sqlite", { config: redis });
  const worker = await createTestContext("sqlite", { config: redis });
  const srv = await startServer(web, { port: 0 });
  try {
    // bus level
    const channel = `user:${randomBytes(6).toString("hex")}`;
    const got = new Promise<StreamEvent>((resolve) => web.events.subscribe(channel, resolve));
    await new Promise((r) => setTimeout(r, 100)); // SUBSCRIBE reaches Redis
    worker.events.publish(channel, { event: "delete", id: "7" });
    assert.deepEqual(await got, { event: "delete", id: "7" });

    // through the WebSocket of the web process
    const u = await createTestUser(web);
    const client = await connectWs(wsUrl(srv.url, { access_token: u.token, stream: "user" }));
    await subscribed(web, u.account.id, "user");
    await new Promise((r) => setTimeout(r, 100));
    worker.events.publish(channels.user(u.account.id), { event: "delete", id: "99" });
    assert.equal((await client.next((m) => m.event === "delete")).payload, "99");
    await client.close();
  } finally {
    await srv.close();
    await closeContext(web);
    await closeContext(worker);
  }
});
