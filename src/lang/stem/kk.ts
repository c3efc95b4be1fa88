// Kazakh stemmer: strips inflectional suffixes from the end of a (Cyrillic, lower-case) word.
//
// Kazakh words are root + (voice) + (negation) + tense/participle + plural + possessive + case +
// personal ending, and each suffix has allomorphs chosen by vowel harmony (back а ы ұ о / front ә е
// і ү ө) and by the sound before it (т-, қ-, к-, п- after voiceless consonants; н- case forms after
// the 3rd person possessive; л- plural after vowels and й у р). The stemmer removes the longest
// suffix that fits the word's harmony and assimilation, then continues leftwards only with suffix
// kinds that can stand further left (a case ending may follow a plural, never the reverse).
// Derivational suffixes (-лық, -шы, -сыз, -лы) are kept: they make new words with their own lemma.
// Short roots are protected by a minimum stem length and a list of roots that look suffixed.

type Kind = "pred" | "case" | "poss" | "plural" | "part" | "fin" | "neg" | "voice";

// Suffixes by kind, back and front forms together.
const SUFFIXES: Record<Kind, string> = {
  pred: "мын мін пын пін бын бін сың сің мыз міз пыз піз быз біз сыңдар сіңдер сыздар сіздер",
  case: `ның нің дың дің тың тің ға ге қа ке на не ны ні ды ді ты ті да де та те нда нде дан ден тан тен
    нан нен мен бен пен дағы дегі тағы тегі ндағы ндегі дай дей тай тей н`,
  poss: "ым ім ың ің ымыз іміз ыңыз іңіз ңыз ңіз ы і сы сі лары лері дары дері тары тері",
  plural: "лар лер дар дер тар тер",
  part: `ған ген қан кен атын етін йтын йтін у ушы уші мақ мек бақ бек пақ пек мас мес
    ғандықтан гендіктен қандықтан кендіктен`,
  fin: `ды ді ты ті дым дім тым тім ып іп п ыпты іпті пты пті ады еді йды йді амын емін ймын асың есің
    айсың ейсің амыз еміз аймыз ейміз сын сін сам сем саң сең сақ сек ғалы гелі қалы келі са се
    май мей пай пей`,
  neg: "ма ме ба бе па пе",
  voice: "ыл іл ын ін л дыр дір тыр тір ғыз гіз қыз кіз",
};

// What may stand to the left of a suffix of each kind (the word's end counts as "pred").
const LEFT: Record<Kind, Kind[]> = {
  pred: ["case", "poss", "plural", "part", "fin"],
  case: ["poss", "plural", "part"],
  poss: ["plural", "part"],
  plural: ["part"],
  part: ["neg", "voice"],
  fin: ["neg", "voice"],
  neg: ["voice"],
  voice: [],
};

interface Suffix {
  kind: Kind;
  harmony: 0 | 1 | 2; // 0 neutral, 1 back, 2 front
}

const BY_TEXT = new Map<string, Suffix[]>();
let maxLen = 0;
for (const kind of Object.keys(SUFFIXES) as Kind[]) {
  for (const s of SUFFIXES[kind].split(/\s+/)) {
    if (s.length === 0) continue;
    const harmony = /[аыұо]/.test(s) ? 1 : /[әеіүө]/.test(s) ? 2 : 0;
    const list = BY_TEXT.get(s) ?? [];
    list.push({ kind, harmony });
    BY_TEXT.set(s, list);
    if (s.length > maxLen) maxLen = s.length;
  }
}

const BACK = "аоұыяёю";
const FRONT = "әеөүіэ";
const VOWELS = "аоұыяёюәеөүіэиу";
const VOICELESS = "кқпстфхцчшщ";

/** Roots that end like a suffix but are whole words (and frequent). */
const ROOTS = new Set(
  `адам бала қала алма жұма орын қазан ауру ара ана ата аға апа іні әке шеше бие түйе мен сен сіз біз
  олар бұлар мына осы сол әрі бірі тері алты жеті сары ақы ана өте аса қана ғана тағы және немесе
  үшін деп дейін кейін бірге бүгін ертең қазір жыл ай күн түн таң тау су жер ел ер үй той қыз ұл әйел
  ерте кеше биыл алғы ашық әлем ауыл заң дала нан сан тән жан шын мұн сын дін тіл бой ой ми
  тамақ білім ғылым өнім орта қарт сайын тыс басқа маңыз бас тас қас ас жас жұмыс бизнес табыс
  дауыс күрес мақсат сапа қоса байланыс жағдай құдай жарты қазақстан себеп аудан майдан
  бірақ сонда мұнда онда қайда туралы арқылы бойынша сияқты секілді әлі енді әрине`.split(/\s+/),
);

function lastVowelHarmony(w: string, end: number): 0 | 1 | 2 {
  for (let i = end - 1; i >= 0; i--) {
    const c = w[i];
    if (BACK.includes(c)) return 1;
    if (FRONT.includes(c)) return 2;
    if (c === "и" || c === "у") return 0;
  }
  return 0;
}

function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (VOWELS.includes(w[i])) return true;
  return false;
}

/** Does the sound before the suffix fit the suffix's first letter? */
function fits(w: string, end: number, suffix: string, kind: Kind): boolean {
  const prev = w[end - 1];
  const first = suffix[0];
  const prevVowel = VOWELS.includes(prev) && prev !== "у";
  // loans ending in б в г д take the voiceless forms as Kazakh hears them (клуб-тың, Георг-тың)
  const voiceless = VOICELESS.includes(prev) || (end >= 3 && "бвгд".includes(prev));
  switch (first) {
    case "п":
      // the converb -п follows vowels (қара-п), -ып/-пты are handled as written
      return suffix === "п" ? prevVowel : voiceless;
    case "т":
      // -стан is part of country names (Қазақстан), not an ablative
      if ((suffix === "тан" || suffix === "тен") && prev === "с" && end >= 5) return false;
      return voiceless;
    case "қ":
    case "к":
      return voiceless;
    case "д":
    case "ғ":
    case "г":
    case "б":
      return !voiceless;
    case "л":
      if (kind === "voice") return prevVowel;
      return prevVowel || prev === "й" || prev === "у" || prev === "р";
    case "н":
      // genitive and ablative take н- after vowels and м н ң; the other н- case forms follow the 3rd
      // person possessive ы/і (үйі-нде, басы-на)
      if (kind !== "case") return true;
      if (suffix === "ның" || suffix === "нің" || suffix === "нан" || suffix === "нен")
        return prevVowel || prev === "м" || prev === "н" || prev === "ң";
      return prev === "ы" || prev === "і";
    case "ы":
    case "і":
      // agent nouns in -шы/-ші (басшы, оқушы) are words of their own, not possessives
      if (suffix.length === 1 && prev === "ш" && end >= 4) return false;
      return !prevVowel;
    case "а":
    case "е":
      // present -ады/-еді needs a stem that can end a verb: not the negation (кел-ме-ді) and not -ст
      // (баста-ды)
      if (
        (suffix === "ады" || suffix === "еді") &&
        /[мбп]$|ст$/.test(w.slice(0, end)) &&
        !VOWELS.includes(w[end - 2])
      )
        return false;
      // vowel-initial suffixes follow consonants
      return !prevVowel;
    case "с":
      return kind === "poss" ? prevVowel : true;
    default:
      return true;
  }
}

/**
 * Suffixes that need a stem of three letters or more (ұлы stays, жылы → жыл; кесе is a cup, not
 * ке-се).
 */
const MIN3 = ["ы", "і", "н", "п", "л", "са", "се"];

/** Stems that drop a vowel before a vowel suffix (халық → халқы), restored after stripping. */
const ELIDED = new Map([
  ["халқ", "халық"],
  ["орн", "орын"],
  ["ауз", "ауыз"],
  ["мұрн", "мұрын"],
  ["ерн", "ерін"],
  ["қарн", "қарын"],
  ["ерк", "ерік"],
  ["көңл", "көңіл"],
  ["әрп", "әріп"],
  ["ұлт", "ұлт"],
]);

/** Pronoun and auxiliary forms that do not follow the rules, mapped to their lemma. */
const IRREGULAR = new Map<string, string>();
for (const [lemma, forms] of [
  ["ол", "оның оны оған одан онда онымен онан олай"],
  ["олар", "олардың оларды оларға олардан оларда олармен"],
  ["де", "деп"],
  ["жат", "жатыр"],
  ["мен", "менің мені маған менен менде менімен пен бен"],
  ["сен", "сенің сені саған сенен сенде сенімен"],
  ["бұл", "бұның мұның бұны мұны бұған мұған бұдан мұнан мұнда бұнда мұнымен бұлардың бұларды"],
  ["сол", "соның соны соған содан сонда сонымен солардың"],
  ["өз", "өзі өзінің өзін өзіне өзінде өзінен өзімен өзім өзің өзіміз өздері өздерінің"],
  ["е", "еді екен емес едім едің едік екені екенін екенін екенде"],
  ["ма", "ба па ме бе пе"],
] as const) {
  for (const f of forms.split(" ")) IRREGULAR.set(f, lemma);
}

/** A stem that lost its final voiceless consonant to voicing before a vowel suffix: кітаб → кітап. */
function devoice(stem: string): string {
  if (stem.length < 2 || !VOWELS.includes(stem[stem.length - 2])) return stem;
  const last = stem[stem.length - 1];
  if (last === "ғ") return stem.slice(0, -1) + "қ";
  if (last === "г") return stem.slice(0, -1) + "к";
  if (last === "б") return stem.slice(0, -1) + "п";
  return stem;
}

/** Stems a Kazakh word (Cyrillic, lower case). */
export function stemKazakh(word: string): string {
  const irregular = IRREGULAR.get(word);
  if (irregular !== undefined) return irregular;
  let w = word;
  if (w.length <= 2 || ROOTS.has(w)) return w;
  let allowed: Kind[] = LEFT.pred;
  let allowedStart = true;
  for (;;) {
    let found = 0;
    let next: Kind[] = [];
    // never cut into a known root at the start of the word (жұмыс-ы-н, not жұмы-сын)
    let rootEnd = 0;
    for (let k = 3; k < w.length; k++) if (ROOTS.has(w.slice(0, k))) rootEnd = k;
    for (let len = Math.min(maxLen, w.length - 2); len >= 1; len--) {
      const end = w.length - len;
      const suffix = w.slice(end);
      const list = BY_TEXT.get(suffix);
      if (list === undefined || !hasVowel(w, end)) continue;
      const h = lastVowelHarmony(w, end);
      for (const sfx of list) {
        if (!allowedStart && !allowed.includes(sfx.kind)) continue;
        if (allowedStart && (sfx.kind === "neg" || sfx.kind === "voice")) continue;
        if (end < rootEnd) continue;
        // ы/і after a two-letter root only inside a word (үй-і-не), never at its end (ұлы)
        const short =
          MIN3.includes(suffix) && !(allowedStart === false && (suffix === "ы" || suffix === "і"));
        if (end < 3 && (sfx.kind === "voice" || suffix === "йды" || suffix === "йді" || short)) continue;
        if (sfx.harmony !== 0 && h !== 0 && sfx.harmony !== h) continue;
        if (!fits(w, end, suffix, sfx.kind)) continue;
        // the longest suffix wins, unless a shorter one leaves a known root (жұмыс-ы, not жұмы-сы)
        if (found === 0 || (found !== len && ROOTS.has(w.slice(0, end)))) {
          found = len;
          next = [];
        }
        // a suffix shared by several kinds (-ды: accusative or past) allows what any of them allows
        if (found === len) for (const k of LEFT[sfx.kind]) if (!next.includes(k)) next.push(k);
      }
    }
    if (found === 0) return w;
    const vowelSuffix = VOWELS.includes(w[w.length - found]);
    w = w.slice(0, w.length - found);
    if (vowelSuffix) w = devoice(w);
    w = ELIDED.get(w) ?? w;
    if (ROOTS.has(w)) return w;
    // a pronoun form under a further suffix (өзін-дей, оны-мен)
    const pronoun = IRREGULAR.get(w);
    if (pronoun !== undefined) return pronoun;
    allowed = next;
    allowedStart = false;
    if (allowed.length === 0) return w;
  }
}
