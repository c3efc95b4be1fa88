// `torgai lang …` as people and evaluation scripts run it: a child process reading stdin lines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

const LANG_CLI = join(import.meta.dirname, "lang.ts");
const MAIN_CLI = join(import.meta.dirname, "main.ts");

function run(script: string, args: string[], input: string) {
  const r = spawnSync(process.execPath, [script, ...args], { input, encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command on these lines and checks there is exactly one output line per input line. */
function lines(args: string[], input: string[], script = LANG_CLI): string[] {
  const r = run(script, args, input.map((l) => `${l}\n`).join(""));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.endsWith("\n"), "output ends with a newline");
  const out = r.stdout.slice(0, -1).split("\n");
  assert.equal(out.length, input.length, `one output line per input line: ${JSON.stringify(r.stdout)}`);
  return out;
}

test("translit --to latn: official examples of the 2021 alphabet, empty lines kept", () => {
  const out = lines(
    ["translit", "--to", "latn"],
    ["Қазақстан", "", "Бұрыңғы", "шаһарының", "үйіне", "сый", "", "актёр", "аю", "қоян", "ащы", "электр"],
  );
  assert.deepEqual(out, [
    "Qazaqstan",
    "",
    "Būryñğy",
    "şaharynyñ",
    "üiıne",
    "syi",
    "",
    "aktör",
    "aiu",
    "qoian",
    "aşşy",
    "elektr",
  ]);
});

test("translit --to cyrl: back from Latin, and --variant", () => {
  assert.deepEqual(lines(["translit", "--to", "cyrl"], ["Qazaqstan", "", "şaharynyñ", "Būryñğy", "üiıne"]), [
    "Қазақстан",
    "",
    "шаһарының",
    "Бұрыңғы",
    "үйіне",
  ]);
  assert.deepEqual(lines(["translit", "--to=cyrl", "--variant", "2021"], ["aktör", "elektr"]), [
    "актёр",
    "электр",
  ]);
});

test("a last line without a newline, and CRLF input, still give one line each", () => {
  const r = run(LANG_CLI, ["translit", "--to", "latn"], "Қазақстан\r\n\r\nсый");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Qazaqstan\n\nsyi\n");
});

test("detect prints a code per line (an empty line stays empty)", () => {
  const out = lines(
    ["detect"],
    [
      "Бүгін ауа райы жақсы болады",
      "",
      "Сегодня будет хорошая погода",
      "The weather will be fine today",
      "Bügın aua raiy jaqsy",
      "今日は良い天気です",
    ],
  );
  assert.deepEqual(out, ["kk", "", "ru", "en", "kk", "other"]);
});

test("stem: Kazakh stems per word, Russian and English through their stemmers", () => {
  assert.deepEqual(lines(["stem", "--lang", "kk"], ["балалар кітаптарымыз", "", "үйіне келді"]), [
    "бала кітап",
    "",
    "үй кел",
  ]);
  const [ru] = lines(["stem", "--lang", "ru"], ["книгами"]);
  assert.equal(ru, "книг");
  const [en] = lines(["stem", "--lang", "en"], ["running"]);
  assert.equal(en, "run");
  // without --lang the language is detected: a Latin Kazakh word stems like its Cyrillic spelling
  const [cyr, lat] = lines(["stem"], ["балаларға", "balalarğa"]);
  assert.equal(cyr, lat);
});

test("analyze: the same keys from both scripts", () => {
  const [cyr, , lat] = lines(["analyze"], ["Қазақстандағы балалар", "", "Qazaqstandağy balalar"]);
  assert.equal(cyr, lat);
  assert.ok(cyr.length > 0);
});

test("bad arguments: exit code 2 and the usage on stderr, nothing on stdout", () => {
  for (const args of [
    [],
    ["bogus"],
    ["translit"],
    ["translit", "--to", "xx"],
    ["stem", "--lang", "de"],
    ["detect", "--x"],
  ]) {
    const r = run(LANG_CLI, args, "Қазақстан\n");
    assert.equal(r.code, 2, `exit code for ${args.join(" ")}`);
    assert.match(r.stderr, /usage: torgai lang/);
    assert.equal(r.stdout, "");
  }
});

test("torgai lang through the main command", () => {
  assert.deepEqual(lines(["lang", "detect"], ["Қазақстан", "", "погода"], MAIN_CLI), ["kk", "", "ru"]);
  const r = run(MAIN_CLI, ["lang", "bogus"], "");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: torgai lang/);
});
