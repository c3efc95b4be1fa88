// Kazakh Latin spellings in use: the 2021 alphabet, the 2018 one (acute accents, sh/ch digraphs), the
// 2017 one (apostrophes: a' g' n' o' u' y' i' s' c'; typed as U+0027, U+2019 or U+02BC) and informal
// ASCII (sh zh ch, g' k' n', ya yu). Each is read into "units": one lower-case symbol per sound in
// the 2021 alphabet, or a Cyrillic letter when the variant already settles it (2018 "ch" is ч, ASCII
// "ya" is я), plus upper-case flags. to-cyrillic.ts turns units into Cyrillic.

import { isUpperChar, kkLower } from "./casing.ts";
import type { LatinVariant } from "./translit.ts";

export interface Units {
  /** lower-case symbols, one per unit */
  s: string;
  /** upper-case flag per unit */
  caps: boolean[];
  /** the whole word was written in capitals */
  allCaps: boolean;
  /** і and и are not told apart (informal ASCII): lexicon look-ups fold ı to i */
  fold: boolean;
}

const APOSTROPHES = "'’ʼ";
const isApostrophe = (c: string | undefined): boolean => c !== undefined && APOSTROPHES.includes(c);

const MARK_2021 = /[äğñöūüşİÄĞÑÖŪÜŞ]/g;
/** ı is І in 2021 and И in 2018 */
const MARK_DOTLESS = /ı/g;
const MARK_2018 = /[áǵńóúýÁǴŃÓÚÝ]/g;
const MARK_2017 = /[scCiIyY]['’ʼ]/g;
const MARK_APOSTROPHE = /[aAoOuUgGnN]['’ʼ]/g;
const MARK_ASCII = /[kK]['’ʼ]|[zZ][hH]|\b[yY][aAuU]|[aeiouy][yY][aAuU]/g;
const MARK_DIGRAPH = /[sScC][hH]/g;

const isVowelLetter = (c: string | undefined): boolean => c !== undefined && "aeiouyáóúýı".includes(c);

const count = (re: RegExp, text: string): number => {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
};

/**
 * Which Latin spelling a text uses. Text without any distinguishing letter is taken as informal
 * ASCII, whose reading (vowel harmony decides і/и and ұ/у) suits plain keyboard typing best.
 */
export function detectLatinVariant(text: string): LatinVariant {
  const v2021 = count(MARK_2021, text);
  const v2018 = count(MARK_2018, text);
  const v2017 = count(MARK_2017, text);
  const apostrophes = count(MARK_APOSTROPHE, text);
  const ascii = count(MARK_ASCII, text);
  const digraphs = count(MARK_DIGRAPH, text);
  if (v2021 > 0 && v2021 >= v2018 && v2021 >= v2017 + apostrophes) return "2021";
  if (v2018 > 0 && v2018 >= v2017) return "2018";
  if (count(MARK_DOTLESS, text) > 0) return digraphs > 0 ? "2018" : "2021";
  if (v2017 > 0 && v2017 >= ascii) return "2017";
  if (ascii > 0 || digraphs > 0) return "ascii";
  if (apostrophes > 0) return "2017";
  return "ascii";
}

const MAP_2018: Record<string, string> = {
  á: "ä",
  ǵ: "ğ",
  ń: "ñ",
  ó: "ö",
  ú: "ü",
  ý: "u",
  u: "ū",
  i: "ı",
  ı: "i",
};
const MAP_2017_APOS: Record<string, string> = {
  a: "ä",
  g: "ğ",
  n: "ñ",
  o: "ö",
  u: "ü",
  y: "u",
  i: "i",
  s: "ş",
  c: "ч",
};
const MAP_2017: Record<string, string> = { u: "ū", i: "ı" };
const MAP_ASCII_APOS: Record<string, string> = { a: "ä", g: "ğ", n: "ñ", o: "ö", u: "ü", k: "q", i: "i" };
const MAP_ASCII_H: Record<string, string> = { s: "ş", z: "j", c: "ч", g: "ğ", k: "х" };
const MAP_ASCII_Y: Record<string, string> = { a: "я", u: "ю", o: "ё" };
const MAP_ASCII: Record<string, string> = { w: "у", x: "х", c: "ц" };

/** Reads one Latin word written in `variant` into units. */
export function toUnits(word: string, variant: LatinVariant): Units {
  const caps: boolean[] = [];
  let upperCount = 0;
  let lowerCount = 0;
  for (const c of word) {
    if (isUpperChar(c)) upperCount++;
    else if (c !== c.toUpperCase()) lowerCount++;
  }
  const allCaps = upperCount >= 2 && lowerCount === 0;
  if (variant === "2021") {
    for (let i = 0; i < word.length; i++) caps.push(isUpperChar(word[i]));
    return { s: kkLower(word), caps, allCaps, fold: false };
  }
  const lw = word.toLowerCase();
  const hasBack = /[aouy]/.test(lw);
  let s = "";
  for (let i = 0; i < lw.length; i++) {
    const c = lw[i];
    const nx = lw[i + 1];
    let unit = c;
    let used = 1;
    if (variant === "2018") {
      if (nx === "h" && (c === "s" || c === "c")) [unit, used] = [c === "s" ? "ş" : "ч", 2];
      else if (c === "t" && nx === "s" && (i === 0 || lw[i + 2] === "ı")) [unit, used] = ["ц", 2];
      else if (word[i] === "I" && (hasBack || isVowelLetter(nx))) unit = "i";
      else unit = MAP_2018[c] ?? c;
    } else if (variant === "2017") {
      if (isApostrophe(nx) && MAP_2017_APOS[c]) [unit, used] = [MAP_2017_APOS[c], 2];
      else if (c === "t" && nx === "s" && (i === 0 || (lw[i + 2] === "i" && isApostrophe(lw[i + 3]))))
        [unit, used] = ["ц", 2];
      else unit = MAP_2017[c] ?? c;
    } else {
      if (isApostrophe(nx) && MAP_ASCII_APOS[c]) [unit, used] = [MAP_ASCII_APOS[c], 2];
      else if (c === "s" && nx === "c" && lw[i + 2] === "h") [unit, used] = ["щ", 3];
      else if (nx === "h" && MAP_ASCII_H[c]) [unit, used] = [MAP_ASCII_H[c], 2];
      else if (c === "t" && nx === "s" && (i === 0 || (lw[i + 2] === "i" && hasBack)))
        [unit, used] = ["ц", 2];
      else if (c === "y" && nx !== undefined && MAP_ASCII_Y[nx]) [unit, used] = [MAP_ASCII_Y[nx], 2];
      else if (c === "n" && nx === "g" && i + 2 === lw.length) [unit, used] = ["ñ", 2];
      else unit = MAP_ASCII[c] ?? c;
    }
    s += unit;
    caps.push(isUpperChar(word[i]));
    i += used - 1;
  }
  if (variant === "ascii") s = resolveAsciiVowels(s);
  return { s, caps, allCaps, fold: variant === "ascii" };
}

const VOWEL_UNITS = "aäeiıoöuūüyяюё";
const BACK = "aoyя";

/**
 * Informal ASCII writes і and и both as "i", ұ and у both as "u". Vowel harmony decides: a word with
 * back vowels gets и and ұ; і elsewhere; "u" next to a vowel or at the end is the glide у.
 */
function resolveAsciiVowels(s: string): string {
  // any back vowel means the word is not a native front-vowel word, so "i" is и there
  let isBack = false;
  for (const c of s) if (BACK.includes(c)) isBack = true;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const p = s[i - 1];
    const nx = s[i + 1];
    const prevVowel = p !== undefined && VOWEL_UNITS.includes(p);
    if (c === "i") {
      if (p === "i") out += nx === undefined ? "i" : "ı";
      else if (prevVowel || isBack || nx === "i" || nx === "a" || nx === "e") out += "i";
      else out += "ı";
    } else if (c === "u") {
      const nextVowel = nx !== undefined && VOWEL_UNITS.includes(nx);
      out += !isBack || prevVowel || nextVowel || nx === undefined ? "u" : "ū";
    } else out += c;
  }
  return out;
}
