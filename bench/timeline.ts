/**
 * Home timeline throughput against /healthz on the same server in the same run, and against the
 * limit of this stack for that payload: a plain node:http server (same Node, same flags) that
 * answers the exact bytes and headers of the home response from memory.
 *
 *   npm run bench:timeline [-- --duration 10 --connections 10 --pg]
 *
 * Starts `torgai all` as a child process (fresh SQLite data dir, or PostgreSQL with --pg), seeds
 * it through the Mastodon API (a reader following 20 authors with 10 posts each), then measures
 * requests/s with autocannon and prints the ratios and the server's resident memory.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import {
  apiClient,
  type BenchDatabase,
  createPgDatabase,
  freePort,
  rssMb,
  startNodeArgs,
  startTorgai,
  tempDir,
} from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    pg: { type: "boolean", default: false },
    // writes a V8 CPU profile of the server (.cpuprofile) into this directory
    "cpu-prof": { type: "string" },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);

const data = tempDir();
const database: BenchDatabase | undefined = args.pg ? await createPgDatabase() : undefined;
const server = await startTorgai({
  env: { TORGAI_DATA_DIR: data.path, ...(database?.url ? { DATABASE_URL: database.url } : {}) },
  nodeArgs: args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${args["cpu-prof"]}`] : [],
});
const base = server.base;
const child = server.child;
let limitServer: ReturnType<typeof spawn> | undefined;
let stopped = false;
async function stop() {
  if (stopped) return;
  stopped = true;
  limitServer?.kill("SIGTERM");
  await server.stop();
  data.remove();
  await database?.drop();
}
process.on("SIGINT", () => stop().then(() => process.exit(130)));
const { api, register } = apiClient(base);

/** node:http answering the recorded bytes and headers, started like the server (same flags). */
async function startLimitServer(bytes: Buffer, headers: [string, string][]): Promise<string> {
  const file = join(data.path, "home.bin");
  writeFileSync(file, bytes);
  const port = await freePort();
  const script = `
    import { createServer } from "node:http";
    import { readFileSync } from "node:fs";
    const body = readFileSync(${JSON.stringify(file)});
    const headers = ${JSON.stringify(headers)};
    createServer((req, res) => {
      for (const [k, v] of headers) res.setHeader(k, v);
      res.setHeader("content-length", body.length);
      res.end(body);
    }).listen(${port}, "127.0.0.1", () => console.log("ready"));
  `;
  limitServer = spawn(process.execPath, [...startNodeArgs(), "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => limitServer?.stdout?.once("data", () => resolve()));
  return `http://127.0.0.1:${port}`;
}

try {
  const idleRss = rssMb(child.pid!);

  const reader = await register("reader");
  const authors: string[] = [];
  for (let i = 0; i < 20; i++) authors.push(await register(`author${i}`));
  for (const token of authors) {
    const me = await api("/api/v1/accounts/verify_credentials", { token });
    await api(`/api/v1/accounts/${me.id}/follow`, { token: reader, json: {} });
  }
  for (let round = 0; round < 10; round++) {
    await Promise.all(
      authors.map((token, i) =>
        api("/api/v1/statuses", {
          token,
          json: { status: `Жазба ${round} · автор ${i} #торғай https://example.kz/${round}/${i} @reader` },
        }),
      ),
    );
  }
  for (let i = 0; ; i++) {
    const home = (await api("/api/v1/timelines/home?limit=40", { token: reader })) as unknown as unknown[];
    if (home.length >= 40) break;
    if (i > 300) throw new Error("fan-out did not fill the home timeline");
    await new Promise((r) => setTimeout(r, 100));
  }
  const seededRss = rssMb(child.pid!);

  const runAt = (url: string, token?: string) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        { url, connections, duration, headers: token ? { authorization: `Bearer ${token}` } : {} },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    });
  const run = (path: string, token?: string) => runAt(base + path, token);

  const homePath = "/api/v1/timelines/home?limit=20";
  const sample = await fetch(base + homePath, { headers: { authorization: `Bearer ${reader}` } });
  const bytes = Buffer.from(await sample.arrayBuffer());
  const kept = ["content-type", "link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"];
  const recorded = [...sample.headers].filter(([k]) => kept.includes(k) || k.startsWith("access-control"));
  const limitBase = await startLimitServer(bytes, recorded as [string, string][]);

  // warm-up so JIT and caches do not favour whichever runs second
  await run("/healthz");
  await run(homePath, reader);
  await runAt(limitBase + homePath);
  const health = await run("/healthz");
  const home = await run(homePath, reader);
  const limit = await runAt(limitBase + homePath);
  const loadedRss = rssMb(child.pid!);
  const bad = home.non2xx + home.errors + health.non2xx + health.errors + limit.non2xx + limit.errors;

  const fmt = (r: autocannon.Result) =>
    `${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms`;
  console.log(
    `store: ${args.pg ? "PostgreSQL" : "SQLite"}  connections: ${connections}  duration: ${duration}s`,
  );
  console.log(`/healthz                         ${fmt(health)}`);
  console.log(`/api/v1/timelines/home?limit=20  ${fmt(home)}`);
  console.log(`limit (node:http, same ${bytes.length} bytes) ${fmt(limit)}`);
  console.log(
    `ratio home/limit: ${(home.requests.average / limit.requests.average).toFixed(3)} (aim ≥ 0.5)  ` +
      `home/healthz: ${(home.requests.average / health.requests.average).toFixed(3)}`,
  );
  console.log(
    `server RSS: idle ${idleRss} MB (aim ≤ 90), after seeding ${seededRss} MB, after load ${loadedRss} MB`,
  );
  if (bad > 0) console.log(`WARNING: ${bad} non-2xx responses or errors during the runs`);
} finally {
  await stop();
}
