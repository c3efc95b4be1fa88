// Kazakh Latin → Cyrillic. The variant is detected per text (latin-variants.ts), each word is read
// into 2021-alphabet units, a loanword stem is looked up, and positional rules settle the rest:
//   i → й after a vowel, и elsewhere; "ia"/"iu" → я/ю (and "ia" after a consonant stays иа, as in
//   диалог; "ия" is written "iia"); şş → щ; s → ц in the Russian suffixes -ция, -циал, -цион, -циент;
//   ö → ё after a consonant in a word with no Kazakh-only letter before it (актёр: Kazakh ө only
//   stands in a first syllable); h → х; e → е. Words with c, w or x are not Kazakh 2021 spelling
//   (brand names, English) and are left alone, as are URLs, mentions and tags.

import { detectLatinVariant, toUnits, type Units } from "./latin-variants.ts";
import { LOAN_STEMS } from "./lexicon.ts";
import { PROTECTED_SOURCE } from "./patterns.ts";
import { type LatinVariant, wordToLatin } from "./translit.ts";

/** The 2021 letters that map to one Cyrillic letter whatever their context (i → и is the default). */
export const LATIN_2021_LETTERS: Record<string, string> = {
  a: "а",
  ä: "ә",
  b: "б",
  d: "д",
  e: "е",
  f: "ф",
  g: "г",
  ğ: "ғ",
  h: "х",
  i: "и",
  ı: "і",
  j: "ж",
  k: "к",
  l: "л",
  m: "м",
  n: "н",
  ñ: "ң",
  o: "о",
  ö: "ө",
  p: "п",
  q: "қ",
  r: "р",
  s: "с",
  ş: "ш",
  t: "т",
  u: "у",
  ū: "ұ",
  ü: "ү",
  v: "в",
  y: "ы",
  z: "з",
};

const VOWELS = "aäeiıoöuūüyаәеиіоөуұүыэюяё";
const isVowel = (c: string | undefined): boolean => c !== undefined && VOWELS.includes(c);
/** Letters only native Kazakh words have: a word containing one is not a Russian loan. */
const NATIVE = "äğqñūüöı";
/** Forced Cyrillic units spelled in the 2021 alphabet, for lexicon look-up. */
const UNIT_KEY: Record<string, string> = { ч: "ş", ц: "s", х: "h", я: "ia", ю: "iu", ё: "io", у: "u" };

interface LexEntry {
  cyr: string;
  exact: boolean;
}
const LEXICON = new Map<string, LexEntry>();
let maxKey = 0;
for (const item of LOAN_STEMS) {
  const exact = item.startsWith("=");
  const cyr = exact ? item.slice(1) : item;
  const key = wordToLatin(cyr);
  if (key.length < 3 && !exact) continue;
  LEXICON.set(key, { cyr, exact });
  // informal ASCII cannot tell і from и: its look-ups fold ı to i
  if (key.includes("ı")) LEXICON.set(key.replaceAll("ı", "i"), { cyr, exact });
  if (key.length > maxKey) maxKey = key.length;
}

/** Longest lexicon stem at the start of the units: [units consumed, Cyrillic] or null. */
function lookup(s: string, fold: boolean): [number, string] | null {
  let key = fold && s.includes("ı") ? s.replaceAll("ı", "i") : s;
  let ends: number[] | null = null;
  if (/[чцхяюёу]/.test(s)) {
    key = "";
    ends = [];
    for (let u = 0; u < s.length; u++) {
      const k = UNIT_KEY[s[u]] ?? (fold && s[u] === "ı" ? "i" : s[u]);
      key += k;
      for (let j = 0; j < k.length; j++) ends.push(j === k.length - 1 ? u + 1 : -1);
    }
  }
  for (let len = Math.min(key.length, maxKey); len >= 1; len--) {
    const entry = LEXICON.get(key.length === len ? key : key.slice(0, len));
    if (entry === undefined || (entry.exact && len !== key.length)) continue;
    const used = ends === null ? len : ends[len - 1];
    if (used > 0) return [used, entry.cyr];
  }
  return null;
}

function tseAt(s: string, i: number): boolean {
  if (i === 0) return false;
  const p = s[i - 1];
  const v = isVowel(p);
  if (s.startsWith("iia", i + 1)) return v || p === "k" || p === "p" || p === "n";
  if (s.startsWith("ial", i + 1)) return v || p === "n";
  if (s.startsWith("ion", i + 1)) return v || p === "k";
  if (s.startsWith("ient", i + 1)) return v;
  return false;
}

function yoAt(s: string, i: number): boolean {
  // ё after a consonant in loans ends a stem in -ёр/-ёт (актёр, режиссёр, самолёт); compounds such as
  // баспасөз and автокөлік keep ө
  if (i === 0 || isVowel(s[i - 1]) || (s[i + 1] !== "r" && s[i + 1] !== "t")) return false;
  let vowelBefore = false;
  for (let j = 0; j < i; j++) {
    if (NATIVE.includes(s[j])) return false;
    if (isVowel(s[j])) vowelBefore = true;
  }
  return vowelBefore;
}

/** Converts units (see latin-variants.ts) to Cyrillic, one output string per unit. */
export function unitsToCyrillic(units: Units): string {
  const s = units.s;
  const n = s.length;
  const out: string[] = new Array(n).fill("");
  let i = 0;
  const lex = lookup(s, units.fold);
  if (lex !== null) {
    i = lex[0];
    // Kazakh drops a stem's final ь before a vowel suffix: фестиваль + і → фестивалі
    out[0] = lex[1].endsWith("ь") && isVowel(s[i]) ? lex[1].slice(0, -1) : lex[1];
  }
  for (; i < n; i++) {
    const c = s[i];
    const nx = s[i + 1];
    let t: string;
    if (c === "i") {
      const p = s[i - 1];
      const glued = nx !== undefined && !units.caps[i + 1];
      // -ляция (инфляция, изоляция) is the one common Russian pattern with я after a consonant
      if (glued && nx === "a" && (i === 0 || isVowel(p) || (p === "l" && s.startsWith("siia", i + 2))))
        t = "я";
      else if (glued && nx === "u") t = "ю";
      else if (
        i === 0 ? nx === "o" : isVowel(p) && !(p === "u" && isVowel(s[i - 2])) && !s.startsWith("zm", i + 1)
      )
        t = "й";
      else t = "и";
      out[i] = t;
      if (t === "я" || t === "ю") i++;
      continue;
    }
    if (c === "ş" && nx === "ş") {
      out[i++] = "щ";
      continue;
    }
    if (c === "s") t = tseAt(s, i) ? "ц" : "с";
    else if (c === "ö") t = yoAt(s, i) ? "ё" : "ө";
    else t = LATIN_2021_LETTERS[c] ?? c;
    out[i] = t;
  }
  let word = "";
  if (units.allCaps) {
    for (let k = 0; k < n; k++) word += out[k];
    return word.toUpperCase();
  }
  for (let k = 0; k < n; k++) {
    const o = out[k];
    word += units.caps[k] && o.length > 0 ? o[0].toUpperCase() + o.slice(1) : o;
  }
  return word;
}

/** Converts one Latin word written in `variant` (2021 by default). */
export function wordToCyrillic(word: string, variant: LatinVariant = "2021"): string {
  return unitsToCyrillic(toUnits(word, variant));
}

const LATIN_LETTER = "A-Za-z\\u00c0-\\u024f\\u1e00-\\u1eff";
const LATIN_SCAN = new RegExp(`(${PROTECTED_SOURCE})|[${LATIN_LETTER}][${LATIN_LETTER}'’ʼ]*`, "gu");
const FOREIGN_2021 = /[cwxCWX]/;
const CYRILLIC_NEXT = /[\u0400-\u04ff]/;

export interface ToCyrillicOptions {
  /** Latin spelling of the input; detected from the text when omitted. */
  variant?: LatinVariant;
}

/** Converts Kazakh Latin text (any of the 2021, 2018, 2017 or informal ASCII spellings) to Cyrillic. */
export function toCyrillic(text: string, options: ToCyrillicOptions = {}): string {
  const variant = options.variant ?? detectLatinVariant(text);
  return text.replace(LATIN_SCAN, (m: string, prot: string | undefined, offset: number) => {
    if (prot !== undefined) return m;
    if (variant === "2021" && FOREIGN_2021.test(m)) return m;
    // a Latin name with a Cyrillic suffix (Samsung-ға) was written in Latin on purpose
    if (
      text[offset + m.length] === "-" &&
      CYRILLIC_NEXT.test(text.slice(offset + m.length + 1, offset + m.length + 2))
    )
      return m;
    return wordToCyrillic(m, variant);
  });
}
