import assert from "node:assert/strict";
import { test } from "node:test";
import { detectLatinVariant } from "./latin-variants.ts";
import { toCyrillic, wordToCyrillic } from "./to-cyrillic.ts";
import { toLatin, wordToLatin } from "./translit.ts";

// The examples published with the 2021 alphabet.
const OFFICIAL: [string, string][] = [
  ["Қазақстан", "Qazaqstan"],
  ["Бұрыңғы", "Būryñğy"],
  ["шаһарының", "şaharynyñ"],
  ["үйіне", "üiıne"],
  ["сый", "syi"],
  ["актёр", "aktör"],
  ["аю", "aiu"],
  ["қоян", "qoian"],
  ["ащы", "aşşy"],
  ["электр", "elektr"],
];

test("Cyrillic → Latin 2021: official examples", () => {
  for (const [cyr, lat] of OFFICIAL) assert.equal(toLatin(cyr), lat, cyr);
});

test("Latin 2021 → Cyrillic: official examples come back", () => {
  for (const [cyr, lat] of OFFICIAL) assert.equal(wordToCyrillic(lat, "2021"), cyr, lat);
});

test("Turkish-style casing and all-caps words", () => {
  assert.equal(toLatin("Иран"), "İran");
  assert.equal(toLatin("Іле"), "Ile");
  assert.equal(toLatin("ҚАЗАҚСТАН ІШІНДЕ"), "QAZAQSTAN IŞINDE");
  assert.equal(toLatin("ЮНЕСКО"), "İUNESKO");
  assert.equal(toLatin("Я"), "İa");
  assert.equal(toCyrillic("QAZAQSTAN IŞINDE"), "ҚАЗАҚСТАН ІШІНДЕ");
  assert.equal(toCyrillic("İran men Ile"), "Иран мен Іле");
});

test("mixed text: URLs, mentions, tags, numbers, emoji and Latin words stay", () => {
  const text = "Сәлем @айгүл@мысал.kz! #Қазақстан https://мысал.kz/жол 2024 жылы 🙂 iPhone";
  assert.equal(toLatin(text), "Sälem @айгүл@мысал.kz! #Қазақстан https://мысал.kz/жол 2024 jyly 🙂 iPhone");
  assert.equal(
    toCyrillic("Sälem, COVID pen Samsung-ға www.example.kz"),
    "Сәлем, COVID пен Samsung-ға www.example.kz",
  );
});

test("loanwords come back right through the lexicon and positional rules", () => {
  for (const w of [
    "медицина",
    "экономика",
    "бюджет",
    "компьютер",
    "жаһан",
    "фильмдері",
    "информациялық",
    "революция",
    "Назарбаев",
    "район",
    "радио",
    "миллиард",
    "концерті",
    "чемпионы",
    "инфляция",
    "фестивалі",
    "Ақтөбе",
  ]) {
    assert.equal(wordToCyrillic(wordToLatin(w), "2021"), w, w);
  }
});

test("variant detection", () => {
  assert.equal(detectLatinVariant("Qazaqstan Respublikasynyñ Prezidentı"), "2021");
  assert.equal(detectLatinVariant("Qazaqstan Respýblıkasynyń Prezıdenti"), "2018");
  assert.equal(detectLatinVariant("Qazaqstan Respy'bli'kasyny'n' Prezi'denti s'yg'ys"), "2017");
  assert.equal(detectLatinVariant("Kazak'stan, shygys, zhana, men seni suyemin"), "ascii");
});

test("Latin → Cyrillic from each variant", () => {
  const cases: [string, string][] = [
    ["Būryñğy şaharynyñ üiıne kırdı", "Бұрыңғы шаһарының үйіне кірді"],
    ["Buryńǵy shaharynyń úıine kirdi", "Бұрыңғы шаһарының үйіне кірді"],
    ["Buryn'g'y s'aharynyn' u'i'ine kirdi", "Бұрыңғы шаһарының үйіне кірді"],
    ["Buryn’g’y s’aharynyn’ u’i’ine kirdi", "Бұрыңғы шаһарының үйіне кірді"],
    ["Buryn\u02bcg\u02bcy s\u02bcaharynyn\u02bc u\u02bci\u02bcine kirdi", "Бұрыңғы шаһарының үйіне кірді"],
    ["K'azak'stan zhastary shyg'ysk'a bardy", "Қазақстан жастары шығысқа барды"],
  ];
  for (const [lat, cyr] of cases) assert.equal(toCyrillic(lat), cyr, lat);
});

test("other variants forward", () => {
  assert.equal(toLatin("Шығыс Қазақстан", "2018"), "Shyǵys Qazaqstan");
  assert.equal(toLatin("Шығыс Қазақстан", "2017"), "S'yg'ys Qazaqstan");
  assert.equal(toLatin("Шығыс Қазақстан", "ascii"), "Shyg'ys K'azak'stan");
});
