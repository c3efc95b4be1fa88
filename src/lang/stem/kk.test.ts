import assert from "node:assert/strict";
import { test } from "node:test";
import { stemKazakh } from "./kk.ts";

test("strips plural, possessive, case and predicative suffixes", () => {
  const cases: [string, string][] = [
    ["үйлеріміздегі", "үй"],
    ["кітаптарымыз", "кітап"],
    ["балаларға", "бала"],
    ["қазақстандағы", "қазақстан"],
    ["адамның", "адам"],
    ["күннен", "күн"],
    ["тілдерін", "тіл"],
    ["үйіне", "үй"],
    ["жұмысын", "жұмыс"],
    ["орталығында", "орталық"],
    ["халқы", "халық"],
  ];
  for (const [w, s] of cases) assert.equal(stemKazakh(w), s, w);
});

test("verbal tense, person and negation", () => {
  const cases: [string, string][] = [
    ["келмеді", "кел"],
    ["келді", "кел"],
    ["бармайды", "бар"],
    ["жазған", "жаз"],
    ["келгенде", "кел"],
    ["алып", "ал"],
    ["қарап", "қара"],
    ["сатылып", "сат"],
    ["болса", "бол"],
    ["келсе", "кел"],
    ["бармай", "бар"],
    ["бармас", "бар"],
    ["болғандықтан", "бол"],
  ];
  for (const [w, s] of cases) assert.equal(stemKazakh(w), s, w);
});

test("short roots and look-alike endings are not over-stripped", () => {
  for (const w of ["адам", "бала", "алма", "ұлы", "орын", "қазан", "су", "ал", "мың", "жыл"]) {
    assert.equal(stemKazakh(w), w, w);
  }
  assert.equal(stemKazakh("оның"), "ол");
});

test("loans ending in a voiced consonant take voiceless suffixes; pronouns under further suffixes", () => {
  assert.equal(stemKazakh("клубтың"), "клуб");
  assert.equal(stemKazakh("өзіндей"), "өз");
  assert.equal(stemKazakh("кесе"), "кесе");
});
