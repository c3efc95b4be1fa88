/** The Node server's connection handling: keep-alive, slow requests, long-lived streams. */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { insertStatus } from "../test/helpers/fixtures.ts";
import { createTestContext, createTestUser } from "../test/helpers/harness.ts";
import { connectWs, subscribed, wsUrl } from "../test/helpers/streaming.ts";
import { type AppContext, closeContext } from "./app.ts";
import { channels } from "./core/events.ts";
import { type RunningServer, startServer } from "./server.ts";

/** A raw TCP connection that collects what the server sends and notes when it closes. */
function rawSocket(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      received += d;
    });
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // a reset shows as `closed` and a missing answer
      resolve({ socket, text: () => received, closed });
    });
  });
}

/** Resolves with `text()` once it satisfies `pred`, or rejects after `ms` (a hang, not a measurement). */
async function until(text: () => string, pred: (t: string) => boolean, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  while (!pred(text())) {
    if (Date.now() > deadline) throw new Error(`never arrived; got ${JSON.stringify(text())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return text();
}

const guard = (p: Promise<void>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(what)), ms).unref())]);

describe("server connections", () => {
  let ctx: AppContext;
  let srv: RunningServer;
  before(async () => {
    ctx = await createTestContext("sqlite");
    srv = await startServer(ctx, { port: 0, requestTimeoutMs: 300 });
  });
  after(async () => {
    await srv.close();
    await closeContext(ctx);
  });

  test("a request body that stops arriving is answered 408 and its socket closed", async () => {
    const u = await createTestUser(ctx);
    const c = await rawSocket(srv.port);
    c.socket.write(
      `POST /api/v1/statuses HTTP/1.1\r\nHost: torgai.test\r\nAuthorization: Bearer ${u.token}\r\n` +
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" +
        '{"status":"',
    );
    await guard(c.closed, 5000, "the server kept waiting for the body");
    const [head, body] = c.text().split("\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 408 /);
    assert.deepEqual(JSON.parse(body), { error: "Request timeout" });
    assert.equal(await ctx.db.selectFrom("statuses").select("id").executeTakeFirst(), undefined);
  });

  test("headers that never finish are cut too", async () => {
    const c = await rawSocket(srv.port);
    c.socket.write("GET /api/v1/instance HTTP/1.1\r\nHost: torgai.test\r\nX-Slow: ");
    await guard(c.closed, 5000, "the server kept waiting for the headers");
    assert.match(c.text(), /^HTTP\/1\.1 408 /);
  });

  test("streams outlive the request timeout: server-sent events and WebSockets stay open", async () => {
    const u = await createTestUser(ctx);
    const sse = await rawSocket(srv.port);
    sse.socket.write(
      `GET /api/v1/streaming/user?access_token=${u.token} HTTP/1.1\r\nHost: torgai.test\r\n\r\n`,
    );
    await until(sse.text, (t) => t.includes(":)"));
    const ws = await connectWs(wsUrl(srv.url, { access_token: u.token, stream: "public:local" }));
    await subscribed(ctx, u.account.id, "public:local");
    // well past the 300 ms request timeout
    await new Promise((r) => setTimeout(r, 1000));
    const s = await insertStatus(ctx, u.account.id);
    ctx.events.publish(channels.user(u.account.id), { event: "update", id: s.id });
    ctx.events.publish(channels.publicLocal, { event: "update", id: s.id });
    await until(sse.text, (t) => t.includes("event: update"));
    assert.equal(typeof (await ws.next((m) => m.event === "update")).payload, "string");
    sse.socket.destroy();
    await ws.close();
  });
});

test("an idle keep-alive connection is still usable after 6 s (Node's default closes it at 5 s)", async () => {
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0 });
  try {
    const c = await rawSocket(srv.port);
    const get = "GET /api/v1/instance HTTP/1.1\r\nHost: torgai.test\r\n\r\n";
    c.socket.write(get);
    const first = await until(c.text, (t) => /\r\n\r\n\{.*\}$/s.test(t));
    assert.match(first, /^HTTP\/1\.1 200 /);
    assert.match(first, /keep-alive: timeout=20/i);
    await new Promise((r) => setTimeout(r, 6000));
    c.socket.write(get);
    const both = await until(c.text, (t) => t.split("HTTP/1.1 200").length === 3);
    assert.equal(both.split("HTTP/1.1 200").length, 3, "the second request was answered on the same socket");
    c.socket.destroy();
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});
