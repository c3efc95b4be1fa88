import assert from "node:assert/strict";
import { test } from "node:test";
import { type ActiveFilter, compileKeyword, htmlToText, matchFilters } from "./filter-match.ts";

function filter(
  id: string,
  keywords: [string, boolean][],
  statusIds: string[] = [],
  action: "warn" | "hide" = "warn",
): ActiveFilter {
  return {
    summary: { id, title: `f${id}`, context: ["home"], expires_at: null, filter_action: action },
    keywords: keywords.map(([k, w]) => ({ keyword: k, pattern: compileKeyword(k, w) })),
    statusIds: new Set(statusIds),
  };
}

const status = (content: string, spoiler = "", id = "1") => ({ id, content, spoiler_text: spoiler });

test("whole-word keywords respect Cyrillic word boundaries", () => {
  const f = [filter("1", [["сайлау", true]])];
  assert.equal(matchFilters(f, status("<p>Ертең сайлау болады</p>")).length, 1);
  assert.equal(
    matchFilters(f, status("<p>сайлаудың нәтижесі</p>")).length,
    0,
    "inflected form is another word",
  );
  assert.equal(
    matchFilters([filter("1", [["сайлау", false]])], status("<p>сайлаудың нәтижесі</p>")).length,
    1,
  );
});

test("matching is case-insensitive for Kazakh letters", () => {
  const f = [filter("1", [["қазақ", true]])];
  assert.equal(matchFilters(f, status("ҚАЗАҚ тілі")).length, 1);
});

test("a Cyrillic keyword matches Kazakh Latin spellings and vice versa", () => {
  const f = [filter("1", [["Қазақстан", true]])];
  assert.equal(matchFilters(f, status("<p>Qazaqstan jaily</p>")).length, 1);
  const g = [filter("2", [["şyğys", true]])];
  assert.equal(matchFilters(g, status("<p>шығыс жақта</p>")).length, 1);
});

test("results carry keyword and status matches; spoiler text and entities count", () => {
  const f = [
    filter("1", [
      ["spoiler", true],
      ["absent", true],
    ]),
    filter("2", [], ["7"], "hide"),
  ];
  const r = matchFilters(f, status("a &amp; b", "Spoiler ahead", "7"));
  assert.deepEqual(
    r.map((x) => [x.filter.id, x.keyword_matches, x.status_matches]),
    [
      ["1", ["spoiler"], null],
      ["2", null, ["7"]],
    ],
  );
  assert.equal(htmlToText("<p>a<br>b</p><p>c &#1179;</p>"), "a\nb\n\nc қ");
});

test("punctuation-edged keywords and regex characters are literal", () => {
  const f = [
    filter("1", [
      ["c++", true],
      ["#тег", true],
    ]),
  ];
  assert.equal(matchFilters(f, status("I like c++ a lot")).length, 1);
  assert.equal(matchFilters(f, status("cxx")).length, 0);
  assert.equal(matchFilters(f, status("бұл #тег")).length, 1);
});
