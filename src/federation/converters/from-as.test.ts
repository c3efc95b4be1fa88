import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generateCryptoKeyPair } from "@fedify/fedify/sig";
import { CryptographicKey, Multikey, Person, Service } from "@fedify/fedify/vocab";
import { fixtureContextLoader, loadApFixture, type Software } from "../../../test/helpers/activitypub.ts";
import type { RemoteActor, RemoteNote } from "../../core/remote/types.ts";
import { isActorObject, isPostObject, noteVisibility, toRemoteActor, toRemoteNote } from "./from-as.ts";

const LOCAL = "https://torgai.test/users/aigerim";
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

async function actorFixture(software: Software): Promise<RemoteActor> {
  const fx = await loadApFixture(software, "actor");
  assert.ok(isActorObject(fx.object), `${software} actor parses as an actor`);
  const r = await toRemoteActor(fx.object, { origin: fx.origin, contextLoader: fixtureContextLoader });
  assert.ok(r.ok, r.ok ? "" : r.message);
  return r.value;
}

async function noteFixture(software: Software, name: string): Promise<RemoteNote> {
  const fx = await loadApFixture(software, name);
  assert.ok(isPostObject(fx.object), `${software}/${name} parses as a post`);
  const r = await toRemoteNote(fx.object, {
    origin: fx.origin,
    contextLoader: fixtureContextLoader,
    raw: fx.objectJson,
  });
  assert.ok(r.ok, r.ok ? "" : r.message);
  return r.value;
}

describe("actors from each server", () => {
  test("Mastodon: profile, fields, emojis, keys, collections, aliases; the bio is sanitised", async () => {
    const a = await actorFixture("mastodon");
    assert.equal(a.uri, "https://mastodon.example/users/nurlan");
    assert.equal(a.url, "https://mastodon.example/@nurlan");
    assert.equal(a.username, "nurlan");
    assert.equal(a.domain, "mastodon.example");
    assert.equal(a.type, "Person");
    assert.equal(a.displayName, "Нұрлан :kz_flag:");
    assert.doesNotMatch(a.note, /script/);
    assert.match(a.note, /^<p>Алматыдан <a href="https:\/\/mastodon.example\/tags\/qazaq"/);
    assert.deepEqual(
      a.fields.map((f) => f.name),
      ["Website", "Тілдер"],
    );
    assert.match(
      a.fields[0]?.value ?? "",
      /href="https:\/\/nurlan.example\/" rel="nofollow noopener noreferrer"/,
    );
    assert.deepEqual(a.emojis, [
      {
        shortcode: "kz_flag",
        url: "https://files.mastodon.example/custom_emojis/images/000/000/001/original/kz.png",
      },
    ]);
    assert.equal(a.avatarUrl, "https://files.mastodon.example/accounts/avatars/000/000/001/original/a.png");
    assert.equal(a.headerUrl, "https://files.mastodon.example/accounts/headers/000/000/001/original/h.jpg");
    assert.equal(a.locked, false);
    assert.equal(a.bot, false);
    assert.equal(a.discoverable, true);
    assert.equal(a.indexable, true);
    assert.equal(a.inbox, "https://mastodon.example/users/nurlan/inbox");
    assert.equal(a.sharedInbox, "https://mastodon.example/inbox");
    assert.equal(a.outbox, "https://mastodon.example/users/nurlan/outbox");
    assert.equal(a.followers, "https://mastodon.example/users/nurlan/followers");
    assert.equal(a.following, "https://mastodon.example/users/nurlan/following");
    assert.equal(a.featured, "https://mastodon.example/users/nurlan/collections/featured");
    assert.equal(a.featuredTags, "https://mastodon.example/users/nurlan/collections/tags");
    assert.equal(a.publicKeyId, "https://mastodon.example/users/nurlan#main-key");
    assert.match(
      a.publicKeyPem ?? "",
      /^-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw0P/,
    );
    assert.deepEqual(a.alsoKnownAs, ["https://old.example/users/nurlan"]);
    assert.equal(a.published, "2022-11-05T00:00:00.000Z");
  });

  test("Misskey: locked, emojis in the name, a shared inbox; undeclared flags are false", async () => {
    const a = await actorFixture("misskey");
    assert.equal(a.username, "ayan");
    assert.equal(a.url, "https://misskey.example/@ayan");
    assert.equal(a.locked, true);
    assert.equal(a.indexable, false);
    assert.equal(a.sharedInbox, "https://misskey.example/inbox");
    assert.deepEqual(
      a.emojis.map((e) => e.shortcode),
      ["neko"],
    );
    assert.deepEqual(a.fields, [
      {
        name: "GitHub",
        value:
          '<a href="https://github.example/ayan" rel="nofollow noopener noreferrer" target="_blank">https://github.example/ayan</a>',
      },
    ]);
    assert.ok(a.publicKeyPem);
  });

  test("GoToSocial: locked, not discoverable, fields in order, featured collection, alsoKnownAs", async () => {
    const a = await actorFixture("gotosocial");
    assert.equal(a.username, "1happyturtle");
    assert.equal(a.displayName, "happy little turtle :3");
    assert.equal(a.locked, true);
    assert.equal(a.discoverable, false);
    assert.equal(a.sharedInbox, null);
    assert.deepEqual(a.fields, [
      { name: "should you follow me?", value: "maybe!" },
      { name: "age", value: "120" },
    ]);
    assert.equal(a.featured, "https://gts.example/users/1happyturtle/collections/featured");
    assert.deepEqual(a.alsoKnownAs, ["https://another-server.example/users/1happyturtle"]);
  });

  test("Pleroma: the litepub context, a bio with <br>, an emoji in the name", async () => {
    const a = await actorFixture("pleroma");
    assert.equal(a.username, "rin");
    assert.equal(a.url, "https://pleroma.example/users/rin");
    assert.match(a.note, /developer<br \/>I like/);
    assert.deepEqual(a.fields, [{ name: "pronouns", value: "she/her" }]);
    assert.deepEqual(
      a.emojis.map((e) => e.shortcode),
      ["blobcat"],
    );
    assert.equal(a.sharedInbox, "https://pleroma.example/inbox");
    assert.equal(a.discoverable, true);
  });

  test("Service and Application actors are bots; an Ed25519 multikey (FEP-521a) is read with its id", async () => {
    const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const ed = await generateCryptoKeyPair("Ed25519");
    const id = new URL("https://peer.example/users/bot");
    const person = new Person({
      id,
      preferredUsername: "bot",
      publicKey: new CryptographicKey({ id: new URL("#main-key", id), owner: id, publicKey: rsa.publicKey }),
      assertionMethods: [
        new Multikey({ id: new URL("#ed25519", id), controller: id, publicKey: ed.publicKey }),
      ],
    });
    const r = await toRemoteActor(person, { origin: "https://peer.example" });
    assert.ok(r.ok);
    assert.equal(r.value.publicKeyId, "https://peer.example/users/bot#main-key");
    assert.equal(r.value.ed25519KeyId, "https://peer.example/users/bot#ed25519");
    assert.match(r.value.ed25519PublicKey ?? "", /^-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA/);
    assert.equal(r.value.bot, false);

    const service = new Service({ id, preferredUsername: "bot" });
    const s = await toRemoteActor(service, { origin: "https://peer.example" });
    assert.ok(s.ok);
    assert.equal(s.value.type, "Service");
    assert.equal(s.value.bot, true);
  });

  test("keys and collections that are not the actor's own are dropped", async () => {
    const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const id = new URL("https://peer.example/users/x");
    const person = new Person({
      id,
      preferredUsername: "x",
      // a key on another server, or owned by someone else, cannot sign for this actor
      publicKeys: [
        new CryptographicKey({ id: new URL("https://evil.example/k"), owner: id, publicKey: rsa.publicKey }),
        new CryptographicKey({
          id: new URL("https://peer.example/users/y#main-key"),
          owner: new URL("https://peer.example/users/y"),
          publicKey: rsa.publicKey,
        }),
      ],
      inbox: new URL("https://evil.example/inbox"),
      followers: new URL("https://evil.example/followers"),
    });
    const r = await toRemoteActor(person, { origin: id });
    assert.ok(r.ok);
    assert.equal(r.value.publicKeyPem, null);
    assert.equal(r.value.publicKeyId, null);
    assert.equal(r.value.inbox, null);
    assert.equal(r.value.followers, null);
  });

  test("an actor served from another origin, or without a usable username, is refused", async () => {
    const person = new Person({ id: new URL("https://victim.example/users/a"), preferredUsername: "a" });
    const r = await toRemoteActor(person, { origin: "https://evil.example" });
    assert.deepEqual(r.ok ? null : r.reason, "origin-mismatch");
    const port = await toRemoteActor(person, { origin: "https://victim.example:8443" });
    assert.equal(port.ok, false);
    const none = await toRemoteActor(new Person({ id: new URL("https://a.example/u") }), {
      origin: "https://a.example",
    });
    assert.deepEqual(none.ok ? null : none.reason, "missing-field");
    const bad = await toRemoteActor(
      new Person({ id: new URL("https://a.example/u"), preferredUsername: "a b<script>" }),
      { origin: "https://a.example" },
    );
    assert.deepEqual(bad.ok ? null : bad.reason, "missing-field");
  });
});

describe("posts from each server", () => {
  test("Mastodon public note: mention, hashtag, emoji, contentMap language, attachment with blurhash and focal point", async () => {
    const n = await noteFixture("mastodon", "note-public");
    assert.equal(n.uri, "https://mastodon.example/users/nurlan/statuses/111000000000000001");
    assert.equal(n.url, "https://mastodon.example/@nurlan/111000000000000001");
    assert.equal(n.actorUri, "https://mastodon.example/users/nurlan");
    assert.equal(n.visibility, "public");
    assert.equal(n.language, "kk");
    assert.equal(n.published, "2024-03-01T10:00:00.000Z");
    assert.deepEqual(n.mentions, [{ href: LOCAL, name: "@aigerim@torgai.test" }]);
    assert.deepEqual(n.hashtags, ["Qazaq"]);
    assert.deepEqual(
      n.emojis.map((e) => e.shortcode),
      ["kz_flag"],
    );
    assert.deepEqual(n.attachments, [
      {
        url: "https://files.mastodon.example/media_attachments/files/000/000/001/original/p.jpg",
        mediaType: "image/jpeg",
        description: "Көктөбедегі күн батуы",
        blurhash: "UFBWY[00~q%M%MRjofWB-;ofM{WB%MRjofWB",
        width: 1200,
        height: 800,
        focalPoint: [0.5, -0.25],
      },
    ]);
    assert.match(n.content, /class="u-url mention">@<span>aigerim<\/span><\/a><\/span> Сәлем!/);
  });

  test("visibility from to/cc as Mastodon reads it, for every server", async () => {
    const cases: [Software, string, RemoteNote["visibility"]][] = [
      ["mastodon", "note-public", "public"],
      ["mastodon", "note-unlisted", "unlisted"],
      ["mastodon", "note-followers-only", "private"],
      ["mastodon", "note-direct", "direct"],
      ["misskey", "note-quote", "public"],
      ["misskey", "note-followers-only", "private"],
      ["gotosocial", "note-public", "public"],
      ["gotosocial", "note-direct", "direct"],
      ["gotosocial", "question-unlisted", "unlisted"],
      ["pleroma", "note-public", "public"],
      ["pleroma", "note-direct", "direct"],
    ];
    for (const [software, name, visibility] of cases) {
      assert.equal((await noteFixture(software, name)).visibility, visibility, `${software}/${name}`);
    }
  });

  test("noteVisibility: the followers collection decides private when known", () => {
    const f = "https://a.example/users/x/followers";
    assert.equal(noteVisibility([PUBLIC], [], [], f), "public");
    assert.equal(noteVisibility([f], [PUBLIC], [], f), "unlisted");
    assert.equal(noteVisibility([f], [LOCAL], [LOCAL], f), "private");
    assert.equal(noteVisibility([LOCAL], [], [LOCAL], f), "direct");
    // addressed to someone not mentioned: never more visible than sent
    assert.equal(noteVisibility(["https://b.example/users/y"], [], [], f), "direct");
    assert.equal(noteVisibility(["https://b.example/users/y"], [], [], null), "private");
    assert.equal(noteVisibility(["as:Public"], [], [], null), "public");
  });

  test("a reply with a content warning is sensitive and points at its parent", async () => {
    const n = await noteFixture("mastodon", "note-reply-cw");
    assert.equal(n.summary, "спойлер: фильм соңы");
    assert.equal(n.sensitive, true);
    assert.equal(n.inReplyTo, "https://torgai.test/users/aigerim/statuses/REPLACED_IN_TEST");
    const misskey = await noteFixture("misskey", "note-followers-only");
    assert.equal(misskey.summary, "CW");
    assert.equal(misskey.sensitive, true, "a CW makes a post sensitive whatever its flag");
  });

  test("polls: Mastodon anyOf with voters and a close time, Misskey oneOf without an end, GoToSocial oneOf", async () => {
    const m = await noteFixture("mastodon", "question-multiple");
    assert.equal(m.type, "Question");
    assert.deepEqual(m.poll, {
      options: [
        { title: "Қазақша", votes: 6 },
        { title: "Русский", votes: 3 },
        { title: "English", votes: 1 },
      ],
      multiple: true,
      expiresAt: "2024-03-02T10:00:00.000Z",
      closed: true,
      votersCount: 7,
    });
    const k = await noteFixture("misskey", "question-no-end-date");
    assert.deepEqual(k.poll, {
      options: [
        { title: "Working", votes: 0 },
        { title: "Broken af", votes: 1 },
      ],
      multiple: false,
      expiresAt: null,
      closed: false,
      votersCount: null,
    });
    const g = await noteFixture("gotosocial", "question-unlisted");
    assert.equal(g.poll?.options.length, 4);
    assert.equal(g.poll?.expiresAt, "2026-08-11T04:37:59.000Z");
    assert.equal(g.poll?.votersCount, 0);
  });

  test("quotes: FEP-044f quote (Mastodon) and _misskey_quote/quoteUrl (Misskey)", async () => {
    assert.equal(
      (await noteFixture("mastodon", "note-quote")).quote,
      "https://torgai.test/users/aigerim/statuses/1",
    );
    const k = await noteFixture("misskey", "note-quote");
    assert.equal(k.quote, "https://torgai.test/users/aigerim/statuses/1");
    assert.deepEqual(k.hashtags, ["мысық"]);
    assert.equal(k.attachments[0]?.description, "ұйықтап жатқан мысық");
  });

  test("GoToSocial and Pleroma: languages, emojis, hashtags, contexts; hostile markup is gone", async () => {
    const g = await noteFixture("gotosocial", "note-public");
    assert.equal(g.language, "en");
    assert.deepEqual(g.hashtags, ["welcome"]);
    assert.deepEqual(
      g.emojis.map((e) => e.shortcode),
      ["rainbow"],
    );
    const p = await noteFixture("pleroma", "note-public");
    assert.equal(p.language, "en", "a context's @language und does not hide the contentMap's");
    assert.deepEqual(p.hashtags, ["fediverse"]);
    assert.equal(p.context, "https://pleroma.example/contexts/22222222-2222-4333-8444-555555555555");
    assert.equal(p.attachments[0]?.url, "https://pleroma.example/media/clip.mp4");
    const dm = await noteFixture("pleroma", "note-direct");
    assert.doesNotMatch(dm.content, /<img|onerror|data-user/);
    assert.deepEqual(dm.mentions, [{ href: LOCAL, name: "@aigerim@torgai.test" }]);
  });
});
