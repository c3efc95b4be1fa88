// Search keys for a text: the same function runs on indexed posts and on queries, so a word matches
// whatever its script or inflection. Steps: normalise (NFC, lookalike letters), tokenise, and per word:
// Kazakh Latin → Cyrillic, Kazakh-aware lower case, stem by language. A Cyrillic word with a
// Kazakh-only letter is Kazakh; other Cyrillic words follow the text's language (or, in a text of
// no clear language, their own evidence); Latin words are Kazakh when they look like Kazakh Latin and
// English otherwise. Hashtags, mentions, URLs and e-mail addresses are kept whole as special keys
// ("#тег", "@user@host", the URL); numbers keep their digits, and a word attached by hyphen
// ("2024-жылы") also gives its stem.

import type { Lang } from "./langid.ts";
import { cyrillicWordScore, latinWordScore } from "./langid-rules.ts";
import { detectLatinVariant } from "./latin-variants.ts";
import { normalize } from "./normalize.ts";
import { stemEnglish } from "./stem/en.ts";
import { stemKazakh } from "./stem/kk.ts";
import { stemRussian } from "./stem/ru.ts";
import { wordToCyrillic } from "./to-cyrillic.ts";
import { tokenize } from "./tokenize.ts";
import type { LatinVariant } from "./translit.ts";

export interface AnalyzeOptions {
  /** The text's language when already known (a post's declared language); detected otherwise. */
  lang?: Lang;
}

const KK_LETTER = /[әғқңөұүһі]/;
const CYRILLIC = /[\u0400-\u04ff]/;
const LATIN = /[A-Za-z\u00c0-\u024f]/;
const PART_SPLIT = /[-–]/;
const CACHE_LIMIT = 200_000;

/** What analysis needs to know about one word form, computed once and cached. */
interface WordInfo {
  /** evidence for Kazakh (> 0) against Russian or English (< 0); 0 for words of other scripts */
  score: number;
  cyrillic: boolean;
  /** key when the word is read as Kazakh / as Russian or English; computed on first use */
  kk?: string;
  other?: string;
}

// Word frequencies are Zipfian: nearly every token is a cache hit, which keeps analysis fast.
const infos = new Map<string, WordInfo>();

function infoOf(word: string): WordInfo {
  let info = infos.get(word);
  if (info === undefined) {
    if (infos.size >= CACHE_LIMIT) infos.clear();
    const lower = word.toLowerCase();
    if (CYRILLIC.test(word))
      info = { score: KK_LETTER.test(lower) ? 100 : cyrillicWordScore(lower), cyrillic: true };
    else if (LATIN.test(word)) info = { score: latinWordScore(lower), cyrillic: false };
    else info = { score: 0, cyrillic: false, kk: lower, other: lower };
    infos.set(word, info);
  }
  return info;
}

/** The key of a word in a text whose language is `textLang` (Latin words spelled in `variant`). */
function keyOf(word: string, info: WordInfo, textLang: Lang, variant: LatinVariant): string {
  const asKazakh = info.cyrillic
    ? info.score >= 100 || textLang === "kk" || (textLang !== "ru" && info.score > 0)
    : info.score > 0 || (textLang === "kk" && info.score > -1);
  if (asKazakh) {
    if (info.kk === undefined || (!info.cyrillic && variant !== "2021")) {
      const cyr = info.cyrillic ? word : wordToCyrillic(word, variant);
      const key = stemKazakh(cyr.toLowerCase());
      if (!info.cyrillic && variant !== "2021") return key;
      info.kk = key;
    }
    return info.kk;
  }
  if (info.other === undefined) {
    const lower = word.toLowerCase();
    info.other = info.cyrillic ? stemRussian(lower) : stemEnglish(lower.replace(/['’ʼ]s$/, ""));
  }
  return info.other;
}

/** The search key of one word (no spaces, no punctuation) in a text of language `textLang`. */
export function wordKey(word: string, textLang: Lang = "other", variant: LatinVariant = "2021"): string {
  return keyOf(word, infoOf(word), textLang, variant);
}

/** Turns a text into search keys (for the index and for queries alike). */
export function analyze(text: string, options: AnalyzeOptions = {}): string[] {
  const norm = normalize(text);
  const tokens = tokenize(norm);
  const keys: string[] = [];
  if (tokens.length === 0) return keys;
  const variant = LATIN.test(norm) ? detectLatinVariant(norm) : "2021";
  let textLang = options.lang;
  if (textLang === undefined) {
    // the text's language from the same word evidence detect() uses, read from the cache
    let cyr = 0;
    let lat = 0;
    let cyrWords = 0;
    let latWords = 0;
    for (const t of tokens) {
      if (t.type !== "word") continue;
      const info = infoOf(t.text);
      if (info.cyrillic) {
        cyr += info.score >= 100 ? 6 : info.score;
        cyrWords++;
      } else {
        lat += info.score;
        latWords++;
      }
    }
    if (cyrWords + latWords <= 1) textLang = "other";
    else if (cyrWords >= latWords) textLang = cyr > 0 ? "kk" : "ru";
    else textLang = lat > 0 ? "kk" : "en";
  }
  for (const t of tokens) {
    switch (t.type) {
      case "word":
        if (PART_SPLIT.test(t.text)) {
          for (const part of t.text.split(PART_SPLIT))
            if (part.length > 0) keys.push(wordKey(part, textLang, variant));
        } else keys.push(keyOf(t.text, infoOf(t.text), textLang, variant));
        break;
      case "number": {
        const dash = t.text.search(PART_SPLIT);
        if (dash < 0) keys.push(t.text);
        else {
          keys.push(t.text.slice(0, dash));
          const suffix = wordKey(t.text.slice(dash + 1), textLang, variant);
          // "18-ші", "2024-ге": a bare grammatical suffix is no search key of its own
          if (suffix.length >= 3) keys.push(suffix);
        }
        break;
      }
      case "hashtag":
        keys.push("#" + t.text.slice(1).toLowerCase());
        break;
      case "mention":
      case "email":
        keys.push(t.text.toLowerCase());
        break;
      default:
        keys.push(t.text);
    }
  }
  return keys;
}
