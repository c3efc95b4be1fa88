// Language identification for posts, phrases and single words: "kk" | "ru" | "en" | "other".
//
// Script first: Cyrillic text is Kazakh or Russian (other Cyrillic languages are spotted by their own
// letters), Latin text is Kazakh Latin or English (or, for longer text, another Latin-script language
// by franc), anything else is "other". Within a script every word adds evidence (langid-rules.ts):
// Kazakh-only letters weigh most, then frequent words, vowel harmony, forbidden sequences and endings.

import { franc } from "franc-min";
import { kkLower } from "./casing.ts";
import { cyrillicWordScore, latinWordScore } from "./langid-rules.ts";
import { PROTECTED_SOURCE } from "./patterns.ts";

export type Lang = "kk" | "ru" | "en" | "other";

const PROTECTED = new RegExp(PROTECTED_SOURCE, "gu");
const WORD = /[\p{L}\p{M}]+(?:['’ʼ][\p{L}\p{M}]*)?/gu;
const CYR = /[\u0400-\u04ff]/;
const LATIN = /[A-Za-z\u00c0-\u024f]/;
/** Cyrillic letters of Ukrainian, Belarusian, Serbian, Macedonian that Kazakh and Russian lack. */
const OTHER_CYRILLIC = /[їєґўђјљњћџѓќѕ]/i;
/** Latin letters of other European languages that neither English nor Kazakh Latin uses. */
const OTHER_LATIN = /[éèêëàâçîïôûùœæßøåłąęőűčřšžãõìòíñ]/i;
const LATIN_LANGS = ["eng", "spa", "por", "fra", "deu", "ita", "nld", "pol", "ron", "tur", "ind", "swh"];
const EN_STOP = /^(?:the|of|and|to|in|is|that|for|it|with|as|was|on|be|by|at|this|are|from|or|an)$/;

/** Detects the language of a text (a post, a phrase or a single word). */
export function detect(text: string): Lang {
  const clean = text.includes("@") || text.includes("#") || text.includes("/") ? stripProtected(text) : text;
  let cyrScore = 0;
  let cyrWords = 0;
  let latScore = 0;
  let latWords = 0;
  let enStop = 0;
  let other = 0;
  let otherCyr = false;
  let otherLat = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(clean); m !== null; m = WORD.exec(clean)) {
    const w = kkLower(m[0]);
    if (CYR.test(w)) {
      cyrWords++;
      cyrScore += cyrillicWordScore(w);
      if (OTHER_CYRILLIC.test(w)) otherCyr = true;
    } else if (LATIN.test(w)) {
      latWords++;
      latScore += latinWordScore(w);
      if (EN_STOP.test(w)) enStop++;
      if (OTHER_LATIN.test(w)) otherLat++;
    } else other++;
  }
  if (cyrWords === 0 && latWords === 0) return "other";
  if (other > cyrWords + latWords) return "other";
  if (cyrWords >= latWords) {
    if (otherCyr && cyrScore < 4 * cyrWords) return "other";
    return cyrScore > 0 ? "kk" : "ru";
  }
  if (latScore > 0) return "kk";
  // another Latin-script language: its own letters, or (longer text without a single English
  // function word) franc's verdict
  if (otherLat > 1 || (otherLat === 1 && latWords <= 3)) return "other";
  if (latWords >= 6 && enStop === 0) {
    const guess = franc(clean, { only: LATIN_LANGS, minLength: 20 });
    if (guess !== "eng" && guess !== "und") return "other";
  }
  return "en";
}

function stripProtected(text: string): string {
  return text.replace(PROTECTED, (m) => (m.startsWith("#") ? ` ${m.slice(1)} ` : " "));
}
