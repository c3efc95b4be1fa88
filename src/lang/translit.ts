// Cyrillic → Latin transliteration of Kazakh text.
//
// The default target is the 2021 alphabet (31 letters A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş
// T U Ū Ü V Y Z) with its published rules: И/Й → İ/i, І → I/ı (Turkish-style pairs), У → U, Ұ → Ū,
// Ү → Ü, Ц → S, Ч/Ш → Ş, Щ → ŞŞ, Э → E, Ю → İU, Я → İA, Ё → İO (Ö after a consonant: актёр →
// aktör), Ъ/Ь dropped. The 2018 and 2017 versions and a common informal ASCII spelling are available
// too (used to produce test input for the reverse direction, and for people who want them).
//
// Every Cyrillic word is converted, Russian loans included: inside Kazakh text they are Kazakh
// vocabulary. Whether a whole post is Kazakh is the caller's decision (see detect()). Latin words,
// numbers, emoji, URLs, e-mail addresses, @mentions and #tags are left exactly as written.

import { caseShape, isUpperChar, kkUpper } from "./casing.ts";
import { PROTECTED_SOURCE } from "./patterns.ts";

export type LatinVariant = "2021" | "2018" | "2017" | "ascii";

interface Table {
  letters: Record<string, string>;
  /** Upper-casing: Turkish-style dotted/dotless pairs for 2021, plain Unicode for the others */
  upper: (s: string) => string;
  /** ё after a consonant */
  yoAfterConsonant: string;
}

const plainUpper = (s: string): string => s.toUpperCase();

const BASE: Record<string, string> = {
  а: "a",
  б: "b",
  в: "v",
  г: "g",
  д: "d",
  е: "e",
  з: "z",
  к: "k",
  қ: "q",
  л: "l",
  м: "m",
  н: "n",
  о: "o",
  п: "p",
  р: "r",
  с: "s",
  т: "t",
  ф: "f",
  х: "h",
  һ: "h",
  ы: "y",
  э: "e",
  ъ: "",
  ь: "",
};

const TABLES: Record<LatinVariant, Table> = {
  "2021": {
    upper: kkUpper,
    letters: {
      ...BASE,
      ә: "ä",
      ғ: "ğ",
      ё: "io",
      ж: "j",
      и: "i",
      й: "i",
      ң: "ñ",
      ө: "ö",
      у: "u",
      ұ: "ū",
      ү: "ü",
      ц: "s",
      ч: "ş",
      ш: "ş",
      щ: "şş",
      і: "ı",
      ю: "iu",
      я: "ia",
    },
    yoAfterConsonant: "ö",
  },
  "2018": {
    upper: plainUpper,
    letters: {
      ...BASE,
      ә: "á",
      ғ: "ǵ",
      ё: "ıo",
      ж: "j",
      и: "ı",
      й: "ı",
      ң: "ń",
      ө: "ó",
      у: "ý",
      ұ: "u",
      ү: "ú",
      ц: "ts",
      ч: "ch",
      ш: "sh",
      щ: "shsh",
      і: "i",
      ю: "ıý",
      я: "ıa",
    },
    yoAfterConsonant: "ó",
  },
  "2017": {
    upper: plainUpper,
    letters: {
      ...BASE,
      ә: "a'",
      ғ: "g'",
      ё: "i'o",
      ж: "j",
      и: "i'",
      й: "i'",
      ң: "n'",
      ө: "o'",
      у: "y'",
      ұ: "u",
      ү: "u'",
      ц: "ts",
      ч: "c'",
      ш: "s'",
      щ: "s's'",
      і: "i",
      ю: "i'y'",
      я: "i'a",
    },
    yoAfterConsonant: "o'",
  },
  ascii: {
    upper: plainUpper,
    letters: {
      ...BASE,
      ә: "a'",
      ғ: "g'",
      ё: "yo",
      ж: "zh",
      и: "i",
      й: "i",
      қ: "k'",
      ң: "n'",
      ө: "o'",
      у: "u",
      ұ: "u",
      ү: "u'",
      ц: "ts",
      ч: "ch",
      ш: "sh",
      щ: "sch",
      і: "i",
      ю: "yu",
      я: "ya",
    },
    yoAfterConsonant: "o'",
  },
};

const CYR_CONSONANTS = new Set("бвгғджзйкқлмнңпрстфхһцчшщ");

/** Transliterates one Cyrillic word (a run of Cyrillic letters). */
export function wordToLatin(word: string, variant: LatinVariant = "2021"): string {
  const table = TABLES[variant];
  const lower = word.toLowerCase();
  const shape = caseShape(word);
  let out = "";
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i];
    let t = table.letters[c];
    if (t === undefined) t = c;
    else if (c === "ё" && i > 0 && CYR_CONSONANTS.has(lower[i - 1])) t = table.yoAfterConsonant;
    if (t.length === 0) continue;
    if (shape === "upper") t = table.upper(t);
    else if (shape !== "lower" && isUpperChar(word[i])) t = table.upper(t[0]) + t.slice(1);
    out += t;
  }
  return out;
}

// Protected spans are matched first so that their Cyrillic parts are skipped; Cyrillic word runs
// (the Cyrillic block covers Kazakh letters, U+0400–U+04FF) are converted.
const CYRILLIC_SCAN = new RegExp(`(${PROTECTED_SOURCE})|[\\u0400-\\u04ff]+`, "gu");

/** Converts Kazakh Cyrillic text to Latin (2021 alphabet unless another variant is asked for). */
export function toLatin(text: string, variant: LatinVariant = "2021"): string {
  return text.replace(CYRILLIC_SCAN, (m: string, prot: string | undefined) =>
    prot === undefined ? wordToLatin(m, variant) : m,
  );
}
