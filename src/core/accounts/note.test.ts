import assert from "node:assert/strict";
import { test } from "node:test";
import { linkifyText, renderNote } from "./note.ts";
import { mergeSettings, userSettings } from "./settings.ts";

test("renderNote escapes HTML, links http(s) URLs only, paragraphs and line breaks", () => {
  assert.equal(renderNote(""), "");
  assert.equal(renderNote("  \n "), "");
  assert.equal(renderNote("a<b>&\"'"), "<p>a&lt;b&gt;&amp;&quot;&#39;</p>");
  assert.equal(renderNote("one\ntwo\r\n\r\nthree"), "<p>one<br />two</p><p>three</p>");
  assert.equal(linkifyText("see example.kz"), "see example.kz");
  assert.equal(linkifyText("mail me@example.kz"), "mail me@example.kz");
  const html = linkifyText('go https://x.kz/"><script>');
  assert.ok(!html.includes("<script>"));
  assert.match(html, /^go <a href="https:\/\/x\.kz\/&quot;&gt;&lt;script&gt;"/);
  assert.match(linkifyText("javascript:alert(1)"), /^javascript:alert\(1\)$/);
});

test("userSettings fills defaults and ignores junk; mergeSettings keeps unknown keys", () => {
  assert.deepEqual(userSettings({ settings: "not json" }), {
    default_privacy: "public",
    default_sensitive: false,
    default_language: null,
    expand_media: "default",
    expand_spoilers: false,
  });
  const s = userSettings({ settings: '{"default_privacy":"private","default_sensitive":"yes","x":1}' });
  assert.equal(s.default_privacy, "private");
  assert.equal(s.default_sensitive, false);
  assert.deepEqual(
    JSON.parse(
      mergeSettings({ settings: '{"x":1}' }, { default_language: "kk", expand_spoilers: undefined }),
    ),
    {
      x: 1,
      default_language: "kk",
    },
  );
});
