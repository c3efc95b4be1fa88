import assert from "node:assert/strict";
import { test } from "node:test";
import { caseShape, kkCapitalize, kkFold, kkLower, kkUpper } from "./casing.ts";

test("dotted and dotless i follow the Kazakh (Turkish-style) pairs", () => {
  assert.equal(kkUpper("ine ıs"), "İNE IS");
  assert.equal(kkLower("İNE IS"), "ine ıs");
  assert.equal(kkCapitalize("ıqylas"), "Iqylas");
  assert.equal(kkCapitalize("iran"), "İran");
  assert.equal(kkFold("Iqylas İran"), "iqylas iran");
});

test("Cyrillic casing is plain Unicode", () => {
  assert.equal(kkUpper("әлем іші"), "ӘЛЕМ ІШІ");
  assert.equal(kkLower("ҚАЗАҚ"), "қазақ");
});

test("case shapes", () => {
  assert.equal(caseShape("ҚАЗАҚ"), "upper");
  assert.equal(caseShape("Қазақ"), "title");
  assert.equal(caseShape("Я"), "title");
  assert.equal(caseShape("iPhone"), "mixed");
  assert.equal(caseShape("қазақ"), "lower");
});
