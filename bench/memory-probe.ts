/**
 * One row of bench/memory.ts, run in a fresh process with `--expose-gc` and the flags of
 * `npm start`: imports the modules given as URLs (or, with `--server <url of src/main.ts>`, starts
 * `torgai all` in this process as src/main.ts does), lets the process settle, forces full
 * collections and prints one line, `memory-probe {json}`, with /proc RSS and V8's heap figures.
 *
 *   node --expose-gc memory-probe.mjs [--server <url>] [--eval <js run after the imports>] <url>…
 *
 * Plain JavaScript (no type syntax): bench/memory.ts runs a copy of it as an .mjs file, so that
 * the probe itself does not need Node's TypeScript loader, and as a .ts file to price that loader.
 */
import { readFileSync } from "node:fs";

const argv = process.argv.slice(2);
let server = "";
let code = "";
const modules = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--server") server = argv[++i] ?? "";
  else if (argv[i] === "--eval") code = argv[++i] ?? "";
  else modules.push(argv[i]);
}

const sleep = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function procStatus(field = "") {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync("/proc/self/status", "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

if (server) {
  const { main } = await import(server);
  await main("all");
  // what an idle server does in its first seconds: the job worker polls, timers tick
  await sleep(Number(process.env.MEMORY_PROBE_IDLE_MS ?? 2000));
} else {
  for (const m of modules) await import(m);
  if (code) await new Function(`return (async () => { ${code} })()`)();
  await sleep(100);
}

// the figure before any forced collection: what `bench:timeline` and `ps` see
const rssBeforeGc = procStatus("VmRSS");
if (!globalThis.gc) throw new Error("run with --expose-gc");
for (let i = 0; i < 3; i++) {
  globalThis.gc();
  await sleep(50);
}
const mem = process.memoryUsage();
// the builtins this process has loaded (not in @types/node)
const loaded = (Reflect.get(process, "moduleLoadList") ?? []).join("\n");
const report = {
  rss: procStatus("VmRSS"),
  rssAnon: procStatus("RssAnon"),
  rssFile: procStatus("RssFile"),
  rssBeforeGc,
  heapUsed: mem.heapUsed,
  heapTotal: mem.heapTotal,
  external: mem.external,
  // Node's TypeScript stripper (amaro, swc built to WebAssembly) and fetch's undici, both lazy in Node
  tsLoader: loaded.includes("amaro"),
  undici: loaded.includes("undici"),
};
process.stdout.write(`memory-probe ${JSON.stringify(report)}\n`);
process.exit(0);
