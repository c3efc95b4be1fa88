/**
 * Every stream needs a read scope, over WebSocket and server-sent events alike, as Mastodon's
 * streaming server checks them; public and hashtag streams included (Mastodon's CVE-2025-62176: a
 * token without any read scope, which the REST timelines refuse, could read them live).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestContext, createTestUser, type TestUser } from "../../../test/helpers/harness.ts";
import { connectWs, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { type AppContext, closeContext } from "../../app.ts";
import { type RunningServer, startServer } from "../../server.ts";

const STREAMS: { name: string; key: (list: string) => string; tag?: string; list?: boolean }[] = [
  { name: "public", key: () => "public" },
  { name: "public:local", key: () => "public:local" },
  { name: "public:remote:media", key: () => "public:remote:media" },
  { name: "hashtag", tag: "Алматы", key: () => "hashtag:алматы" },
  { name: "hashtag:local", tag: "Алматы", key: () => "hashtag:local:алматы" },
  { name: "user", key: () => "user" },
  { name: "user:notification", key: () => "user:notification" },
  { name: "list", list: true, key: (list) => `list:${list}` },
  { name: "direct", key: () => "direct" },
];

/** scope set → the streams it opens */
const GRANTS: [string[], string[]][] = [
  [["read"], STREAMS.map((s) => s.name)],
  [["read:statuses"], STREAMS.map((s) => s.name).filter((n) => n !== "user:notification")],
  [["read:notifications"], ["user:notification"]],
  [["read:lists"], ["list"]],
  [["write", "follow", "push"], []],
  [["read:accounts", "profile"], []],
];

describe("stream scopes", () => {
  let ctx: AppContext;
  let srv: RunningServer;
  const users: { scopes: string[]; opens: string[]; user: TestUser; list: string }[] = [];
  before(async () => {
    ctx = await createTestContext("sqlite");
    srv = await startServer(ctx, { port: 0, heartbeatMs: 60_000 });
    for (const [scopes, opens] of GRANTS) {
      const user = await createTestUser(ctx, { scopes });
      const list = ctx.ids();
      await ctx.db
        .insertInto("lists")
        .values({
          id: list,
          account_id: user.account.id,
          title: "L",
          replies_policy: "list",
          exclusive: 0,
          created_at: new Date().toISOString(),
        })
        .execute();
      users.push({ scopes, opens, user, list });
    }
  });
  after(async () => {
    await srv.close();
    await closeContext(ctx);
  });

  const query = (s: (typeof STREAMS)[number], list: string) => ({
    stream: s.name,
    ...(s.tag ? { tag: s.tag } : {}),
    ...(s.list ? { list } : {}),
  });

  test("WebSocket: a stream opens only with its scope; otherwise a 401 error event", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { scopes, opens, user, list } of users) {
      for (const s of STREAMS) {
        const client = await connectWs(wsUrl(srv.url, { access_token: user.token, ...query(s, list) }));
        const outcome = await Promise.race([
          client.next((m) => !!m.error).then((m) => `refused ${m.status}`),
          subscribed(ctx, user.account.id, s.key(list)).then(() => "open"),
        ]);
        outcomes.push(`${scopes.join(" ")} ${s.name}: ${outcome}`);
        expected.push(`${scopes.join(" ")} ${s.name}: ${opens.includes(s.name) ? "open" : "refused 401"}`);
        await client.close();
      }
    }
    assert.deepEqual(outcomes, expected);
  });

  test("WebSocket: a subscribe message is checked the same way", async () => {
    const writeOnly = users.find((u) => u.opens.length === 0)!;
    const client = await connectWs(wsUrl(srv.url, { access_token: writeOnly.user.token }));
    client.send({ type: "subscribe", stream: "public" });
    const refused = await client.next((m) => !!m.error);
    assert.deepEqual(refused, { error: "Access token does not have the required scopes", status: 401 });
    await client.close();
  });

  test("server-sent events: 200 with the scope, 401 without", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { scopes, opens, user, list } of users) {
      for (const s of STREAMS) {
        const abort = new AbortController();
        const url = new URL("/api/v1/streaming", srv.url);
        for (const [k, v] of Object.entries(query(s, list))) url.searchParams.set(k, v);
        const res = await fetch(url, {
          headers: { authorization: `Bearer ${user.token}` },
          signal: abort.signal,
        });
        outcomes.push(`${scopes.join(" ")} ${s.name}: ${res.status}`);
        expected.push(`${scopes.join(" ")} ${s.name}: ${opens.includes(s.name) ? 200 : 401}`);
        abort.abort();
        await res.body?.cancel().catch(() => {});
      }
    }
    assert.deepEqual(outcomes, expected);
  });
});
