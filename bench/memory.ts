/**
 * What each part of Torgai costs in memory, and what the idle server holds.
 *
 *   npm run bench:memory [-- --runs 3 --flags "--max-semi-space-size=2" --sweep]
 *
 * Every row is a fresh child process started with the Node flags of `npm start` plus `--expose-gc`
 * (bench/memory-probe.ts): bare Node, Node's TypeScript loader, then each major part imported on
 * its own (with Node's compile cache on, but without npm start's preload, bin/compile-cache.js, so
 * that a part's figure is its own), then the whole server started as npm start starts it and left
 * idle. After three forced full collections the
 * probe reads VmRSS from /proc and `process.memoryUsage().heapUsed`; a part's cost is its difference
 * from bare Node. Parts share dependencies (and the first JavaScript to run pages in V8's compiler),
 * so the costs overlap and do not add up to the server. "at start" says whether a freshly started
 * idle server has loaded the part (from a separate run that records every module it loads). The last
 * rows start the server exactly as `npm start` does and read its RSS as `bench:timeline` does,
 * without a forced collection, with and without Node's compile cache (bin/compile-cache.js).
 *
 * --runs    processes per row (the median is printed)
 * --flags   extra Node flags for every row (to compare V8 settings)
 * --sweep   also start the idle server under several V8 flag sets and print their RSS
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { freePort, rssMb, startNodeArgs, startTorgai, tempDir } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    flags: { type: "string", default: "" },
    sweep: { type: "boolean", default: false },
  },
});
const runs = Math.max(1, Number(args.runs));
const extraFlags = args.flags.split(/\s+/).filter(Boolean);
const root = fileURLToPath(new URL("..", import.meta.url));
const src = (path: string) => pathToFileURL(join(root, "src", path)).href;
const pkg = (name: string) => import.meta.resolve(name);
const NO_CACHE = { NODE_DISABLE_COMPILE_CACHE: "1" };
// one cache for every row (Node's default place unless NODE_COMPILE_CACHE says otherwise)
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), "node-compile-cache");
/** npm start's flags without its preload */
const withoutPreload = (flags: string[]) =>
  flags.filter((f, i) => f !== "--import" && flags[i - 1] !== "--import");

interface Probe {
  rss: number;
  rssAnon: number;
  rssFile: number;
  rssBeforeGc: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  tsLoader: boolean;
  undici: boolean;
}

interface Step {
  label: string;
  /** module URLs to import */
  modules?: string[];
  /** run after the imports, e.g. a first call that builds tables */
  eval?: string;
  /** start the server in the probe process */
  server?: boolean;
  env?: Record<string, string>;
  /** with npm start's preload, bin/compile-cache.js (the server rows) */
  preload?: boolean;
  /** what the loaded-module list must hold for "at start: yes" (package name or src path) */
  marker?: string;
}

const steps: Step[] = [
  { label: "hono + @hono/node-server", modules: [pkg("hono"), pkg("@hono/node-server")], marker: "hono" },
  { label: "  undici (Node's fetch, Request, Response)", eval: "new Response('')" },
  { label: "kysely", modules: [pkg("kysely")], marker: "kysely" },
  {
    label: "store: kysely, node:sqlite, migrations",
    modules: [src("store/db.ts")],
    marker: "src/store/db.ts",
  },
  { label: "zod", modules: [pkg("zod")], marker: "zod" },
  { label: "config (zod schemas)", modules: [src("config.ts")], marker: "src/config.ts" },
  { label: "pino", modules: [pkg("pino")], marker: "pino" },
  { label: "app context, jobs (src/app.ts)", modules: [src("app.ts")], marker: "src/app.ts" },
  {
    label: "Mastodon API routes",
    modules: [src("api/mastodon/index.ts")],
    marker: "src/api/mastodon/index.ts",
  },
  {
    label: "streaming (ws)",
    modules: [src("api/streaming/websocket.ts")],
    marker: "src/api/streaming/websocket.ts",
  },
  { label: "ws", modules: [pkg("ws")], marker: "ws" },
  { label: "OAuth pages", modules: [src("api/oauth/index.ts")], marker: "src/api/oauth/index.ts" },
  { label: "HTTP app, every route (src/http.ts)", modules: [src("http.ts")], marker: "src/http.ts" },
  { label: "language kit (src/lang)", modules: [src("lang/index.ts")], marker: "src/lang/index.ts" },
  {
    label: "  after a first analyze() and detect()",
    modules: [src("lang/index.ts")],
    eval: `const k = await import(${JSON.stringify(src("lang/index.ts"))}); k.analyze("Сәлем әлем, hello world, привет мир"); k.detect("Бүгін ауа райы жақсы")`,
  },
  { label: "@fedify/fedify", modules: [pkg("@fedify/fedify")], marker: "@fedify/fedify" },
  { label: "linkifyjs", modules: [pkg("linkifyjs")], marker: "linkifyjs" },
  { label: "sanitize-html", modules: [pkg("sanitize-html")], marker: "sanitize-html" },
  { label: "franc-min", modules: [pkg("franc-min")], marker: "franc-min" },
  {
    label: "@orama/stemmers (en, ru)",
    modules: [pkg("@orama/stemmers/english"), pkg("@orama/stemmers/russian")],
    marker: "@orama/stemmers",
  },
  { label: "ioredis", modules: [pkg("ioredis")], marker: "ioredis" },
  { label: "pg", modules: [pkg("pg")], marker: "pg" },
  { label: "@node-rs/argon2", modules: [pkg("@node-rs/argon2")], marker: "@node-rs/argon2" },
  { label: "nodemailer", modules: [pkg("nodemailer")], marker: "nodemailer" },
  { label: "otpauth", modules: [pkg("otpauth")], marker: "otpauth" },
  { label: "every module the server loads, not started", modules: [src("main.ts"), src("server.ts")] },
  { label: "npm start's preload (bin/compile-cache.js)", preload: true },
  { label: "server started, idle 2 s", server: true, preload: true },
  { label: "  the same, compile cache off", server: true, preload: true, env: NO_CACHE },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

async function serverEnv(data: string): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    TORGAI_DOMAIN: `127.0.0.1:${port}`,
    TORGAI_DATA_DIR: data,
    LOG_LEVEL: "warn",
  };
}

function runNode(argv: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { ...(process.env as Record<string, string>), ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(" ")}: exit ${code}`)),
    );
  });
}

async function runProbe(file: string, step: Step): Promise<Probe> {
  const results: Probe[] = [];
  for (let i = 0; i < runs; i++) {
    const data = tempDir();
    try {
      const flags = step.preload ? startNodeArgs() : withoutPreload(startNodeArgs());
      const argv = [...flags, ...extraFlags, "--expose-gc", file];
      if (step.server) argv.push("--server", src("main.ts"));
      if (step.eval) argv.push("--eval", step.eval);
      argv.push(...(step.modules ?? []));
      const env = { ...(step.server ? await serverEnv(data.path) : {}), ...step.env };
      const line = (await runNode(argv, env)).split("\n").find((l) => l.startsWith("memory-probe "));
      if (!line) throw new Error(`${step.label}: no report`);
      results.push(JSON.parse(line.slice("memory-probe ".length)) as Probe);
    } finally {
      data.remove();
    }
  }
  const byRss = [...results].sort((a, b) => a.rss - b.rss);
  return byRss[Math.floor((byRss.length - 1) / 2)];
}

/** Which packages and src files a fresh idle server loads (a load hook records them; not measured). */
async function modulesLoadedAtStart(): Promise<Set<string>> {
  const data = tempDir();
  const list = join(data.path, "loaded.txt");
  const hook = `
    import { registerHooks } from "node:module";
    import { appendFileSync } from "node:fs";
    const warming = process.env.TORGAI_COMPILE_CACHE_WARMING; // not bin/compile-cache.js's warm-up child
    registerHooks({ load(url, context, next) { if (!warming) appendFileSync(${JSON.stringify(list)}, url + "\\n"); return next(url, context); } });
  `;
  try {
    writeFileSync(list, "");
    const server = await startTorgai({
      env: { TORGAI_DATA_DIR: join(data.path, "data") },
      nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(hook)}`],
    });
    await new Promise((r) => setTimeout(r, 1000));
    await server.stop();
    const loaded = new Set<string>();
    for (const url of readFileSync(list, "utf8").split("\n")) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
      if (name) loaded.add(name);
      else if (url.startsWith("file:")) loaded.add(relative(root, fileURLToPath(url)));
    }
    return loaded;
  } finally {
    data.remove();
  }
}

/** RSS of `torgai <mode>` started as `npm start` starts it, read as bench:timeline reads it. */
async function startedRss(
  opts: { mode?: "all" | "worker"; env?: Record<string, string>; startFlags?: string[] } = {},
): Promise<{ atStart: number; idle: number }> {
  const atStart: number[] = [];
  const idle: number[] = [];
  for (let i = 0; i < runs; i++) {
    const data = tempDir();
    try {
      const server = await startTorgai({
        mode: opts.mode ?? "all",
        env: { TORGAI_DATA_DIR: data.path, ...opts.env },
        startFlags: opts.startFlags ?? [...startNodeArgs(), ...extraFlags],
      });
      if (opts.mode === "worker") await new Promise((r) => setTimeout(r, 2000));
      atStart.push(rssMb(server.child.pid as number));
      await new Promise((r) => setTimeout(r, 3000));
      idle.push(rssMb(server.child.pid as number));
      await server.stop();
    } finally {
      data.remove();
    }
  }
  return { atStart: median(atStart), idle: median(idle) };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const signed = (bytes: number) => `${bytes >= 0 ? "+" : "−"}${mb(Math.abs(bytes))}`;
const pad = (s: string, n: number) => s.padStart(n);

console.log(
  `node ${process.version}, flags: ${[...startNodeArgs(), ...extraFlags, "--expose-gc"].join(" ")}; ` +
    `median of ${runs}; MB`,
);
const loaded = await modulesLoadedAtStart();

const scratch = tempDir();
try {
  // the probe as an .mjs file needs no TypeScript loader; as a .ts file (cache off) it prices that loader
  const probeSource = readFileSync(fileURLToPath(new URL("memory-probe.ts", import.meta.url)), "utf8");
  const probe = join(scratch.path, "memory-probe.mjs");
  const probeTs = join(scratch.path, "memory-probe.ts");
  writeFileSync(probe, probeSource);
  writeFileSync(probeTs, probeSource);
  // warms the compile cache for these flags (bin/compile-cache.js does it once per change of the code)
  await runNode([...startNodeArgs(), ...extraFlags, "--expose-gc", "-e", "0"], {});
  const bare = await runProbe(probe, { label: "bare" });
  const tsBare = await runProbe(probeTs, { label: "ts", env: NO_CACHE });

  console.log(
    `${"".padEnd(48)}${pad("RSS", 7)}${pad("Δ RSS", 8)}${pad("heap", 7)}${pad("Δ heap", 8)}  at start`,
  );
  const row = (label: string, p: Probe, base: Probe | undefined, atStart = "") =>
    console.log(
      `${label.padEnd(48)}${pad(mb(p.rss), 7)}${pad(base ? signed(p.rss - base.rss) : "", 8)}` +
        `${pad(mb(p.heapUsed), 7)}${pad(base ? signed(p.heapUsed - base.heapUsed) : "", 8)}  ${atStart}`,
    );
  row("bare Node, an empty module", bare, undefined);
  row("Node's TypeScript loader (an empty .ts module)", tsBare, bare);
  let server: Probe | undefined;
  let serverNoCache: Probe | undefined;
  for (const step of steps) {
    const p = await runProbe(probe, step);
    if (step.server && !step.env) server = p;
    if (step.server && step.env) serverNoCache = p;
    const at = step.marker ? (loaded.has(step.marker) ? "yes" : "no") : "";
    const notes = [
      p.tsLoader ? "TS loader loaded" : "",
      step.server ? `undici ${p.undici ? "loaded" : "not loaded"}` : "",
    ];
    row(step.label, p, bare, [at, ...notes].filter(Boolean).join(", "));
  }
  if (server) {
    console.log(
      `server: ${mb(server.rssBeforeGc)} before the forced collections; after them ` +
        `${mb(server.rssAnon)} anonymous, ${mb(server.rssFile)} file-backed (Node's own code and ICU ` +
        `data, shared), heap total ${mb(server.heapTotal)}, external ${mb(server.external)}`,
    );
  }
  if (server && serverNoCache) {
    console.log(`Node's TypeScript loader in the server: ${signed(serverNoCache.rss - server.rss)} RSS`);
  }

  const npm = await startedRss();
  const npmNoCache = await startedRss({ env: NO_CACHE });
  // a lone worker on SQLite is refused unless allowed (it would stall a web process beside it)
  const worker = await startedRss({ mode: "worker", env: { TORGAI_ALLOW_SPLIT_SQLITE: "1" } });
  console.log(
    `npm start (no forced GC): ${npm.atStart} MB when /healthz first answers, ${npm.idle} MB 3 s later` +
      ` (aim ≤ 90); compile cache off: ${npmNoCache.atStart} / ${npmNoCache.idle} MB`,
  );
  console.log(`torgai worker (same flags): ${worker.idle} MB idle`);

  if (args.sweep) {
    console.log("\nidle server (npm start, 3 s after /healthz) under other V8 flags instead of npm start's:");
    const preload = ["--import", "./bin/compile-cache.js"];
    const sets = [
      [], // Node's defaults: 16 MB semi-spaces, 4 V8 helper threads
      ["--max-semi-space-size=1", "--v8-pool-size=2"],
      ["--max-semi-space-size=2", "--v8-pool-size=2"],
      ["--max-semi-space-size=4", "--v8-pool-size=2"], // npm start
      ["--max-semi-space-size=8", "--v8-pool-size=2"],
      ["--max-semi-space-size=4"],
      ["--max-semi-space-size=4", "--v8-pool-size=1"],
      ["--max-semi-space-size=4", "--v8-pool-size=2", "--no-maglev"],
      ["--max-semi-space-size=4", "--v8-pool-size=2", "--optimize-for-size"],
      ["--max-semi-space-size=4", "--v8-pool-size=2", "--lite-mode"],
      ["--max-semi-space-size=4", "--v8-pool-size=2", "--jitless"],
    ];
    for (const flags of sets) {
      let figure: string;
      try {
        figure = `${(await startedRss({ startFlags: [...flags, ...preload] })).idle} MB`;
      } catch (err) {
        figure = `does not start (${(err as Error).message}; no WebAssembly for Node's TypeScript loader?)`;
      }
      console.log(`  ${(flags.join(" ") || "(none)").padEnd(48)} ${figure}`);
    }
  }
} finally {
  scratch.remove();
}
