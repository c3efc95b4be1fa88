import assert from "node:assert/strict";
import { test } from "node:test";
import { countableLength, extractEntities, normalizeHashtag } from "./extract.ts";
import { renderStatusHtml } from "./render.ts";

const opts = {
  baseUrl: "https://torgai.test",
  resolveMention: (username: string, domain: string | null) =>
    username.toLowerCase() === "alice" && (domain === null || domain === "torgai.test")
      ? { username: "alice", url: "https://torgai.test/@alice" }
      : username === "bob" && domain === "remote.example"
        ? { username: "bob", url: "https://remote.example/@bob" }
        : undefined,
};

test("paragraphs and line breaks", () => {
  assert.equal(renderStatusHtml("one\ntwo\n\nthree", opts), "<p>one<br />two</p><p>three</p>");
  assert.equal(renderStatusHtml("  \n ", opts), "");
});

test("escapes HTML and script attempts", () => {
  const html = renderStatusHtml(`<script>alert("x")</script> & <img src=x onerror=alert(1)>`, opts);
  assert.equal(
    html,
    "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</p>",
  );
  const link = renderStatusHtml(`https://evil.example/"><script>x</script>`, opts);
  assert.ok(!link.includes("<script>"));
  assert.ok(link.startsWith('<p><a href="https://evil.example/&quot;&gt;&lt;script&gt;'));
});

test("mentions: known local and remote linked, unknown stays text", () => {
  assert.equal(
    renderStatusHtml("hi @alice and @bob@remote.example and @carol@nowhere.example", opts),
    '<p>hi <span class="h-card" translate="no"><a href="https://torgai.test/@alice" class="u-url mention">@<span>alice</span></a></span>' +
      ' and <span class="h-card" translate="no"><a href="https://remote.example/@bob" class="u-url mention">@<span>bob</span></a></span>' +
      " and @carol@nowhere.example</p>",
  );
  assert.equal(renderStatusHtml("mail me: x@alice.com", opts), "<p>mail me: x@alice.com</p>");
});

test("hashtags in Kazakh Cyrillic and Latin", () => {
  const html = renderStatusHtml("Сәлем #Қазақстан #qazaqşa #1 end", opts);
  assert.ok(
    html.includes(
      '<a href="https://torgai.test/tags/%D2%9B%D0%B0%D0%B7%D0%B0%D2%9B%D1%81%D1%82%D0%B0%D0%BD" class="mention hashtag" rel="tag">#<span>Қазақстан</span></a>',
    ),
  );
  assert.ok(html.includes("#<span>qazaqşa</span>"));
  assert.ok(html.includes(" #1 end"));
  assert.equal(normalizeHashtag("ҚАЗАҚСТАН"), "қазақстан");
  const tags = extractEntities("#a_b, (#тег) https://x.example/#frag").filter((e) => e.kind === "hashtag");
  assert.deepEqual(
    tags.map((t) => (t.kind === "hashtag" ? t.hashtag : "")),
    ["a_b", "тег"],
  );
});

test("links are shortened like Mastodon", () => {
  assert.equal(
    renderStatusHtml("see https://www.example.com/a/very/long/path/that/goes/on/and/on", opts),
    '<p>see <a href="https://www.example.com/a/very/long/path/that/goes/on/and/on" target="_blank" rel="nofollow noopener noreferrer" translate="no">' +
      '<span class="invisible">https://www.</span><span class="ellipsis">example.com/a/very/long/path/t</span>' +
      '<span class="invisible">hat/goes/on/and/on</span></a></p>',
  );
  assert.ok(renderStatusHtml("https://a.kz", opts).includes('<span class="">a.kz</span>'));
});

test("countable length: URLs 23, remote mentions by user part, graphemes", () => {
  assert.equal(countableLength(`x https://example.com/${"a".repeat(100)}`), 2 + 23);
  assert.equal(countableLength("@bob@remote.example hi"), "@bob hi".length);
  assert.equal(countableLength("👨‍👩‍👧 әі"), 4);
});
