import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { connectWs, payloadOf, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { channels } from "../../core/events.ts";
import { type RunningServer, startServer } from "../../server.ts";

describeStores("streaming WebSocket", (get) => {
  let srv: RunningServer;
  before(async () => {
    srv = await startServer(get(), { port: 0, heartbeatMs: 60_000 });
  });
  after(() => srv.close());

  test("a token is required; bad tokens are refused at the upgrade", async () => {
    await assert.rejects(connectWs(wsUrl(srv.url, { stream: "public" })), { status: 401 });
    await assert.rejects(connectWs(wsUrl(srv.url, { stream: "public", access_token: "nope" })), {
      status: 401,
    });
    await assert.rejects(connectWs(wsUrl(srv.url, {}, "/api/v1/elsewhere")), { status: 404 });
    const health = await fetch(`${srv.url}/api/v1/streaming/health`);
    assert.equal(await health.text(), "OK");
  });

  test("user stream: token in Sec-WebSocket-Protocol; update, delete, notification, filters_changed", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { stream: "user" }), { protocols: [a.token] });
    await subscribed(ctx, a.account.id, "user");
    assert.equal(client.ws.protocol, a.token, "the subprotocol is echoed, as browsers require");
    const s = await insertStatus(ctx, b.account.id, { text: "сәлем" });
    ctx.events.publish(channels.user(a.account.id), { event: "update", id: s.id });
    const upd = await client.next((m) => m.event === "update");
    assert.deepEqual(upd.stream, ["user"]);
    assert.equal(typeof upd.payload, "string");
    const status = payloadOf(upd);
    assert.equal(status.id, s.id);
    assert.equal(status.content, "<p>сәлем</p>");
    assert.deepEqual(status.filtered, []);

    ctx.events.publish(channels.user(a.account.id), { event: "delete", id: s.id });
    assert.equal((await client.next((m) => m.event === "delete")).payload, s.id);

    const nid = ctx.ids();
    await ctx.db
      .insertInto("notifications")
      .values({
        id: nid,
        account_id: a.account.id,
        from_account_id: b.account.id,
        type: "favourite",
        status_id: null,
        created_at: new Date().toISOString(),
      })
      .execute();
    ctx.events.publish(channels.user(a.account.id), { event: "notification", id: nid });
    const note = payloadOf(await client.next((m) => m.event === "notification"));
    assert.equal(note.type, "favourite");
    assert.equal((note.account as { id: string }).id, b.account.id);

    const res = await a.api("/api/v2/filters", {
      json: { title: "f", context: ["home"], keywords_attributes: [{ keyword: "сәлем" }] },
    });
    assert.equal(res.status, 200);
    const fc = await client.next((m) => m.event === "filters_changed");
    assert.equal(fc.payload, undefined);
    // the new filter applies to the next update on this connection
    ctx.events.publish(channels.user(a.account.id), { event: "update", id: s.id });
    const again = await client.next(
      (m) => m.event === "update" && (payloadOf(m).filtered as unknown[]).length > 0,
    );
    const [result] = payloadOf(again).filtered as { filter: { title: string }; keyword_matches: string[] }[];
    assert.equal(result.filter.title, "f");
    assert.deepEqual(result.keyword_matches, ["сәлем"]);
    await client.close();
  });

  test("private statuses never reach readers who may not see them", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { stream: "public", access_token: stranger.token }));
    await subscribed(ctx, stranger.account.id, "public");
    const secret = await insertStatus(ctx, author.account.id, { visibility: "private", text: "secret" });
    const dm = await insertStatus(ctx, author.account.id, { visibility: "direct", text: "dm" });
    const open = await insertStatus(ctx, author.account.id, { text: "open" });
    // even if a publisher put them on a public channel, the per-reader check drops them
    for (const s of [secret, dm, open]) ctx.events.publish(channels.public, { event: "update", id: s.id });
    const got = await client.next((m) => m.event === "update");
    assert.equal(payloadOf(got).id, open.id);
    assert.equal(client.messages.filter((m) => m.event === "update").length, 1);
    // another user's user channel is not this reader's stream
    const other = await connectWs(wsUrl(srv.url, { stream: "user", access_token: stranger.token }));
    await subscribed(ctx, stranger.account.id, "user");
    ctx.events.publish(channels.user(author.account.id), { event: "update", id: open.id });
    ctx.events.publish(channels.user(stranger.account.id), { event: "delete", id: "1" });
    await other.next((m) => m.event === "delete");
    assert.equal(other.messages.filter((m) => m.event === "update").length, 0);
    await client.close();
    await other.close();
  });

  test("hashtag subscriptions get only their tag; unsubscribe stops delivery", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: a.token }));
    client.send({ type: "subscribe", stream: "hashtag", tag: "Қазақ" });
    client.send({ type: "subscribe", stream: "public:local" });
    await subscribed(ctx, a.account.id, "hashtag:қазақ");
    await subscribed(ctx, a.account.id, "public:local");
    const tagged = await insertStatus(ctx, a.account.id, { text: "#Қазақ" });
    const untagged = await insertStatus(ctx, a.account.id, { text: "#other" });
    ctx.events.publish(channels.hashtag("other"), { event: "update", id: untagged.id });
    ctx.events.publish(channels.hashtag("қазақ"), { event: "update", id: tagged.id });
    const m = await client.next((x) => x.event === "update");
    assert.deepEqual(m.stream, ["hashtag", "Қазақ"]);
    assert.equal(payloadOf(m).id, tagged.id);

    client.send({ type: "unsubscribe", stream: "hashtag", tag: "қазақ" });
    await subscribed(ctx, a.account.id, "hashtag:қазақ", false);
    ctx.events.publish(channels.hashtag("қазақ"), { event: "update", id: tagged.id });
    ctx.events.publish(channels.publicLocal, { event: "update", id: untagged.id });
    const marker = await client.next((x) => x.event === "update" && x.stream?.[0] === "public:local");
    assert.equal(payloadOf(marker).id, untagged.id);
    assert.equal(client.messages.filter((x) => x.stream?.[0] === "hashtag").length, 1);

    client.send({ type: "subscribe", stream: "hashtag" });
    assert.equal((await client.next((x) => !!x.error)).status, 400);
    await client.close();
  });

  test("list streams only for the list's owner; scopes are enforced", async () => {
    const ctx = get();
    const owner = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const listId = ctx.ids();
    await ctx.db
      .insertInto("lists")
      .values({
        id: listId,
        account_id: owner.account.id,
        title: "L",
        replies_policy: "list",
        exclusive: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
    const intruder = await connectWs(
      wsUrl(srv.url, { access_token: other.token, stream: "list", list: listId }),
    );
    assert.equal((await intruder.next((m) => !!m.error)).status, 401);
    const mine = await connectWs(wsUrl(srv.url, { access_token: owner.token, stream: "list", list: listId }));
    await subscribed(ctx, owner.account.id, `list:${listId}`);
    const s = await insertStatus(ctx, other.account.id);
    ctx.events.publish(channels.list(listId), { event: "update", id: s.id });
    assert.deepEqual((await mine.next((m) => m.event === "update")).stream, ["list", listId]);
    assert.equal(intruder.messages.filter((m) => m.event).length, 0);

    // every stream needs a read scope (scopes.test.ts has the whole table)
    const writeOnly = await createTestUser(ctx, { scopes: ["write"] });
    const w = await connectWs(wsUrl(srv.url, { access_token: writeOnly.token, stream: "user" }));
    const first = await w.next((m) => !!m.error);
    assert.equal(first.status, 401);
    w.send({ type: "subscribe", stream: "public" });
    assert.equal((await w.next((m) => !!m.error && m !== first)).status, 401);
    ctx.events.publish(channels.public, { event: "update", id: s.id });
    ctx.events.publish(channels.list(listId), { event: "delete", id: s.id });
    await mine.next((m) => m.event === "delete");
    assert.equal(w.messages.filter((m) => m.event).length, 0);
    await Promise.all([intruder.close(), mine.close(), w.close()]);
  });

  test("muted and blocked accounts are skipped on public streams", async () => {
    const ctx = get();
    const viewer = await createTestUser(ctx);
    const muted = await createTestUser(ctx);
    const blocked = await createTestUser(ctx);
    const fine = await createTestUser(ctx);
    const now = new Date().toISOString();
    await ctx.db
      .insertInto("mutes")
      .values({
        id: ctx.ids(),
        account_id: viewer.account.id,
        target_account_id: muted.account.id,
        hide_notifications: 1,
        expires_at: null,
        created_at: now,
      })
      .execute();
    await ctx.db
      .insertInto("blocks")
      .values({
        id: ctx.ids(),
        account_id: blocked.account.id,
        target_account_id: viewer.account.id,
        uri: null,
        created_at: now,
      })
      .execute();
    const client = await connectWs(wsUrl(srv.url, { access_token: viewer.token, stream: "public" }));
    await subscribed(ctx, viewer.account.id, "public");
    for (const u of [muted, blocked, fine]) {
      const s = await insertStatus(ctx, u.account.id);
      ctx.events.publish(channels.public, { event: "update", id: s.id });
    }
    const got = await client.next((m) => m.event === "update");
    assert.equal((payloadOf(got).account as { id: string }).id, fine.account.id);
    assert.equal(client.messages.filter((m) => m.event === "update").length, 1);
    await client.close();
  });

  test("public:remote keeps remote statuses; invalid messages get an error", async () => {
    const ctx = get();
    const viewer = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: viewer.token, stream: "public:remote" }));
    await subscribed(ctx, viewer.account.id, "public:remote");
    const local = await insertStatus(ctx, viewer.account.id);
    const remote = await insertStatus(ctx, viewer.account.id, { local: 0 });
    ctx.events.publish(channels.public, { event: "update", id: local.id });
    ctx.events.publish(channels.public, { event: "update", id: remote.id });
    assert.equal(payloadOf(await client.next((m) => m.event === "update")).id, remote.id);
    assert.equal(client.messages.filter((m) => m.event === "update").length, 1);
    client.ws.send("not json");
    assert.equal((await client.next((m) => !!m.error)).status, 400);
    client.send({ type: "subscribe", stream: "nonsense" });
    assert.equal((await client.next((m) => m.error === "Unknown stream type")).status, 400);
    await client.close();
  });
});

test("closing the server closes open sockets", async () => {
  const { createTestContext } = await import("../../../test/helpers/harness.ts");
  const { closeContext } = await import("../../app.ts");
  const ctx = await createTestContext("sqlite");
  try {
    const srv = await startServer(ctx, { port: 0 });
    const u = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: u.token, stream: "user" }));
    const closed = new Promise<number>((r) => client.ws.once("close", (code) => r(code)));
    await srv.close();
    assert.equal(await closed, 1001);
  } finally {
    await closeContext(ctx);
  }
});

test("a revoked token stops its stream at the next heartbeat", async () => {
  const { createTestContext } = await import("../../../test/helpers/harness.ts");
  const { closeContext } = await import("../../app.ts");
  const ctx = await createTestContext("sqlite");
  const srv = await startServer(ctx, { port: 0, heartbeatMs: 50 });
  try {
    const u = await createTestUser(ctx);
    const client = await connectWs(wsUrl(srv.url, { access_token: u.token, stream: "user" }));
    const closed = new Promise<number>((r) => client.ws.once("close", (code) => r(code)));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(client.ws.readyState, client.ws.OPEN, "pongs keep a live connection open");
    await ctx.db.updateTable("oauth_tokens").set({ revoked_at: new Date().toISOString() }).execute();
    assert.equal(await closed, 1008);
  } finally {
    await srv.close();
    await closeContext(ctx);
  }
});
