// Public API of the Kazakh language kit. Nothing here imports from the rest of Torgai.
export { caseShape, kkCapitalize, kkFold, kkLower, kkUpper } from "./casing.ts";
export { detectLatinVariant } from "./latin-variants.ts";
export { type ToCyrillicOptions, toCyrillic, wordToCyrillic } from "./to-cyrillic.ts";
export { type LatinVariant, toLatin, wordToLatin } from "./translit.ts";
