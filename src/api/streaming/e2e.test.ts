import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { connectWs, payloadOf, subscribed, wsUrl } from "../../../test/helpers/streaming.ts";
import { type RunningServer, startServer } from "../../server.ts";

describeStores("streaming through the real API", (get) => {
  let srv: RunningServer;
  before(async () => {
    srv = await startServer(get(), { port: 0 });
  });
  after(() => srv.close());

  test("posts reach followers' user streams and tag streams; private ones only followers; deletes follow", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    assert.equal(
      (await follower.api(`/api/v1/accounts/${author.account.id}/follow`, { method: "POST" })).status,
      200,
    );

    const home = await connectWs(wsUrl(srv.url, { access_token: follower.token, stream: "user" }));
    const tag = await connectWs(
      wsUrl(srv.url, { access_token: stranger.token, stream: "hashtag", tag: "Тест" }),
    );
    const pub = await connectWs(wsUrl(srv.url, { access_token: stranger.token, stream: "public:local" }));
    await subscribed(ctx, follower.account.id, "user");
    await subscribed(ctx, stranger.account.id, "hashtag:тест");
    await subscribed(ctx, stranger.account.id, "public:local");

    const post = async (status: string, visibility: string) => {
      const res = await author.api("/api/v1/statuses", { json: { status, visibility } });
      assert.equal(res.status, 200, await res.clone().text());
      await ctx.queue.drain();
      return (await res.json()) as { id: string };
    };
    const secret = await post("тек оқырмандарға #Тест", "private");
    const open = await post("бәріне сәлем #Тест", "public");

    const homeUpdates = async (n: number) => {
      await home.next(() => home.messages.filter((m) => m.event === "update").length >= n);
      return home.messages.filter((m) => m.event === "update").map((m) => payloadOf(m).id);
    };
    assert.deepEqual(await homeUpdates(2), [secret.id, open.id]);
    const tagged = await tag.next((m) => m.event === "update");
    assert.equal(payloadOf(tagged).id, open.id);
    assert.deepEqual(tagged.stream, ["hashtag", "Тест"]);
    assert.equal(payloadOf(await pub.next((m) => m.event === "update")).id, open.id);
    for (const c of [tag, pub]) {
      assert.ok(
        !c.messages.some((m) => m.payload?.includes(secret.id)),
        "the private post never reaches a stranger",
      );
    }

    assert.equal((await author.api(`/api/v1/statuses/${open.id}`, { method: "DELETE" })).status, 200);
    await ctx.queue.drain();
    assert.equal((await home.next((m) => m.event === "delete")).payload, open.id);
    await Promise.all([home.close(), tag.close(), pub.close()]);
  });
});
