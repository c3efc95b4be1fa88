// English stemming: the Porter algorithm as packaged by @orama/stemmers.
import { stemmer } from "@orama/stemmers/english";

/** Stems an English word (lower case). */
export function stemEnglish(word: string): string {
  return stemmer(word);
}
