/** What the bench scripts share: free ports, resident memory, and starting Torgai as `npm start` does. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** The Node flags of `npm start` (the bench runs the server exactly as users do). */
export function startNodeArgs(): string[] {
  const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts
    .start;
  return start.split(/\s+/).slice(1, -2); // node <flags…> src/main.ts all
}

export interface BenchDatabase {
  url?: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database for one bench run (dropped afterwards). */
export async function createPgDatabase(): Promise<BenchDatabase> {
  const dbName = `bench_${Date.now()}_${process.pid}`;
  const { default: pg } = await import("pg");
  const admin = () => new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
  const c = admin();
  await c.connect();
  await c.query(`CREATE DATABASE ${dbName}`);
  await c.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    async drop() {
      const d = admin();
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await d.end();
    },
  };
}

export interface TorgaiProcess {
  child: ChildProcess;
  base: string;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  mode?: "all" | "web" | "worker";
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** replaces the Node flags of `npm start` (to compare V8 settings) */
  startFlags?: string[];
  port?: number;
  /** wait for /healthz (not for a worker) */
  wait?: boolean;
}

/** Starts `node <npm start flags> src/main.ts <mode>` with the given environment. */
export async function startTorgai(opts: StartOptions = {}): Promise<TorgaiProcess> {
  const port = opts.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: "127.0.0.1",
    TORGAI_DOMAIN: `127.0.0.1:${port}`,
    TORGAI_TEST_MODE: "1",
    TORGAI_RATE_LIMIT: "0",
    LOG_LEVEL: "warn",
    ...opts.env,
  };
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), ...(opts.startFlags ?? startNodeArgs()), "src/main.ts", opts.mode ?? "all"],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  // the banner and warnings (LOG_LEVEL=warn) go to the bench's stderr, out of its figures
  child.stdout?.pipe(process.stderr);
  const exited = new Promise((r) => child.once("exit", r));
  const proc: TorgaiProcess = {
    child,
    base,
    port,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  if (opts.wait !== false && (opts.mode ?? "all") !== "worker") {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      if (child.exitCode !== null) throw new Error("server exited during start");
      if (i > 300) throw new Error("server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return proc;
}

export function tempDir(prefix = "torgai-bench-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A small Mastodon API client for seeding a bench server. */
export function apiClient(base: string) {
  const api = async (path: string, init: { token?: string; json?: unknown; method?: string } = {}) => {
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
  };
  let appToken: string | undefined;
  const register = async (username: string): Promise<string> => {
    if (!appToken) {
      const app = await api("/api/v1/apps", {
        json: {
          client_name: "bench",
          redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
          scopes: "read write follow",
        },
      });
      appToken = (
        (await api("/oauth/token", {
          json: {
            grant_type: "client_credentials",
            client_id: app.client_id,
            client_secret: app.client_secret,
            scope: "read write follow",
          },
        })) as { access_token: string }
      ).access_token;
    }
    const res = (await api("/api/v1/accounts", {
      token: appToken,
      json: { username, email: `${username}@bench.kz`, password: "bench-password-1", agreement: true },
    })) as { access_token: string };
    return res.access_token;
  };
  return { api, register };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
