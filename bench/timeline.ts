/**
 * Home timeline throughput against /healthz on the same server in the same run.
 *
 *   npm run bench:timeline [-- --duration 10 --connections 10 --pg]
 *
 * Starts `torgai all` as a child process (fresh SQLite data dir, or PostgreSQL with --pg), seeds
 * it through the Mastodon API (a reader following 20 authors with 10 posts each), then measures
 * requests/s with autocannon and prints the ratio and the server's resident memory.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
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
  TORGAI_TEST_MODE: "1",
  TORGAI_RATE_LIMIT: "0",
  LOG_LEVEL: "warn",
};
let pgSchemaUrl: string | undefined;
if (args.pg) {
  const dbName = `bench_${Date.now()}`;
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  pgSchemaUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  env.DATABASE_URL = pgSchemaUrl;
}

// Run the server exactly as `npm start` does (same Node flags), with the project's Node.
const startScript = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } })
  .scripts.start;
const startArgs = startScript.split(/\s+/).slice(1);
const nodeArgs = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${args["cpu-prof"]}`] : [];
const child = spawn(process.execPath, [...nodeArgs, ...startArgs], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let stopped = false;
async function stop() {
  if (stopped) return;
  stopped = true;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
  if (pgSchemaUrl) {
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${new URL(pgSchemaUrl).pathname.slice(1)}`);
    await admin.end();
  }
}
process.on("SIGINT", () => stop().then(() => process.exit(130)));

async function api(path: string, init: { token?: string; json?: unknown; method?: string } = {}) {
  const res = await fetch(base + path, {
    method: init.method ?? (init.json ? "POST" : "GET"),
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json ? { "content-type": "application/json" } : {}),
    },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 200) throw new Error("server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const idleRss = rssMb(child.pid!);

  const app = await api("/api/v1/apps", {
    json: { client_name: "bench", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" },
  });
  const appToken = (await api("/oauth/token", {
    json: {
      grant_type: "client_credentials",
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "read write follow",
    },
  })) as { access_token: string };
  const register = async (username: string) =>
    (
      (await api("/api/v1/accounts", {
        token: appToken.access_token,
        json: { username, email: `${username}@bench.kz`, password: "bench-password-1", agreement: true },
      })) as { access_token: string }
    ).access_token;

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

  const run = (path: string, token?: string) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: base + path,
          connections,
          duration,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    });

  // warm-up so JIT and caches do not favour whichever runs second
  await run("/healthz");
  await run("/api/v1/timelines/home?limit=20", reader);
  const health = await run("/healthz");
  const home = await run("/api/v1/timelines/home?limit=20", reader);
  const loadedRss = rssMb(child.pid!);
  const bad = home.non2xx + home.errors + health.non2xx + health.errors;

  const fmt = (r: autocannon.Result) =>
    `${r.requests.average.toFixed(0).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms`;
  console.log(
    `store: ${args.pg ? "PostgreSQL" : "SQLite"}  connections: ${connections}  duration: ${duration}s`,
  );
  console.log(`/healthz                         ${fmt(health)}`);
  console.log(`/api/v1/timelines/home?limit=20  ${fmt(home)}`);
  console.log(
    `ratio home/healthz: ${(home.requests.average / health.requests.average).toFixed(3)}  (aim ≥ 0.30)`,
  );
  console.log(
    `server RSS: idle ${idleRss} MB (aim ≤ 90), after seeding ${seededRss} MB, after load ${loadedRss} MB`,
  );
  if (bad > 0) console.log(`WARNING: ${bad} non-2xx responses or errors during the runs`);
} finally {
  await stop();
}
