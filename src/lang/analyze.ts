// Search keys for a text: the same function runs on indexed posts and on queries, so a word matches
// whatever its script or inflection. Steps: normalise (NFC, lookalike letters), tokenise, and per word:
// Kazakh Latin → Cyrillic, Kazakh-aware lower case, stem by language. A Cyrillic word with a
// Kazakh-only letter is Kazakh; other Cyrillic words follow the text's language (or, in a text of
// no clear language, their own evidence); Latin words are Kazakh when they look like Kazakh Latin and
// English otherwise. Hashtags, mentions, URLs and e-mail addresses are kept whole as special keys
// ("#тег", "@user@host", the URL); numbers keep their digits, and a word attached by hyphen
// ("2024-жылы") also gives its stem.

import { detect, type Lang } from "./langid.ts";
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

// Word → key caches, one per context that can change the result. Word frequencies are Zipfian, so
// most tokens are cache hits and analysis stays well above a million tokens a second.
const caches = new Map<string, Map<string, string>>();

function cacheFor(context: string): Map<string, string> {
  let c = caches.get(context);
  if (c === undefined) {
    c = new Map();
    caches.set(context, c);
  }
  if (c.size > CACHE_LIMIT) c.clear();
  return c;
}

function cyrillicKey(word: string, textLang: Lang): string {
  const w = word.toLowerCase();
  let kk: boolean;
  if (KK_LETTER.test(w)) kk = true;
  else if (textLang === "kk") kk = true;
  else if (textLang === "ru") kk = false;
  else kk = cyrillicWordScore(w) > 0;
  return kk ? stemKazakh(w) : stemRussian(w);
}

function latinKey(word: string, textLang: Lang, variant: LatinVariant): string {
  const lower = word.toLowerCase();
  const score = latinWordScore(lower);
  if (score > 0 || (textLang === "kk" && score > -1)) {
    return stemKazakh(wordToCyrillic(word, variant).toLowerCase());
  }
  return stemEnglish(lower.replace(/['’ʼ]s$/, ""));
}

/** The search key of one word (no spaces, no punctuation) in a text of language `textLang`. */
export function wordKey(word: string, textLang: Lang = "other", variant: LatinVariant = "2021"): string {
  const cache = cacheFor(textLang + variant);
  let key = cache.get(word);
  if (key === undefined) {
    if (CYRILLIC.test(word)) key = cyrillicKey(word, textLang);
    else if (LATIN.test(word)) key = latinKey(word, textLang, variant);
    else key = word.toLowerCase();
    cache.set(word, key);
  }
  return key;
}

/** Turns a text into search keys (for the index and for queries alike). */
export function analyze(text: string, options: AnalyzeOptions = {}): string[] {
  const norm = normalize(text);
  const tokens = tokenize(norm);
  const keys: string[] = [];
  if (tokens.length === 0) return keys;
  const textLang = options.lang ?? (tokens.length === 1 ? "other" : detect(norm));
  const variant = LATIN.test(norm) ? detectLatinVariant(norm) : "2021";
  for (const t of tokens) {
    switch (t.type) {
      case "word":
        if (PART_SPLIT.test(t.text)) {
          for (const part of t.text.split(PART_SPLIT))
            if (part.length > 0) keys.push(wordKey(part, textLang, variant));
        } else keys.push(wordKey(t.text, textLang, variant));
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
