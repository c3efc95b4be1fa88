// Kazakh inflection as evidence for language identification. A Kazakh word is a stem followed by a
// chain of suffixes whose every allomorph is fixed by the stem: the vowel follows the stem's last
// vowel (back а о ұ ы я / front ә е ө ү і), the first consonant follows its last sound (л-/н- after
// vowels, д- after voiced consonants, т-/қ-/к- after voiceless ones). Russian words, including the
// Russian loanwords Kazakh inflects (процес-тер-де, теория-сын, директор-лар), almost never end in a
// chain that agrees with its stem this way, so a match is strong evidence even on an unfamiliar stem.
// Generated from the grammar (Kazakh suffix allomorphy), not from any word list.

const VOWELS = "аоұыуяёюәеөүіэи";
const BACK_V = "аоұыяё";
const FRONT_V = "әеөүіэ";
const VOICELESS = "кқпстфхцчшщ";
const NASAL = "мнң";

type Slot =
  | "PL"
  | "POSS3"
  | "GEN"
  | "ACC"
  | "DAT"
  | "LOC"
  | "ABL"
  | "INS"
  | "EQU"
  | "ATTR"
  | "PAST"
  | "PTCP"
  | "CONV"
  | "COND"
  | "HAB"
  | "ACC3"
  | "DAT3"
  | "LOC3"
  | "ABL3"
  | "GEN3";

/** Suffix chains worth looking for, with the evidence each gives. */
const CHAINS: [Slot[], number][] = [
  [["PL"], 3],
  [["PL", "GEN"], 6],
  [["PL", "ACC"], 6],
  [["PL", "DAT"], 6],
  [["PL", "LOC"], 6],
  [["PL", "ABL"], 6],
  [["PL", "INS"], 6],
  [["PL", "POSS3"], 5],
  [["PL", "POSS3", "GEN3"], 7],
  [["PL", "POSS3", "ACC3"], 7],
  [["PL", "POSS3", "DAT3"], 7],
  [["PL", "POSS3", "LOC3"], 7],
  [["PL", "POSS3", "ABL3"], 7],
  [["POSS3", "GEN3"], 5],
  [["POSS3", "ACC3"], 2.5],
  [["POSS3", "DAT3"], 4],
  [["POSS3", "LOC3"], 5],
  [["POSS3", "ABL3"], 5],
  [["GEN"], 2.5],
  [["LOC"], 0.5],
  [["ABL"], 2.5],
  [["DAT"], 2],
  [["INS"], 2],
  [["EQU"], 1],
  [["ATTR"], 3],
  [["LOC", "ATTR"], 5],
  [["PTCP"], 2],
  [["CONV"], 1.5],
  [["HAB"], 2.5],
  [["COND"], 0.5],
];

function lastVowel(w: string, end: number): string {
  for (let i = end - 1; i >= 0; i--) if (VOWELS.includes(w[i]) && w[i] !== "у" && w[i] !== "и") return w[i];
  return "";
}

/** The suffix chain as it would be spelt after a stem of this harmony ending in `prev`. */
function realise(back: boolean, last: string, chain: Slot[]): string {
  const A = back ? "а" : "е";
  const Y = back ? "ы" : "і";
  const G = back ? "ғ" : "г";
  const Q = back ? "қ" : "к";
  let out = "";
  let prev = last;
  for (const slot of chain) {
    const vowelBefore = VOWELS.includes(prev) && prev !== "у";
    const voiceless = VOICELESS.includes(prev) || "бвгд".includes(prev);
    const nasal = NASAL.includes(prev);
    let s = "";
    switch (slot) {
      case "PL":
        s = (vowelBefore || "рйу".includes(prev) ? "л" : voiceless ? "т" : "д") + A + "р";
        break;
      case "POSS3":
        s = vowelBefore ? "с" + Y : Y;
        break;
      case "GEN":
        s = (vowelBefore || nasal ? "н" : voiceless ? "т" : "д") + Y + "ң";
        break;
      case "ACC":
        s = (vowelBefore ? "н" : voiceless ? "т" : "д") + Y;
        break;
      case "DAT":
        s = (voiceless ? Q : G) + A;
        break;
      case "LOC":
        s = (voiceless ? "т" : "д") + A;
        break;
      case "ABL":
        s = (nasal ? "н" : voiceless ? "т" : "д") + A + "н";
        break;
      case "INS":
        s = vowelBefore || nasal || "лрйу".includes(prev) ? "мен" : voiceless ? "пен" : "бен";
        break;
      case "EQU":
        s = "ш" + A;
        break;
      case "ATTR":
        s = (voiceless ? "т" : "д") + A + G + Y;
        break;
      case "PTCP":
        s = (voiceless ? Q : G) + A + "н";
        break;
      case "CONV":
        s = vowelBefore ? "п" : Y + "п";
        break;
      case "COND":
        s = "с" + A;
        break;
      case "HAB":
        s = vowelBefore ? "йт" + Y + "н" : A + "т" + Y + "н";
        break;
      case "GEN3":
        s = "н" + Y + "ң";
        break;
      case "ACC3":
        s = "н";
        break;
      case "DAT3":
        s = "н" + A;
        break;
      case "LOC3":
        s = "нд" + A;
        break;
      case "ABL3":
        s = "н" + A + "н";
        break;
    }
    out += s;
    prev = s[s.length - 1];
  }
  return out;
}

// Chains as spelt after each (harmony, last letter) pair, built on first use.
const SPELT = new Map<string, Map<string, number>>();

function speltAfter(back: boolean, last: string): Map<string, number> {
  const key = (back ? "b" : "f") + last;
  let m = SPELT.get(key);
  if (m === undefined) {
    m = new Map();
    for (const [chain, weight] of CHAINS) {
      const s = realise(back, last, chain);
      if ((m.get(s) ?? 0) < weight) m.set(s, weight);
    }
    SPELT.set(key, m);
  }
  return m;
}

/**
 * Evidence (≥ 0) that a lower-case Cyrillic word ends in a Kazakh suffix chain agreeing with its
 * stem. The stem must keep a vowel and two letters or more. A Russian loan in -ия taking a Kazakh
 * ending (теория-сы, Греция-да) counts extra: Russian declines these nouns only with -и, -ю, -ей.
 */
export function kazakhInflectionScore(w: string): number {
  let best = 0;
  for (let end = w.length - 1; end >= 2 && w.length - end <= 9; end--) {
    const v = lastVowel(w, end);
    const back = BACK_V.includes(v);
    if (!back && !FRONT_V.includes(v)) continue;
    const weight = speltAfter(back, w[end - 1]).get(w.slice(end));
    if (weight === undefined) continue;
    const bonus = w[end - 1] === "я" && w[end - 2] === "и" ? 3 : 0;
    if (weight + bonus > best) best = weight + bonus;
  }
  return best;
}
