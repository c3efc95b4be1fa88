/**
 * Anonymous public reads on a large database, and what they do to /healthz meanwhile.
 *
 *   npm run bench:public [-- --duration 5 --connections 10 --statuses 200000 --replies 1000 --pg]
 *   npm run bench:public -- --routes context,search   (only the routes whose name contains one of these)
 *
 * Builds a database in SQL (src/testing/large-dataset.ts: 200,000 statuses and a thread of 1,000
 * replies by default), starts `torgai all` on it as `npm start` does (no test mode; rate limits off
 * so the load is not turned away), then for each public route runs autocannon for `duration`
 * seconds while one client asks /healthz in a loop. The server is one event loop over synchronous
 * SQLite: a slow query delays every request, which is what /healthz's latency shows.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.ts";
import { migrate, openStore } from "../src/store/db.ts";
import { generateLargeDataset } from "../test/helpers/large-dataset.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    statuses: { type: "string", default: "200000" },
    replies: { type: "string", default: "1000" },
    routes: { type: "string" },
    pg: { type: "boolean", default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const only = args.routes?.split(",").filter(Boolean);
const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), "torgai-bench-"));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  PORT: String(port),
  HOST: "127.0.0.1",
  TORGAI_DOMAIN: `127.0.0.1:${port}`,
  TORGAI_DATA_DIR: dataDir,
  TORGAI_RATE_LIMIT: "0",
  LOG_LEVEL: "warn",
};
delete env.TORGAI_TEST_MODE;
let pgDatabase: string | undefined;
if (args.pg) {
  pgDatabase = `bench_${Date.now()}`;
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pgDatabase}`);
  await admin.end();
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${pgDatabase}`;
}
const config = loadConfig(env);

async function cleanUp() {
  rmSync(dataDir, { recursive: true, force: true });
  if (pgDatabase) {
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgDatabase}`);
    await admin.end();
  }
}

// the database, built before the server starts (as an existing instance would be)
let t0 = performance.now();
const store = await openStore({ url: config.databaseUrl });
await migrate(store.db);
const ds = await generateLargeDataset(store.db, store.dialect, {
  baseUrl: config.baseUrl,
  statuses: Number(args.statuses),
  threadReplies: Number(args.replies),
});
await store.destroy();
console.log(
  `database: ${store.dialect === "postgres" ? "PostgreSQL" : "SQLite"}, ${ds.statuses} statuses, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// Run the server exactly as `npm start` does (same Node flags), with the project's Node.
const startScript = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } })
  .scripts.start;
const child = spawn(process.execPath, startScript.split(/\s+/).slice(1), {
  env,
  stdio: ["ignore", "ignore", "inherit"],
});
let stopped = false;
async function stop() {
  if (stopped) return;
  stopped = true;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await cleanUp();
}
process.on("SIGINT", () => stop().then(() => process.exit(130)));

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;
const ms = (v: number) => (Number.isNaN(v) ? "-" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/** Asks /healthz one request at a time until `signal` aborts; returns the latencies. */
async function probeHealth(signal: AbortSignal): Promise<number[]> {
  const out: number[] = [];
  while (!signal.aborted) {
    const t = performance.now();
    try {
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
    } catch {}
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  return out.sort((a, b) => a - b);
}

function load(path: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: base + path, connections, duration: seconds, timeout: 600 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

const q = encodeURIComponent;
const routes: [string, string][] = [
  [`context (${args.replies} replies)`, `/api/v1/statuses/${ds.threadRootId}/context`],
  ["search URL hit", `/api/v2/search?q=${q(ds.statusUrl)}`],
  ["search URL miss", `/api/v2/search?q=${q(`${config.baseUrl}/@nobody/404`)}`],
  ["account statuses", `/api/v1/accounts/${ds.prolificId}/statuses`],
  ["account pinned", `/api/v1/accounts/${ds.prolificId}/statuses?pinned=true`],
  ["public timeline", "/api/v1/timelines/public"],
  ["local timeline", "/api/v1/timelines/public?local=true"],
  ["hashtag timeline", `/api/v1/timelines/tag/${ds.commonTag}`],
  ["rare hashtag timeline", `/api/v1/timelines/tag/${ds.rareTag}`],
  ["account lookup", `/api/v1/accounts/lookup?acct=${ds.prolificUsername}`],
  ["instance", "/api/v2/instance"],
];

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 600) throw new Error("server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  // each route once (checks it answers; warms caches and JIT for the timed runs)
  for (const [name, path] of routes) {
    if (only && !only.some((o) => name.includes(o))) continue;
    t0 = performance.now();
    try {
      const res = await fetch(base + path);
      const body = await res.text();
      if (!res.ok) throw new Error(`${res.status} ${body.slice(0, 200)}`);
      console.log(
        `  first ${name.padEnd(26)} ${ms(performance.now() - t0).padStart(9)}  ${body.length} bytes`,
      );
    } catch (err) {
      // fetch gives up waiting for headers after 300 s
      console.log(
        `  first ${name.padEnd(26)} failed after ${ms(performance.now() - t0)}: ${(err as Error).message}`,
      );
    }
  }

  const idleStop = new AbortController();
  const idleProbe = probeHealth(idleStop.signal);
  await new Promise((r) => setTimeout(r, 2000));
  idleStop.abort();
  const idle = await idleProbe;
  console.log(
    `\nconnections: ${connections}, ${duration} s per route; /healthz idle p50 ${ms(percentile(idle, 50))} p99 ${ms(percentile(idle, 99))}\n`,
  );
  console.log(
    `${"route".padEnd(26)} ${"req/s".padStart(8)} ${"p50".padStart(9)} ${"p99".padStart(9)}   /healthz meanwhile p50 / p99 / max`,
  );
  let bad = 0;
  for (const [name, path] of routes) {
    if (only && !only.some((o) => name.includes(o))) continue;
    const stopProbe = new AbortController();
    const probe = probeHealth(stopProbe.signal);
    const r = await load(path, duration);
    stopProbe.abort();
    const h = await probe;
    bad += r.non2xx + r.errors + r.timeouts;
    console.log(
      `${name.padEnd(26)} ${r.requests.average.toFixed(0).padStart(8)} ${ms(r.latency.p50).padStart(9)} ${ms(r.latency.p99).padStart(9)}   ${ms(percentile(h, 50))} / ${ms(percentile(h, 99))} / ${ms(h[h.length - 1])}`,
    );
  }
  if (bad > 0) console.log(`WARNING: ${bad} non-2xx responses, errors or timeouts during the runs`);
} finally {
  await stop();
}
