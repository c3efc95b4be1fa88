// `torgai lang …`: the language kit as a line-oriented filter, for people and for evaluation
// scripts. Every command reads UTF-8 lines and writes exactly one line per input line (an empty line
// gives an empty line), streaming.
//   translit --to latn|cyrl [--variant 2021|2018|2017|ascii]
//   stem [--lang kk|ru|en]     space-separated stems of the line's tokens
//   detect                     kk | ru | en | other
//   analyze                    space-separated search keys

import { once } from "node:events";
import { createInterface } from "node:readline";
import {
  analyze,
  detect,
  type LatinVariant,
  stemEnglish,
  stemKazakh,
  stemRussian,
  toCyrillic,
  tokenize,
  toLatin,
  wordToCyrillic,
} from "../lang/index.ts";

const USAGE = `usage: torgai lang <command> < input
  translit --to latn|cyrl [--variant 2021|2018|2017|ascii]
                       Kazakh Cyrillic → Latin (2021 alphabet unless --variant) or Latin → Cyrillic
                       (the Latin spelling is detected per line unless --variant)
  stem [--lang kk|ru|en]
                       stems of each line's words, space-separated (language per word unless --lang)
  detect               language of each line: kk, ru, en or other
  analyze              search keys of each line, space-separated
Reads UTF-8 lines on stdin and writes one line per input line.`;

const VARIANTS: readonly string[] = ["2021", "2018", "2017", "ascii"];
const LANGS: readonly string[] = ["kk", "ru", "en"];

type LineFn = (line: string) => string;

class UsageError extends Error {}

function parseOptions(args: string[], allowed: Record<string, readonly string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [name, inline] = a.startsWith("--") ? a.slice(2).split("=", 2) : [a, undefined];
    if (!a.startsWith("--") || !(name in allowed)) throw new UsageError(`unknown argument: ${a}`);
    const value = inline ?? args[++i];
    if (value === undefined || !allowed[name].includes(value))
      throw new UsageError(`--${name} needs one of: ${allowed[name].join(", ")}`);
    out[name] = value;
  }
  return out;
}

function stemLine(line: string, lang: string): string {
  const out: string[] = [];
  for (const t of tokenize(line)) {
    if (t.type !== "word") continue;
    for (const part of t.text.split(/[-–]/)) {
      if (part.length === 0) continue;
      if (lang === "kk") {
        const cyr = /[\u0400-\u04ff]/.test(part) ? part : wordToCyrillic(part);
        out.push(stemKazakh(cyr.toLowerCase()));
      } else out.push(lang === "ru" ? stemRussian(part.toLowerCase()) : stemEnglish(part.toLowerCase()));
    }
  }
  return out.join(" ");
}

function lineFunction(argv: string[]): LineFn {
  const [command, ...rest] = argv;
  switch (command) {
    case "translit": {
      const o = parseOptions(rest, { to: ["latn", "cyrl"], variant: VARIANTS });
      if (o.to === undefined) throw new UsageError("translit needs --to latn or --to cyrl");
      const variant = o.variant as LatinVariant | undefined;
      return o.to === "latn" ? (l) => toLatin(l, variant) : (l) => toCyrillic(l, { variant });
    }
    case "stem": {
      const o = parseOptions(rest, { lang: LANGS });
      return o.lang === undefined ? (l) => analyze(l).join(" ") : (l) => stemLine(l, o.lang);
    }
    case "detect":
      parseOptions(rest, {});
      return (l) => (l.trim().length === 0 ? "" : detect(l));
    case "analyze":
      parseOptions(rest, {});
      return (l) => analyze(l).join(" ");
    default:
      throw new UsageError(command === undefined ? "missing command" : `unknown command: ${command}`);
  }
}

/** Runs `torgai lang <argv…>`; resolves to the exit code. */
export async function runLangCommand(
  argv: string[],
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<number> {
  let fn: LineFn;
  try {
    fn = lineFunction(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`torgai lang: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const text = line.length === 0 ? "" : fn(line.replace(/^\ufeff/, ""));
    // one output line per input line, whatever the function returned
    if (!output.write(text.replace(/[\r\n]+/g, " ") + "\n")) await once(output, "drain");
  }
  return 0;
}

if (import.meta.main) {
  process.exitCode = await runLangCommand(process.argv.slice(2), process.stdin, process.stdout);
}
