/**
 * The inbox against an independent ActivityPub server (a minimal Fedify app of the test's own):
 * what a well-behaved peer does works, and what a forger tries has no effect. Each check fails if
 * its protection is removed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signRequest } from "@fedify/fedify";
import { Create, Delete, Follow, Mention, Note, PUBLIC_COLLECTION, Tombstone } from "@fedify/fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { blockDomain, unblockDomain } from "../../src/core/fediverse/instances.ts";
import { eventually, type Instance, startInstance } from "../helpers/federation.ts";
import { type Peer, startPeer } from "../helpers/fedify-peer.ts";
import { STORES } from "../helpers/harness.ts";

async function countRows(instance: Instance, table: "statuses" | "accounts" | "notifications") {
  const row = await instance.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function noteJson(peer: Peer, id: string, to: string, text: string) {
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${peer.origin}/activities/${id}`,
    type: "Create",
    actor: peer.actorUri("mallory"),
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    object: {
      id: `${peer.origin}/notes/${id}`,
      type: "Note",
      attributedTo: peer.actorUri("mallory"),
      content: `<p>${text}</p>`,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: [to],
      published: new Date().toISOString(),
    },
  };
}

for (const kind of STORES) {
  describe(`inbox security against an independent peer [${kind}]`, () => {
    let t: Instance;
    let peer: Peer;
    before(async () => {
      t = await startInstance(kind);
      peer = await startPeer(["peer", "mallory"]);
    });
    after(async () => {
      await t?.stop();
      await peer?.stop();
    });

    test("a peer's Follow is accepted and its Accept reaches the peer", async () => {
      const zara = await t.user({ username: "zara" });
      await peer.send(
        "peer",
        { id: new URL(t.ctx.uris.actor("zara")), inboxId: new URL(t.ctx.uris.inbox("zara")) },
        new Follow({
          id: new URL(`${peer.origin}/follows/1`),
          actor: new URL(peer.actorUri("peer")),
          object: new URL(t.ctx.uris.actor("zara")),
        }),
      );
      await eventually(
        async () => (await zara.masto.v1.accounts.$select(zara.account.id).fetch()).followersCount === 1,
        15_000,
        "follower counted",
      );
      const accept = await eventually(
        async () => peer.received.find((r) => r.activity.type === "Accept"),
        15_000,
        "Accept delivered to the peer",
      );
      assert.equal(accept.activity.actor, t.ctx.uris.actor("zara"));
    });

    test("an unsigned activity is refused and changes nothing", async () => {
      await t.user({ username: "yuri" });
      const before = await countRows(t, "statuses");
      const body = JSON.stringify(noteJson(peer, "unsigned", t.ctx.uris.actor("yuri"), "unsigned"));
      const res = await fetch(t.ctx.uris.sharedInbox(), {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body,
      });
      assert.equal(res.status, 401);
      await t.ctx.queue.drain();
      assert.equal(await countRows(t, "statuses"), before);
    });

    test("a request signed by one actor for an activity of another is refused", async () => {
      await t.user({ username: "xena" });
      const before = await countRows(t, "statuses");
      // signed with peer's key, but the activity claims to be mallory's
      const body = JSON.stringify(noteJson(peer, "forged", t.ctx.uris.actor("xena"), "forged"));
      const pair = await peer.keyPair("peer");
      const signed = await signRequest(
        new Request(t.ctx.uris.sharedInbox(), {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body,
        }),
        pair.privateKey,
        new URL(`${peer.actorUri("peer")}#main-key`),
      );
      const res = await fetch(signed);
      assert.ok(res.status === 401 || res.status === 403, String(res.status));
      await t.ctx.queue.drain();
      assert.equal(await countRows(t, "statuses"), before);
    });

    test("a stale signature is refused", async () => {
      const before = await countRows(t, "statuses");
      const body = JSON.stringify(noteJson(peer, "stale", t.ctx.uris.actor("xena"), "stale"));
      const pair = await peer.keyPair("mallory");
      const signed = await signRequest(
        new Request(t.ctx.uris.sharedInbox(), {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body,
        }),
        pair.privateKey,
        new URL(`${peer.actorUri("mallory")}#main-key`),
        { currentTime: Temporal.Now.instant().subtract({ hours: 3 }) },
      );
      const res = await fetch(signed);
      assert.equal(res.status, 401);
      await t.ctx.queue.drain();
      assert.equal(await countRows(t, "statuses"), before);
    });

    test("a mention arrives once even when delivered twice at once", async () => {
      const wren = await t.user({ username: "wren" });
      const create = new Create({
        id: new URL(`${peer.origin}/activities/twice`),
        actor: new URL(peer.actorUri("mallory")),
        to: PUBLIC_COLLECTION,
        object: new Note({
          id: new URL(`${peer.origin}/notes/twice`),
          attribution: new URL(peer.actorUri("mallory")),
          content: `<p>@wren сәлем</p>`,
          to: PUBLIC_COLLECTION,
          cc: new URL(t.ctx.uris.actor("wren")),
          tags: [new Mention({ href: new URL(t.ctx.uris.actor("wren")), name: `@wren@${t.domain}` })],
          published: Temporal.Now.instant(),
        }),
      });
      const to = { id: new URL(t.ctx.uris.actor("wren")), inboxId: new URL(t.ctx.uris.inbox("wren")) };
      await Promise.all([peer.send("mallory", to, create), peer.send("mallory", to, create)]);
      const notes = await eventually(
        async () => {
          const n = await wren.masto.v1.notifications.list({ types: ["mention"] });
          return n.length ? n : null;
        },
        15_000,
        "mention notification",
      );
      await t.ctx.queue.drain();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await wren.masto.v1.notifications.list({ types: ["mention"] })).length, 1);
      assert.equal(notes[0].account.acct, `mallory@${peer.domain}`);
      const rows = await t.ctx.db
        .selectFrom("statuses")
        .select("id")
        .where("uri", "=", `${peer.origin}/notes/twice`)
        .execute();
      assert.equal(rows.length, 1);
    });

    test("an actor cannot create a post on another origin nor delete another's post", async () => {
      const vic = await t.user({ username: "vic" });
      const own = await vic.masto.v1.statuses.create({ status: "менің жазбам", visibility: "public" });
      const before = await countRows(t, "statuses");
      const to = { id: new URL(t.ctx.uris.actor("vic")), inboxId: new URL(t.ctx.uris.inbox("vic")) };
      // a Note claiming an id on Torgai's origin, embedded in mallory's Create
      await peer.send(
        "mallory",
        to,
        new Create({
          id: new URL(`${peer.origin}/activities/spoof`),
          actor: new URL(peer.actorUri("mallory")),
          to: PUBLIC_COLLECTION,
          object: new Note({
            id: new URL(`${t.url}/users/vic/statuses/1`),
            attribution: new URL(peer.actorUri("mallory")),
            content: "<p>spoofed</p>",
            to: PUBLIC_COLLECTION,
          }),
        }),
      );
      // a Delete of vic's post by mallory
      await peer.send(
        "mallory",
        to,
        new Delete({
          id: new URL(`${peer.origin}/activities/del`),
          actor: new URL(peer.actorUri("mallory")),
          object: new Tombstone({ id: new URL(own.uri) }),
        }),
      );
      await t.ctx.queue.drain();
      await new Promise((r) => setTimeout(r, 500));
      await t.ctx.queue.drain();
      assert.equal(await countRows(t, "statuses"), before);
      assert.equal((await vic.masto.v1.statuses.$select(own.id).fetch()).content.includes("менің"), true);
    });

    test("a suspended server is refused before its signature is checked and gets no deliveries", async () => {
      const uma = await t.user({ username: "uma" });
      // the peer follows uma (accepted), then its domain is suspended
      await peer.send(
        "peer",
        { id: new URL(t.ctx.uris.actor("uma")), inboxId: new URL(t.ctx.uris.inbox("uma")) },
        new Follow({
          id: new URL(`${peer.origin}/follows/uma`),
          actor: new URL(peer.actorUri("peer")),
          object: new URL(t.ctx.uris.actor("uma")),
        }),
      );
      await eventually(
        async () => (await uma.masto.v1.accounts.$select(uma.account.id).fetch()).followersCount === 1,
        15_000,
        "peer follows uma",
      );
      await blockDomain(t.ctx, { domain: peer.domain, severity: "suspend" });
      try {
        const before = await countRows(t, "statuses");
        const body = JSON.stringify(noteJson(peer, "blocked", t.ctx.uris.actor("uma"), "blocked"));
        const pair = await peer.keyPair("mallory");
        const signed = await signRequest(
          new Request(t.ctx.uris.sharedInbox(), {
            method: "POST",
            headers: { "content-type": "application/activity+json" },
            body,
          }),
          pair.privateKey,
          new URL(`${peer.actorUri("mallory")}#main-key`),
        );
        const res = await fetch(signed);
        assert.equal(res.status, 403);
        await t.ctx.queue.drain();
        assert.equal(await countRows(t, "statuses"), before);
        // the follow ended with the suspension, and nothing is delivered to the peer
        assert.equal((await uma.masto.v1.accounts.$select(uma.account.id).fetch()).followersCount, 0);
        const deliveredBefore = peer.received.length;
        await uma.masto.v1.statuses.create({ status: "ешкімге жетпейді", visibility: "public" });
        await t.ctx.queue.drain();
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(peer.received.length, deliveredBefore);
        const found = await uma.masto.v2.search.list({
          q: `@peer@${peer.domain}`,
          resolve: true,
          type: "accounts",
        });
        assert.equal(found.accounts.length, 0, "a suspended server's accounts are not resolved");
      } finally {
        await unblockDomain(t.ctx, peer.domain);
      }
    });
  });
}
