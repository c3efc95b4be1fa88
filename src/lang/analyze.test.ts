import assert from "node:assert/strict";
import { test } from "node:test";
import { analyze } from "./analyze.ts";
import { detect } from "./langid.ts";

test("a Kazakh word gives the same key in Cyrillic and in any Latin spelling", () => {
  const cyr = analyze("Қазақстандағы балаларға кітаптарымыз");
  assert.deepEqual(cyr, ["қазақстан", "бала", "кітап"]);
  assert.deepEqual(analyze("Qazaqstandağy balalarğa kıtaptarymyz"), cyr);
  assert.deepEqual(analyze("Qazaqstandaǵy balalarǵa kitaptarymyz"), cyr);
});

test("Russian and English words are stemmed in their language; special tokens are kept", () => {
  assert.deepEqual(analyze("Мы читали интересные книги"), ["мы", "чита", "интересн", "книг"]);
  assert.deepEqual(analyze("reading books #News @Aigul@example.kz"), [
    "read",
    "book",
    "#news",
    "@aigul@example.kz",
  ]);
  assert.deepEqual(analyze("2024-жылы 18-ші https://example.kz/"), [
    "2024",
    "жыл",
    "18",
    "https://example.kz/",
  ]);
});

test("lookalike letters do not change the key", () => {
  assert.deepEqual(analyze("қaзaқ тiлi"), analyze("қазақ тілі"));
});

test("language of posts, phrases and words", () => {
  assert.equal(detect("Бүгін ауа райы жақсы болады"), "kk");
  assert.equal(detect("Сегодня будет хорошая погода"), "ru");
  assert.equal(detect("The weather will be fine today"), "en");
  assert.equal(detect("Býgin aýa raıy jaqsy"), "kk");
  assert.equal(detect("Bügın aua raiy jaqsy bolady"), "kk");
  assert.equal(detect("балалар"), "kk");
  assert.equal(detect("погода"), "ru");
  assert.equal(detect("Сьогодні гарна погода, їжак"), "other");
  assert.equal(detect("今日は良い天気です"), "other");
  assert.equal(detect("🙂 123"), "other");
});
