// Measures the Kazakh language kit on the public evaluation data in ../shared/data/kazakh (see its
// README for sources and licences). Prints figures only; nothing here passes or fails.
//   node bench/lang.ts [section…]   sections: translit stem langid speed (default: all)

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  analyze,
  detect,
  detectLatinVariant,
  type LatinVariant,
  toCyrillic,
  tokenize,
  toLatin,
} from "../src/lang/index.ts";
import { stemKazakh } from "../src/lang/stem/kk.ts";
import { LATIN_2021_LETTERS } from "../src/lang/to-cyrillic.ts";

const DATA = join(import.meta.dirname, "../../shared/data/kazakh");
if (!existsSync(DATA)) {
  console.error(`bench/lang.ts: evaluation data not found at ${DATA}`);
  console.error("It lives outside the repository (../shared/data/kazakh); see the issue for its contents.");
  process.exit(1);
}

const read = (name: string): string => readFileSync(join(DATA, name), "utf8");
const lines = (name: string): string[] =>
  read(name)
    .split("\n")
    .filter((l) => l.trim().length > 0);
const pct = (num: number, den: number): string => (den === 0 ? "n/a" : ((100 * num) / den).toFixed(2) + " %");
const CYRILLIC = /[\u0400-\u04ff]/;
const APOSTROPHES = ["'", "\u2019", "\u02bc"];

// A letter-by-letter reverse of the 2021 table with no context and no lexicon: the baseline.
const NAIVE: Record<string, string> = {};
for (const [lat, cyr] of Object.entries(LATIN_2021_LETTERS)) {
  NAIVE[lat] = cyr;
  NAIVE[lat === "i" ? "İ" : lat === "ı" ? "I" : lat.toUpperCase()] = cyr.toUpperCase();
}
const naiveReverse = (text: string): string => text.replace(/./gu, (c) => NAIVE[c] ?? c);

function tokenAccuracy(sentences: string[], convert: (s: string) => string, errors?: Map<string, number>) {
  let ok = 0;
  let total = 0;
  for (const s of sentences) {
    const src = s.split(/\s+/);
    const dst = convert(s).split(/\s+/);
    for (let i = 0; i < src.length; i++) {
      if (!CYRILLIC.test(src[i])) continue;
      total++;
      if (src[i] === dst[i]) ok++;
      else if (errors) {
        const k = `${src[i]} → ${dst[i]}`;
        errors.set(k, (errors.get(k) ?? 0) + 1);
      }
    }
  }
  return { ok, total };
}

/** The surface tokens of each CoNLL-U sentence joined by spaces (multiword tokens kept whole). */
function ktbSentences(name: string): string[] {
  const out: string[] = [];
  let tokens: string[] = [];
  let skipTo = 0;
  for (const line of read(name).split("\n")) {
    if (line.trim() === "") {
      if (tokens.length > 0) out.push(tokens.join(" "));
      tokens = [];
      continue;
    }
    if (line.startsWith("#")) continue;
    const col = line.split("\t");
    const range = /^(\d+)-(\d+)$/.exec(col[0]);
    if (range) {
      tokens.push(col[1]);
      skipTo = Number(range[2]);
    } else if (/^\d+$/.test(col[0]) && Number(col[0]) > skipTo) tokens.push(col[1]);
    else if (/^\d+$/.test(col[0]) && Number(col[0]) === skipTo) skipTo = 0;
  }
  if (tokens.length > 0) out.push(tokens.join(" "));
  return out;
}

function benchTranslit(showErrors: boolean): void {
  const sentences = lines("kaznerd-test-sentences.txt");
  console.log(
    `\n## Transliteration (KazNERD test, ${sentences.length} sentences, tokens with Cyrillic letters)`,
  );
  const errors = new Map<string, number>();
  const rt = tokenAccuracy(sentences, (s) => toCyrillic(toLatin(s), { variant: "2021" }), errors);
  console.log(`round trip Cyrillic → Latin 2021 → Cyrillic: ${pct(rt.ok, rt.total)} (${rt.ok}/${rt.total})`);
  const naive = tokenAccuracy(sentences, (s) => naiveReverse(toLatin(s)));
  console.log(`  naive letter-by-letter reverse (baseline):  ${pct(naive.ok, naive.total)}`);
  // KazNERD errors were looked at while the lexicon was written; the KTB test text never was
  const heldOut = ktbSentences("ud-kk-ktb-test-half.conllu");
  const ho = tokenAccuracy(heldOut, (s) => toCyrillic(toLatin(s), { variant: "2021" }));
  console.log(
    `round trip (UD KTB test, held out): ${pct(ho.ok, ho.total)} (${ho.ok}/${ho.total}, ${heldOut.length} sentences)`,
  );
  let k = 0;
  const variants: LatinVariant[] = ["2021", "2018", "2017", "ascii"];
  for (const v of variants) {
    let detected = 0;
    const r = tokenAccuracy(sentences, (s) => {
      let latin = toLatin(s, v);
      if (v === "2017") latin = latin.replaceAll("'", APOSTROPHES[k++ % 3]);
      if (detectLatinVariant(latin) === v) detected++;
      return toCyrillic(latin);
    });
    console.log(
      `Latin ${v.padEnd(5)} → Cyrillic (variant auto-detected): ${pct(r.ok, r.total)}; variant detected in ${pct(detected, sentences.length)} of sentences`,
    );
  }
  if (showErrors) {
    const top = [...errors].sort((a, b) => b[1] - a[1]).slice(0, 80);
    for (const [e, n] of top) console.log(`  ${n}× ${e}`);
  }
}

function benchStem(showErrors: boolean): void {
  const pairs: [string, string][] = [];
  for (const line of read("ud-kk-ktb-test-half.conllu").split("\n")) {
    const col = line.split("\t");
    if (col.length < 4 || !/^\d+$/.test(col[0]) || col[3] === "PUNCT" || col[3] === "NUM") continue;
    const form = col[1].toLowerCase();
    const lemma = col[2].toLowerCase();
    if (CYRILLIC.test(form) && lemma !== "_") pairs.push([form, lemma]);
  }
  console.log(`\n## Kazakh stemmer (UD KTB test half, ${pairs.length} word tokens, gold lemmas)`);
  let same = 0;
  let unstemmed = 0;
  const errors = new Map<string, number>();
  const lemmasByStem = new Map<string, Set<string>>();
  const uniq = new Map<string, boolean>();
  for (const [form, lemma] of pairs) {
    const fs = stemKazakh(form);
    const ok = fs === stemKazakh(lemma);
    if (ok) same++;
    else if (showErrors) {
      const k = `${form} → ${fs} (lemma ${lemma} → ${stemKazakh(lemma)})`;
      errors.set(k, (errors.get(k) ?? 0) + 1);
    }
    if (form === lemma) unstemmed++;
    uniq.set(`${form} ${lemma}`, ok);
    for (const st of [fs, stemKazakh(lemma)]) {
      const set = lemmasByStem.get(st) ?? new Set();
      set.add(lemma);
      lemmasByStem.set(st, set);
    }
  }
  const uniqOk = [...uniq.values()].filter(Boolean).length;
  console.log(
    `forms whose stem equals their lemma's stem: ${pct(same, pairs.length)} of tokens, ${pct(uniqOk, uniq.size)} of distinct (form, lemma) pairs`,
  );
  console.log(
    `  (forms identical to their lemma, needing no stemming: ${pct(unstemmed, pairs.length)} of tokens)`,
  );
  const lemmas = new Set(pairs.map((p) => p[1]));
  let mergedPairs = 0;
  const merged = new Set<string>();
  for (const set of lemmasByStem.values()) {
    mergedPairs += (set.size * (set.size - 1)) / 2;
    if (set.size > 1) for (const l of set) merged.add(l);
  }
  const allPairs = (lemmas.size * (lemmas.size - 1)) / 2;
  console.log(
    `distinct lemmas wrongly merged (share of lemma pairs): ${pct(mergedPairs, allPairs)} (${mergedPairs} of ${allPairs} pairs)`,
  );
  console.log(
    `  lemmas sharing a stem with another lemma: ${pct(merged.size, lemmas.size)} (${merged.size} of ${lemmas.size})`,
  );
  if (showErrors) {
    for (const [e, n] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`  ${n}× ${e}`);
    const big = [...lemmasByStem].filter(([, v]) => v.size > 1).slice(0, 40);
    for (const [st, v] of big) console.log(`  merged under ${st}: ${[...v].join(", ")}`);
  }
}

function benchLangid(showErrors: boolean): void {
  console.log("\n## Language identification (Lingua test sets, half: 500 items each)");
  const sets = ["single-words", "word-pairs", "sentences"];
  const langs = ["kk", "ru", "en"] as const;
  console.log(`${"".padEnd(14)}${langs.map((l) => l.padStart(9)).join("")}  overall`);
  for (const set of sets) {
    let okAll = 0;
    let nAll = 0;
    const cells: string[] = [];
    for (const lang of langs) {
      const items = lines(`lingua/${lang}/${set}.txt`);
      let ok = 0;
      for (const item of items) {
        const got = detect(item);
        if (got === lang) ok++;
        else if (showErrors) console.log(`  ${set} ${lang}: ${item} → ${got}`);
      }
      okAll += ok;
      nAll += items.length;
      cells.push(pct(ok, items.length).padStart(9));
    }
    console.log(`${set.padEnd(14)}${cells.join("")}  ${pct(okAll, nAll)}`);
  }
}

function timed(fn: () => number): { units: number; seconds: number } {
  const t0 = process.hrtime.bigint();
  const units = fn();
  return { units, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function benchSpeed(): void {
  const sentences = lines("kaznerd-test-sentences.txt");
  const latin = sentences.map((x) => toLatin(x));
  const tokens = sentences.reduce((n, x) => n + tokenize(x).length, 0);
  const chars = sentences.reduce((n, x) => n + x.length, 0);
  console.log(
    `\n## Throughput (one core, ${sentences.length} sentences, ${tokens} tokens, ${chars} characters)`,
  );
  const rate = (r: { units: number; seconds: number }, unit: string): string =>
    `${Math.round(r.units / r.seconds).toLocaleString("en")} ${unit}/s`;
  const analyzeAll = (): number => {
    let n = 0;
    for (const x of sentences) n += analyze(x).length;
    return n;
  };
  const cold = timed(analyzeAll);
  let warm = timed(analyzeAll);
  for (let i = 0; i < 3; i++) {
    const r = timed(analyzeAll);
    if (r.seconds < warm.seconds) warm = r;
  }
  console.log(
    `analyze, Cyrillic text: ${rate({ units: tokens, seconds: cold.seconds }, "tokens")} first pass (cold word cache), ${rate({ units: tokens, seconds: warm.seconds }, "tokens")} steady state`,
  );
  const latinRun = timed(() => {
    let n = 0;
    for (const x of latin) n += analyze(x).length;
    return n;
  });
  console.log(
    `analyze, the same text in Latin 2021: ${rate({ units: tokens, seconds: latinRun.seconds }, "tokens")}`,
  );
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    best = Math.min(best, timed(() => sentences.reduce((n, x) => n + toLatin(x).length, 0)).seconds);
  }
  console.log(`toLatin (Cyrillic → Latin 2021): ${rate({ units: chars, seconds: best }, "chars")}`);
  best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    best = Math.min(best, timed(() => latin.reduce((n, x) => n + toCyrillic(x).length, 0)).seconds);
  }
  console.log(
    `toCyrillic (Latin 2021 → Cyrillic, variant detection included): ${rate({ units: chars, seconds: best }, "chars")}`,
  );
  const d = timed(() => sentences.reduce((n, x) => n + detect(x).length, 0));
  console.log(`detect: ${Math.round(sentences.length / d.seconds).toLocaleString("en")} sentences/s`);
}

const sections = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
const showErrors = process.argv.includes("--errors");
if (want("translit")) benchTranslit(showErrors);
if (want("stem")) benchStem(showErrors);
if (want("langid")) benchLangid(showErrors);
if (want("speed")) benchSpeed();
