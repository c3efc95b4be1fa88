// Input normalisation: NFC, invisible characters removed, and Kazakh letters typed with lookalikes
// repaired. Only unambiguous repairs are made: Latin homoglyphs inside a word that is otherwise
// Cyrillic (the Latin "a" in "қaзақ"), Latin ə for ә, and the Kazakh-looking letters of other
// Cyrillic alphabets (Bashkir ҡ, Tatar ӊ, Altai ӧ ӱ …). Russian letters standing for Kazakh ones (о
// for ө, к for қ) are left alone: "кол" may be Russian "кол" or a mistyped "қол", nobody can tell.
// The Ukrainian/Belarusian і is already the Kazakh і (U+0456).

/** Other alphabets' letters that can only mean a Kazakh letter. */
const LOOKALIKE: Record<string, string> = {
  ӊ: "ң",
  Ӊ: "Ң",
  ҥ: "ң",
  Ҥ: "Ң",
  ҡ: "қ",
  Ҡ: "Қ",
  ӄ: "қ",
  Ӄ: "Қ",
  ӧ: "ө",
  Ӧ: "Ө",
  ӱ: "ү",
  Ӱ: "Ү",
  ӓ: "ә",
  Ӓ: "Ә",
  ӛ: "ә",
  Ӛ: "Ә",
  ҕ: "ғ",
  Ҕ: "Ғ",
  ӻ: "ғ",
  Ӻ: "Ғ",
  ɵ: "ө",
  Ɵ: "Ө",
};

/** Latin letters that look like Cyrillic ones, for words that mix the two scripts. */
const HOMOGLYPH: Record<string, string> = {
  a: "а",
  e: "е",
  o: "о",
  p: "р",
  c: "с",
  x: "х",
  y: "у",
  i: "і",
  ı: "і",
  h: "һ",
  k: "к",
  ə: "ә",
  A: "А",
  B: "В",
  E: "Е",
  K: "К",
  M: "М",
  H: "Н",
  O: "О",
  P: "Р",
  C: "С",
  T: "Т",
  X: "Х",
  Y: "У",
  I: "І",
  Ə: "Ә",
};

const INVISIBLE = /[\u00ad\u200b\u2060\ufeff]/g;
const LOOKALIKE_RE = /[ӊӉҥҤҡҠӄӃӧӦӱӰӓӒӛӚҕҔӻӺɵƟ]/g;
const MIXED_WORD =
  /[\p{L}\p{M}]*(?:[\u0400-\u04ff][\p{L}\p{M}]*[A-Za-zıəƏ]|[A-Za-zıəƏ][\p{L}\p{M}]*[\u0400-\u04ff])[\p{L}\p{M}]*/gu;
const LATIN_HOMOGLYPH = /[aeopcxyiıhkəABEKMHOPCTXYIƏ]/g;
const RARE = /[\u00ad\u200b\u2060\ufeffӊӉҥҤҡҠӄӃӧӦӱӰӓӒӛӚҕҔӻӺɵƟ]/;
const HAS_LATIN = /[A-Za-zıəƏ]/;
const NEEDS_WORK = /[\u00ad\u200b\u2060\ufeffӊӉҥҤҡҠӄӃӧӦӱӰӓӒӛӚҕҔӻӺɵƟəƏ]|[\u0400-\u04ff]/;

/** Normalises user input for storage comparison and search. Idempotent. */
export function normalize(text: string): string {
  let t = text.normalize("NFC");
  if (!NEEDS_WORK.test(t)) return t;
  if (RARE.test(t)) t = t.replace(INVISIBLE, "").replace(LOOKALIKE_RE, (c) => LOOKALIKE[c]);
  if (HAS_LATIN.test(t)) t = t.replace(MIXED_WORD, (w) => w.replace(LATIN_HOMOGLYPH, (c) => HOMOGLYPH[c]));
  if (t.includes("ə") || t.includes("Ə")) t = t.replace(/[əƏ]/g, (c) => (c === "ə" ? "ä" : "Ä"));
  return t;
}
