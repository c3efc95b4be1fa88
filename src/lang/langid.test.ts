import assert from "node:assert/strict";
import { test } from "node:test";
import { detect } from "./langid.ts";
import { kazakhInflectionScore } from "./langid-morph.ts";

test("Russian loanwords with Kazakh suffix chains are Kazakh", () => {
  for (const w of ["теориясын", "биологияда", "процестерде", "компьютерлер", "министрлердің", "заводтарда"]) {
    assert.equal(detect(w), "kk", w);
  }
  // the chain must agree with its stem: harmony and the first consonant
  assert.ok(kazakhInflectionScore("студенттер") > 0);
  assert.equal(kazakhInflectionScore("студентлар"), 0);
  assert.equal(kazakhInflectionScore("теорией"), 0);
});

test("native Kazakh words without Kazakh-only letters, and Russian words", () => {
  for (const w of ["жазушы", "балалар", "жазып", "арнап", "мектеп"]) assert.equal(detect(w), "kk", w);
  for (const w of ["погода", "который", "развития", "сделать", "хорошего", "учиться"]) {
    assert.equal(detect(w), "ru", w);
  }
});

test("sentences: initials and quoted names do not outvote the text", () => {
  assert.equal(detect("Иванов А.Б. және Петров В.Г. жобаның жетекшілері болып табылады."), "kk");
  assert.equal(detect("Президент Қасым-Жомарт Тоқаев провёл встречу с делегацией из Китая."), "ru");
});

test("English without function words is still English; other Latin-script languages are other", () => {
  assert.equal(detect("Annual Report Highlights"), "en");
  assert.equal(detect("Initial results indicate strong growth"), "en");
  assert.equal(detect("Je pense que nous devons partir demain matin avant le lever du soleil"), "other");
  assert.equal(detect("Saya tidak tahu apakah dia akan datang ke pesta malam ini atau tidak"), "other");
});
