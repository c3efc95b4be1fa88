import assert from "node:assert/strict";
import { test } from "node:test";
import { pushBody, pushLocale, pushTitle } from "./payload.ts";

test("titles in the recipient's language, Kazakh when we do not speak theirs", () => {
  assert.equal(pushTitle("kk", "follow", "Айгерім"), "Айгерім сізге жазылды");
  assert.equal(pushTitle("ru", "reblog", "Айгерім"), "Айгерім продвинул(а) ваш пост");
  assert.equal(pushTitle("en", "mention", "Aigerim"), "You were mentioned by Aigerim");
  assert.equal(pushTitle("en-GB", "poll", "Aigerim"), "A poll by Aigerim has ended");
  assert.equal(pushLocale("de"), "kk");
  assert.equal(pushTitle("de", "favourite", "A"), "A жазбаңызды ұнатты");
  assert.equal(
    pushTitle("en", "severed_relationships", "A"),
    "New notification from A",
    "unknown types still get a title",
  );
});

test("the body is the content warning, else the text, else the sender's bio, cut at 140 characters", () => {
  assert.equal(pushBody({ spoilerText: "саясат", contentHtml: "<p>ішінде</p>" }), "саясат");
  assert.equal(pushBody({ contentHtml: "<p>бір</p><p>екі &amp; үш</p>" }), "бір екі & үш");
  assert.equal(pushBody({ contentHtml: "", noteHtml: "<p>мен туралы</p>" }), "мен туралы");
  const long = pushBody({ contentHtml: `<p>${"қ".repeat(200)}</p>` });
  assert.equal([...long].length, 140);
  assert.ok(long.endsWith("…"));
  const emoji = pushBody({ contentHtml: "😀".repeat(150) });
  assert.equal([...emoji].length, 140, "code points, never half a surrogate pair");
});
