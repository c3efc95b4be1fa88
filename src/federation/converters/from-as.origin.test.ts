/** The origin rule, the caps and what is never fetched or kept (unsafe URLs). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Emoji, Hashtag, Image, Mention, Note, Person, Question } from "@fedify/fedify/vocab";
import { REMOTE_CAPS } from "../../core/remote/types.ts";
import { sanitizeRemoteHtml } from "../../core/text/sanitize.ts";
import { toRemoteActor, toRemoteNote } from "./from-as.ts";

const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

describe("the origin rule and the caps", () => {
  const id = new URL("https://a.example/notes/1");
  const author = new URL("https://a.example/users/x");

  test("a post served from another origin than its id is refused", async () => {
    const note = new Note({ id, attribution: author, content: "hi", to: new URL(PUBLIC) });
    const r = await toRemoteNote(note, { origin: "https://b.example" });
    assert.deepEqual(r.ok ? null : r.reason, "origin-mismatch");
    assert.equal((await toRemoteNote(note, { origin: "https://a.example/anything" })).ok, true);
  });

  test("a post attributed to an actor on another origin is refused", async () => {
    const forged = new Note({ id, attribution: new URL("https://victim.example/users/v"), content: "x" });
    const r = await toRemoteNote(forged, { origin: id });
    assert.deepEqual(r.ok ? null : r.reason, "attribution-mismatch");
    const none = await toRemoteNote(new Note({ id, content: "x" }), { origin: id });
    assert.deepEqual(none.ok ? null : none.reason, "missing-field");
    const two = await toRemoteNote(
      new Note({ id, attributions: [author, new URL("https://victim.example/users/v")], content: "x" }),
      { origin: id },
    );
    assert.equal(two.ok, false);
  });

  test("content over the cap is refused; mentions, tags, emojis, attachments and poll options are capped", async () => {
    const big = new Note({ id, attribution: author, content: "a".repeat(REMOTE_CAPS.contentChars + 1) });
    const r = await toRemoteNote(big, { origin: id });
    assert.deepEqual(r.ok ? null : r.reason, "too-large");

    const many = 80;
    const tags = [
      ...Array.from(
        { length: many },
        (_, i) => new Mention({ href: new URL(`https://b.example/u/${i}`), name: `@u${i}` }),
      ),
      ...Array.from(
        { length: many },
        (_, i) => new Hashtag({ href: new URL(`https://a.example/t/${i}`), name: `#t${i}` }),
      ),
      ...Array.from(
        { length: many },
        (_, i) =>
          new Emoji({
            id: new URL(`https://a.example/e/${i}`),
            name: `:e${i}:`,
            icon: new Image({ url: new URL(`https://a.example/e/${i}.png`) }),
          }),
      ),
    ];
    const attachments = Array.from(
      { length: 40 },
      (_, i) => new Image({ url: new URL(`https://a.example/m/${i}.png`), mediaType: "image/png" }),
    );
    const note = new Note({ id, attribution: author, content: "x", tags, attachments, to: new URL(PUBLIC) });
    const capped = await toRemoteNote(note, { origin: id });
    assert.ok(capped.ok);
    assert.equal(capped.value.mentions.length, REMOTE_CAPS.mentions);
    assert.equal(capped.value.hashtags.length, REMOTE_CAPS.hashtags);
    assert.equal(capped.value.emojis.length, REMOTE_CAPS.emojis);
    assert.equal(capped.value.attachments.length, REMOTE_CAPS.attachments);
    assert.equal(capped.value.mentions[0]?.href, "https://b.example/u/0", "the first ones are kept");

    const options = Array.from({ length: 30 }, (_, i) => new Note({ name: `option ${i}` }));
    const q = await toRemoteNote(
      new Question({ id, attribution: author, content: "?", exclusiveOptions: options }),
      {
        origin: id,
      },
    );
    assert.ok(q.ok);
    assert.equal(q.value.poll?.options.length, REMOTE_CAPS.pollOptions);
  });

  test("nothing is fetched unless the caller gives a loader: a linked icon is simply absent", async () => {
    const person = new Person({
      id: new URL("https://a.example/users/x"),
      preferredUsername: "x",
      icon: new URL("https://a.example/icon.json"),
    });
    const r = await toRemoteActor(person, { origin: "https://a.example" });
    assert.ok(r.ok);
    assert.equal(r.value.avatarUrl, null);
  });

  test("an Article's title leads its content; a Group actor keeps its type", async () => {
    const { Article, Group } = await import("@fedify/fedify/vocab");
    const article = new Article({
      id,
      attribution: author,
      name: "Тақырып <b>& co</b>",
      content: "<p>Мәтін</p>",
      to: new URL(PUBLIC),
    });
    const r = await toRemoteNote(article, { origin: id });
    assert.ok(r.ok);
    assert.equal(r.value.type, "Article");
    assert.equal(
      sanitizeRemoteHtml(r.value.content),
      r.value.content,
      "still a fixed point of the sanitiser",
    );
    assert.equal(r.value.content, "<p><strong>Тақырып &amp; co</strong></p><p>Мәтін</p>");
    const group = await toRemoteActor(
      new Group({ id: new URL("https://a.example/c/kz"), preferredUsername: "kz" }),
      {
        origin: "https://a.example",
      },
    );
    assert.ok(group.ok);
    assert.equal(group.value.type, "Group");
    assert.equal(group.value.bot, false);
  });

  test("unsafe URLs are dropped: javascript: links, non-http attachments and mentions", async () => {
    const note = new Note({
      id,
      attribution: author,
      content: '<a href="javascript:alert(1)">x</a>',
      url: new URL("javascript:alert(1)"),
      tags: [new Mention({ href: new URL("javascript:alert(1)"), name: "@x" })],
      attachments: [new Image({ url: new URL("data:image/png;base64,AAAA") })],
    });
    const r = await toRemoteNote(note, { origin: id });
    assert.ok(r.ok);
    assert.equal(r.value.content, "<span>x</span>");
    assert.equal(r.value.url, id.href);
    assert.deepEqual(r.value.mentions, []);
    assert.deepEqual(r.value.attachments, []);
  });
});
