// Kazakh-aware casing. The 2021 Latin alphabet pairs letters the Turkish way: dotless I/ı stands for
// Cyrillic І/і and dotted İ/i for И/Й, so the default Unicode mappings ("I" → "i", "İ" → "i̇") are
// wrong for Kazakh Latin text. Cyrillic letters use the ordinary Unicode mappings.

/** Lower-cases Kazakh text: Latin "I" → "ı", "İ" → "i"; everything else as Unicode does. */
export function kkLower(text: string): string {
  if (text.indexOf("I") < 0 && text.indexOf("İ") < 0) return text.toLowerCase();
  return text.replace(/[Iİ]/g, (c) => (c === "I" ? "ı" : "i")).toLowerCase();
}

/** Upper-cases Kazakh text: Latin "i" → "İ", "ı" → "I"; everything else as Unicode does. */
export function kkUpper(text: string): string {
  if (text.indexOf("i") < 0 && text.indexOf("ı") < 0) return text.toUpperCase();
  return text.replace(/[iı]/g, (c) => (c === "i" ? "İ" : "I")).toUpperCase();
}

/** Upper-cases the first letter only, Kazakh-aware ("ıqylas" → "Iqylas", "iran" → "İran"). */
export function kkCapitalize(word: string): string {
  if (word.length === 0) return word;
  const first = word.codePointAt(0)!;
  const size = first > 0xffff ? 2 : 1;
  return kkUpper(word.slice(0, size)) + word.slice(size);
}

/**
 * Case folding for search keys: Kazakh lower case, and the Latin i/ı distinction removed as well
 * (people typing Kazakh Latin on ordinary keyboards rarely get dotted/dotless right).
 */
export function kkFold(text: string): string {
  return kkLower(text).replace(/ı/g, "i");
}

export function isUpperChar(c: string): boolean {
  return c !== c.toLowerCase() && c === c.toUpperCase();
}

export function isLowerChar(c: string): boolean {
  return c !== c.toUpperCase() && c === c.toLowerCase();
}

export type CaseShape = "lower" | "upper" | "title" | "mixed";

/**
 * Case shape of a word: "upper" needs at least two cased letters (a one-letter word such as "Я" is
 * "title", so that its transliteration "İa" keeps only the first letter upper).
 */
export function caseShape(word: string): CaseShape {
  let upper = 0;
  let lower = 0;
  let firstUpper = false;
  let cased = 0;
  for (const c of word) {
    if (isUpperChar(c)) {
      if (cased === 0) firstUpper = true;
      upper++;
      cased++;
    } else if (isLowerChar(c)) {
      lower++;
      cased++;
    }
  }
  if (upper === 0) return "lower";
  if (lower === 0) return upper >= 2 ? "upper" : "title";
  if (firstUpper && upper === 1) return "title";
  return "mixed";
}
