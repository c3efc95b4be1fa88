// Public API of the Kazakh language kit. Nothing here imports from the rest of Torgai, so the folder
// can be published on its own.
export { type AnalyzeOptions, analyze, wordKey } from "./analyze.ts";
export { type CaseShape, caseShape, kkCapitalize, kkFold, kkLower, kkUpper } from "./casing.ts";
export { detect, type Lang } from "./langid.ts";
export { detectLatinVariant } from "./latin-variants.ts";
export { normalize } from "./normalize.ts";
export { stemEnglish } from "./stem/en.ts";
export { stemKazakh } from "./stem/kk.ts";
export { stemRussian } from "./stem/ru.ts";
export { type ToCyrillicOptions, toCyrillic, wordToCyrillic } from "./to-cyrillic.ts";
export { type Token, type TokenType, tokenize } from "./tokenize.ts";
export { type LatinVariant, toLatin, wordToLatin } from "./translit.ts";
