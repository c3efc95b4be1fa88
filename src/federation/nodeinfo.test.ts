import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, createTestUser, describeStores } from "../../test/helpers/harness.ts";

describeStores("discovery documents", (get) => {
  test("NodeInfo: every advertised document is served, with its profile", async () => {
    const api = apiCaller(get());
    const wk = await (await api("/.well-known/nodeinfo")).json();
    assert.deepEqual(
      wk.links.map((l: { href: string }) => l.href),
      ["https://torgai.test/nodeinfo/2.0", "https://torgai.test/nodeinfo/2.1"],
    );
    for (const link of wk.links as { href: string; rel: string }[]) {
      const res = await api(link.href);
      assert.equal(res.status, 200, link.href);
      const version = link.rel.split("/").pop() ?? "";
      assert.ok((res.headers.get("content-type") ?? "").includes(`schema/${version}#`));
      const ni = await res.json();
      assert.equal(ni.version, version);
      assert.equal(ni.software.name, "torgai");
      assert.deepEqual(ni.protocols, ["activitypub"]);
      assert.equal(ni.openRegistrations, true);
      assert.equal(typeof ni.usage.users.total, "number");
    }
  });

  test("host-meta advertises WebFinger only when WebFinger answers for a real account", async () => {
    const ctx = get();
    const user = await createTestUser(ctx);
    const api = apiCaller(ctx);
    const hostMeta = await api("/.well-known/host-meta");
    if (hostMeta.status === 404) return; // nothing advertised
    const template = /template="([^"]+)"/.exec(await hostMeta.text())?.[1];
    assert.ok(template, "host-meta carries an lrdd template");
    const resource = encodeURIComponent(`acct:${user.account.username}@${ctx.config.domain}`);
    const res = await api(template.replace("{uri}", resource));
    assert.equal(res.status, 200, "the advertised WebFinger endpoint resolves a local account");
  });
});
