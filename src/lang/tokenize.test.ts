import assert from "node:assert/strict";
import { test } from "node:test";
import { normalize } from "./normalize.ts";
import { tokenize } from "./tokenize.ts";

const simple = (text: string) => tokenize(text).map((t) => [t.type, t.text]);

test("hashtags, mentions, URLs, e-mail, emoji", () => {
  assert.deepEqual(
    simple("Сәлем @aigul @aigul@mastodon.kz #Қазақстан_2030 https://example.kz/a?b=1. a@b.kz 👍🏽 🇰🇿"),
    [
      ["word", "Сәлем"],
      ["mention", "@aigul"],
      ["mention", "@aigul@mastodon.kz"],
      ["hashtag", "#Қазақстан_2030"],
      ["url", "https://example.kz/a?b=1"],
      ["email", "a@b.kz"],
      ["emoji", "👍🏽"],
      ["emoji", "🇰🇿"],
    ],
  );
});

test("numbers with Kazakh suffixes and hyphenated words", () => {
  assert.deepEqual(simple("2024 жылы, 18-ші, 2024-жылы тау-тастары 3,5"), [
    ["number", "2024"],
    ["word", "жылы"],
    ["number", "18-ші"],
    ["number", "2024-жылы"],
    ["word", "тау-тастары"],
    ["number", "3,5"],
  ]);
});

test("offsets point into the input", () => {
  const text = "  бір #екі";
  for (const t of tokenize(text)) assert.equal(text.slice(t.start, t.end), t.text);
  assert.equal(tokenize(text)[1].start, 6);
});

test("normalisation repairs lookalikes only inside Cyrillic words", () => {
  assert.equal(normalize("қaзaқ тiлi"), "қазақ тілі"); // Latin a, i inside Cyrillic words
  assert.equal(normalize("əлем"), "әлем");
  assert.equal(normalize("ҡала ӊ"), "қала ң");
  assert.equal(normalize("coca cola"), "coca cola");
  assert.equal(normalize("e\u0301"), "é");
  assert.equal(normalize("сә\u00adлем"), "сәлем");
});
