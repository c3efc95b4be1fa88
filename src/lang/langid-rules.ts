// Word-level evidence for language identification: how Kazakh (positive) or Russian (negative) a
// Cyrillic word looks, and how Kazakh a Latin word looks. Hand-written from Kazakh and Russian
// orthography and grammar: letters only one language has, vowel harmony (a native Kazakh word has
// only back or only front vowels, and о/ө only in its first syllable), sequences Russian spelling
// forbids (кы, гы, жы, шы), and each language's inflectional endings. Two models add to these: a
// Kazakh suffix-chain matcher (langid-morph.ts) and a character trigram model trained on Kazakh
// treebank text and a hand-written Russian sample (langid-ngrams-model.ts).

import { kazakhInflectionScore } from "./langid-morph.ts";
import { trigramLogRatio } from "./langid-ngrams-model.ts";

const KK_LETTERS = "әғқңөұүһі";
const RU_ONLY = "ьъёщэ";
const RU_LEANING = "цчфв";

/** Frequent words that settle the language of a short phrase on their own. */
const KK_WORDS = new Set(
  `мен сен ол біз сіз олар бұл осы сол бар жоқ емес еді екен деп деген болып болды болса бола бойынша
  туралы арқылы арасында сияқты сонымен кейін дейін бірақ және немесе үшін мұнда онда сонда қазір енді
  тағы ғана қана бір екі үш төрт бес алты жеті сегіз тоғыз он жиырма отыз қырық елу жүз мың жыл жылы
  ай күн ал ма ме ба бе па пе ия иә жоқ бала адам ел жер су тау ата ана аға апа ауыл халық қала`.split(/\s+/),
);
const RU_WORDS = new Set(
  `и в во не на я что он с со как а то это по но из у за от к ко для о об же так все всё она бы мы вы их
  его ее её только было был была были уже или при до если нет еще ещё когда чтобы там может где есть
  быть даже вот какой этот эта эти который которая которые тот та те свой себя себе мне меня тебя
  ему им них нам вас ни под над без через после между очень также тоже потом сейчас здесь тут где
  год года году лет раз время человек люди так ли бы же вообще просто`.split(/\s+/),
);

// Endings: [ending, weight]; the longest matching ending counts.
const ENDINGS: [string, number][] = [
  // Kazakh inflection written without Kazakh-only letters
  ...(
    "лар лер дар дер тар тер лары лері дары дері тары тері ларды лерді дарды тарды дан ден тан тен нан нен " +
    "мен бен пен атын йтын ады йды еді йді ауы ауға ады ған ген кен мыз міз быз пыз сыз дым тым ып " +
    "ыны ына ында ынан ымен сына сында сынан сымен уы уына уында ау еу лау леу дау деу тау теу ушы " +
    "ды ты сы ын ным ның дың тың асу есу ысу лану дану тану ны ге ке лы ді ті"
  )
    .split(" ")
    .map((e): [string, number] => [e, e.length >= 3 ? 2 : 1.2]),
  // Russian inflection and derivation
  ...(
    "ого его ому ему ыми ими ами ями ых их ый ий ой ая яя ое ее ые ие ую юю ть ться тся ешь ет ит ют ят " +
    "ут ам ям ах ях ов ев ей ом ем ия ие ию ии ость ости ение ения ании ание ский ская ское ские ского ства " +
    "ство ция ции ном ной ных ным ная ное ные ться лся лась лось лись ал ала ало али ил ила или ел ела ели " +
    "ка ки ку ке ок ек ник ница ность ально ельно енно анно ова ева ыва ива ать ять еть ить уть оть"
  )
    .split(" ")
    .map((e): [string, number] => [e, e.length >= 3 ? -2 : -1.2]),
];
const ENDING_MAP = new Map<string, number>();
for (const [e, w] of ENDINGS) ENDING_MAP.set(e, (ENDING_MAP.get(e) ?? 0) + w);

const BACK = "аоұыуяё";
const FRONT = "әеөүіэ";
const VOWELS = "аоұыуяёюәеөүіэи";

/**
 * Log-odds-like score of a lower-case Cyrillic word being Kazakh (> 0) rather than Russian (< 0).
 */
export function cyrillicWordScore(w: string): number {
  if (KK_WORDS.has(w)) return 3;
  if (RU_WORDS.has(w)) return -3;
  let kkLetters = 0;
  const inflection = kazakhInflectionScore(w);
  let score = inflection + 0.5 * trigramLogRatio(w);
  let back = 0;
  let front = 0;
  let syllable = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    if (KK_LETTERS.includes(c)) {
      score += 6;
      kkLetters++;
    } else if (RU_ONLY.includes(c)) score -= 2.5;
    else if (RU_LEANING.includes(c)) score -= 1;
    if (VOWELS.includes(c)) {
      syllable++;
      if (BACK.includes(c)) back++;
      else if (FRONT.includes(c)) front++;
      if ((c === "о" || c === "ө") && syllable > 1) score -= 1.5;
      if (c === "ы" && i > 0 && "кгхжшч".includes(w[i - 1])) score += 2;
      if (c === "у" && i > 0 && (w[i - 1] === "а" || w[i - 1] === "е")) score += 1;
      if (i > 0 && (c === "я" || c === "ю") && !VOWELS.includes(w[i - 1])) score -= 1.5;
    }
  }
  if (w[0] === "ы") score += 2;
  if (w[0] === "ж") score += 1;
  // ай/ей/ой before a consonant is the Kazakh diphthong (найман, кейде); Russian has it mostly at the end
  const ai = w.search(/[аео]й[бвгджзклмнпрстфхцчшщ]/);
  if (ai >= 0) score += 1;
  if (back > 0 && front > 0) score -= 1;
  if (syllable === 0) score -= 1;
  for (let len = Math.min(5, w.length - 1); len >= 2; len--) {
    const e = ENDING_MAP.get(w.slice(w.length - len));
    if (e !== undefined) {
      score += e;
      break;
    }
  }
  // Russian spelling never uses the Kazakh letters: one of them settles the word
  if (kkLetters > 0 && score < 4) return 4;
  // a Kazakh suffix chain (plural + case, -ия + case) on a Russian-looking stem is a Russian loan
  // used in Kazakh: the stem's letters must not outvote the chain
  if (inflection >= 3 && score < inflection / 2) return inflection / 2;
  return score;
}

const KK_LATIN_LETTERS = "äğñūşıáǵńúýİ";
const EN_WORDS = new Set(
  `the of and to in is that for it with as was on be by at this are from or an have not but which they
  his her he she we you i had were been has their its would will there what all one can more if when
  so no out up about who into than them some could do time only new other my your our said also`.split(/\s+/),
);

/** Score of a lower-case Latin word being Kazakh Latin (> 0) rather than English (< 0). */
export function latinWordScore(w: string): number {
  if (EN_WORDS.has(w)) return -3;
  let score = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    if (KK_LATIN_LETTERS.includes(c)) score += 3;
    else if ((c === "ö" || c === "ü") && score >= 0) score += 1;
    else if (c === "q" && w[i + 1] !== "u") score += 2.5;
    else if (
      (c === "'" || c === "’" || c === "ʼ") &&
      i > 0 &&
      "aoungsciy".includes(w[i - 1]) &&
      i < w.length - 1
    )
      score += 1.5;
    else if (c === "c" || c === "w" || c === "x") score -= 1;
  }
  if (/(?:ing|tion|ed|ly|ness|ment|ous|th)$|th|wh|ee|oo/.test(w)) score -= 1.5;
  return score - 0.5;
}
