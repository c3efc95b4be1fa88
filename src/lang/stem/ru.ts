// Russian stemming: the Snowball algorithm as packaged by @orama/stemmers.
import { stemmer } from "@orama/stemmers/russian";

/** Stems a Russian word (lower case; ё is folded to е first, as Snowball expects). */
export function stemRussian(word: string): string {
  return stemmer(word.includes("ё") ? word.replaceAll("ё", "е") : word);
}
