import assert from "node:assert/strict";
import { test } from "node:test";
import { postStatus } from "../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores } from "../../test/helpers/harness.ts";

const AP = { accept: "application/activity+json" };

describeStores("federation documents", (get) => {
  test("WebFinger finds a local account, case-insensitively, and only ours", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx, { username: "Alice_wf" });
    const api = apiCaller(ctx);
    const res = await api(`/.well-known/webfinger?resource=acct:alice_wf@${ctx.config.domain}`);
    assert.equal(res.status, 200);
    const jrd = await res.json();
    assert.equal(jrd.subject.toLowerCase(), `acct:alice_wf@${ctx.config.domain}`);
    const self = jrd.links.find((l: { rel: string }) => l.rel === "self");
    assert.equal(self.href, ctx.uris.actor(alice.account.username));
    assert.equal(self.type, "application/activity+json");
    assert.equal((await api(`/.well-known/webfinger?resource=acct:nobody@${ctx.config.domain}`)).status, 404);
    assert.equal((await api("/.well-known/webfinger?resource=acct:alice_wf@elsewhere.example")).status, 404);
  });

  test("the actor document carries both keys, the collections and the shared inbox", async () => {
    const ctx = get();
    const bob = await createTestUser(ctx, { username: "bob_actor", locked: true });
    const api = apiCaller(ctx);
    const res = await api(`/users/${bob.account.username}`, { headers: AP });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /activity\+json|ld\+json/);
    const actor = await res.json();
    assert.equal(actor.type, "Person");
    assert.equal(actor.id, ctx.uris.actor("bob_actor"));
    assert.equal(actor.preferredUsername, "bob_actor");
    assert.equal(actor.inbox, ctx.uris.inbox("bob_actor"));
    assert.equal(actor.followers, ctx.uris.followers("bob_actor"));
    assert.equal(actor.endpoints.sharedInbox, ctx.uris.sharedInbox());
    assert.equal(actor.manuallyApprovesFollowers, true);
    assert.match(actor.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
    assert.equal(actor.publicKey.owner, actor.id);
    const methods = [actor.assertionMethod].flat();
    assert.ok(methods.some((m: { publicKeyMultibase?: string }) => m.publicKeyMultibase?.startsWith("z6Mk")));
    // the private keys never appear
    assert.doesNotMatch(JSON.stringify(actor), /PRIVATE KEY/);
  });

  test("a browser asking for an actor or a post id is sent to its page", async () => {
    const ctx = get();
    const carol = await createTestUser(ctx, { username: "carol_html" });
    const api = apiCaller(ctx);
    const res = await api("/users/carol_html", { headers: { accept: "text/html" } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), ctx.uris.profile("carol_html"));
    const st = await postStatus(ctx, carol, "сәлем", { visibility: "public" });
    const page = await api(`/users/carol_html/statuses/${st.id}`, { headers: { accept: "text/html" } });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("location"), ctx.uris.post("carol_html", st.id));
  });

  test("public notes are served to anyone; followers-only and direct ones are not", async () => {
    const ctx = get();
    const dan = await createTestUser(ctx, { username: "dan_notes" });
    const api = apiCaller(ctx);
    const pub = await postStatus(ctx, dan, "Сәлем, #әлем!", { visibility: "public", language: "kk" });
    const res = await api(`/users/dan_notes/statuses/${pub.id}`, { headers: AP });
    assert.equal(res.status, 200);
    const note = await res.json();
    assert.equal(note.type, "Note");
    assert.equal(note.id, pub.uri);
    assert.equal(note.attributedTo, ctx.uris.actor("dan_notes"));
    // JSON-LD's compact form of the Public collection (Mastodon, Misskey and GoToSocial read both)
    const to = [note.to].flat();
    assert.equal(to.length, 1);
    assert.ok(["as:Public", "https://www.w3.org/ns/activitystreams#Public"].includes(to[0]), to[0]);
    assert.ok([note.cc].flat().includes(ctx.uris.followers("dan_notes")));
    assert.ok(note.contentMap?.kk, "contentMap in the post's language");
    assert.ok(
      [note.tag]
        .flat()
        .some((t: { type: string; name: string }) => t.type === "Hashtag" && t.name === "#әлем"),
    );
    for (const visibility of ["private", "direct"]) {
      const hidden = await postStatus(ctx, dan, `hidden ${visibility}`, { visibility });
      const r = await api(`/users/dan_notes/statuses/${hidden.id}`, { headers: AP });
      assert.ok(r.status === 401 || r.status === 403 || r.status === 404, `${visibility}: ${r.status}`);
      assert.doesNotMatch(await r.text(), /hidden/);
    }
    // someone else's username in the path does not serve the note
    await createTestUser(ctx, { username: "eve_notes" });
    assert.equal((await api(`/users/eve_notes/statuses/${pub.id}`, { headers: AP })).status, 404);
  });

  test("host-meta and NodeInfo point at what is served", async () => {
    const ctx = get();
    const api = apiCaller(ctx);
    const hm = await api("/.well-known/host-meta");
    assert.equal(hm.status, 200);
    assert.match(
      await hm.text(),
      new RegExp(`template="${ctx.uris.webfinger().replace(/[.?]/g, "\\$&")}\\?resource=\\{uri\\}"`),
    );
    const ni = await (await api("/nodeinfo/2.1")).json();
    assert.equal(ni.metadata.upstream.name, "mastodon");
    assert.deepEqual(ni.protocols, ["activitypub"]);
  });
});
