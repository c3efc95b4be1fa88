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
/** English function words and other very frequent English words. */
const EN_STOP = new Set(
  `the of and to in is that for it with as was on be by at this are from or an not but have has had
  were been will would can could should may might must shall do does did done his her he she we you
  they them their our your my its who whom which what when where why how than then there here these
  those all any some each every most more only just also very so up out about into over after before
  per off such own other same both few many much no nor too again once under between through during
  new one two first last day days year years time way people said says get got make made like well`.split(
    /\s+/,
  ),
);
/** Spellings typical of English words (th, wh, ck, -tion, -ing, -ough, -ght, w). */
const EN_SPELLING = /th|wh|ck|sh|tion|ing$|ough|ght|w|ee|oo|ea|ou|ly$|ness$/;

/** Detects the language of a text (a post, a phrase or a single word). */
export function detect(text: string): Lang {
  const clean = text.includes("@") || text.includes("#") || text.includes("/") ? stripProtected(text) : text;
  let cyrScore = 0;
  let cyrWords = 0;
  let latScore = 0;
  let latWords = 0;
  let enStop = 0;
  let enSpelling = 0;
  let longLatWords = 0;
  let other = 0;
  let otherCyr = false;
  // capitalised words after the first are mostly names, which travel between languages: in longer
  // text they count less
  let capitalised = 0;
  let otherLat = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(clean); m !== null; m = WORD.exec(clean)) {
    const w = kkLower(m[0]);
    if (CYR.test(w)) {
      // an initial (В. Г. Сальников) says nothing about the language
      if (w.length === 1 && m[0] !== w && clean[m.index + 1] === ".") continue;
      cyrWords++;
      let score = cachedScore(w);
      // a lower-case word with Kazakh letters is a Kazakh word, not a Kazakh name quoted in Russian
      if (m[0] === w) {
        if (score < 8 && KK_LETTER.test(w)) score = 8;
        cyrScore += score;
      } else if (m.index > 0) capitalised += score;
      else cyrScore += score;
      if (OTHER_CYRILLIC.test(w)) otherCyr = true;
    } else if (LATIN.test(w)) {
      latWords++;
      latScore += latinWordScore(w);
      if (w.length > 1) longLatWords++;
      if (EN_STOP.has(w)) enStop++;
      else if (EN_SPELLING.test(w)) enSpelling++;
      if (OTHER_LATIN.test(w)) otherLat++;
    } else other++;
  }
  const nameWeight = cyrWords >= 4 ? 0.4 : 1;
  cyrScore += nameWeight * capitalised;
  if (cyrWords === 0 && latWords === 0) return "other";
  if (other > cyrWords + latWords) return "other";
  if (cyrWords >= latWords) {
    if (otherCyr && cyrScore < 4 * cyrWords) return "other";
    return cyrScore > 0 ? "kk" : "ru";
  }
  if (latScore > 0) return "kk";
  // another Latin-script language: its own letters, or (longer text without a single English
  // function word or English spelling) franc's verdict
  if (otherLat > 1 || (otherLat === 1 && latWords <= 3)) return "other";
  if (longLatWords >= 6 && enStop === 0 && enSpelling <= longLatWords / 6) {
    const guess = franc(clean, { only: LATIN_LANGS, minLength: 20 });
    if (guess !== "eng" && guess !== "und") return "other";
  }
  return "en";
}

const KK_LETTER = /[әғқңөұүһі]/;
const SCORES = new Map<string, number>();

/** Word scores are pure and words repeat; a bounded cache keeps detect() fast on running text. */
function cachedScore(w: string): number {
  let score = SCORES.get(w);
  if (score === undefined) {
    score = cyrillicWordScore(w);
    if (SCORES.size >= 50_000) SCORES.clear();
    SCORES.set(w, score);
  }
  return score;
}

function stripProtected(text: string): string {
  return text.replace(PROTECTED, (m) => (m.startsWith("#") ? ` ${m.slice(1)} ` : " "));
}
