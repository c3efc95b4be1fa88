/**
 * Process entry: `torgai all | web | worker`. `all` (what `npm start` runs) serves HTTP and runs
 * the job worker in one process; `web` and `worker` split them for running at scale.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type AppContext, closeContext, createContext } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { listenWhenMessagesWait } from "./jobs/message-listeners.ts";
import type { RunningServer } from "./server.ts";

export type ProcessMode = "all" | "web" | "worker";

export interface RunningProcess {
  ctx: AppContext;
  server?: RunningServer;
  stop(): Promise<void>;
}

/**
 * Split processes on one SQLite file stall each other: node:sqlite waits for the write lock
 * synchronously, so the web process's whole event loop stops while the worker fans out (measured by
 * bench/split-sqlite.ts: /healthz p99 about 2.7 times that of one process). Scale-out is PostgreSQL's job.
 */
export function checkProcessMode(mode: ProcessMode, config: Config): void {
  if (mode === "all" || !config.databaseUrl.startsWith("sqlite:") || config.allowSplitSqlite) return;
  throw new ConfigError(
    `torgai ${mode} runs beside other processes, which SQLite cannot serve without stalling them.\n` +
      "On SQLite run everything in one process (`torgai all`, what `npm start` runs); for separate web\n" +
      "and worker processes use PostgreSQL (DATABASE_URL=postgres://…) and Redis (REDIS_URL=redis://…).",
  );
}

/**
 * Gives back what starting up left behind. Loading some 570 modules, migrating and building the
 * routes grow V8's young generation to its limit and leave old-space pages half empty, and an
 * ordinary collection keeps both: about 14 MB of an idle server's resident memory (bench/memory.ts).
 * V8's last-resort collection, the one it runs before giving up on an allocation, shrinks the young
 * generation, compacts and returns the free pages; the heap grows back as load needs it. It runs
 * once (under 100 ms), before the first request is read. Node offers it only through --expose-gc, so
 * without that flag the flag is set just long enough to take `gc` from a fresh context.
 */
export function releaseStartupMemory(): void {
  let gc = globalThis.gc;
  if (!gc) {
    setFlagsFromString("--expose-gc");
    try {
      gc = runInNewContext("gc") as NodeJS.GCFunction;
    } finally {
      setFlagsFromString("--no-expose-gc");
    }
  }
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

export async function runProcess(mode: ProcessMode, config: Config): Promise<RunningProcess> {
  checkProcessMode(mode, config);
  const ctx = await createContext(config);
  let server: RunningServer | undefined;
  try {
    if (mode !== "worker") {
      // loaded here, not at the top: a worker carries no Hono, routes, WebSocket server or undici
      const { startServer } = await import("./server.ts");
      server = await startServer(ctx, { port: config.port, host: config.host });
    }
  } catch (err) {
    await closeContext(ctx);
    throw err;
  }
  if (mode !== "web") {
    // Fedify is loaded when there is federation to do; this process then consumes its messages
    if (config.federation) listenWhenMessagesWait(ctx, () => ctx.federation.listen());
    ctx.queue.start(config.jobConcurrency);
  }
  releaseStartupMemory();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await server?.close();
      await closeContext(ctx);
    })();
    return stopping;
  };
  return { ctx, server, stop };
}

function describeDatabase(config: Config): string {
  if (config.databaseUrl.startsWith("sqlite:")) return `SQLite ${config.databaseUrl.slice(7)}`;
  return `PostgreSQL ${config.databaseUrl.replace(/\/\/[^@/]*@/, "//…@")}`;
}

async function banner(proc: RunningProcess, mode: ProcessMode): Promise<string> {
  const { ctx, server } = proc;
  const lines: string[] = [];
  if (server) {
    lines.push(`Torgai is running at ${ctx.config.baseUrl}  (listening on ${server.url}, ${mode})`);
  } else {
    lines.push("Torgai worker is running");
  }
  lines.push(`Database: ${describeDatabase(ctx.config)}`);
  const admin = await ctx.db.selectFrom("users").select("id").where("role", "=", "admin").executeTakeFirst();
  if (!admin) {
    lines.push(
      "",
      "No administrator yet. Create the first one with:",
      "  npx torgai accounts create --username admin --email you@example.com --password 'a long passphrase' --admin --confirmed",
      "then sign in from any Mastodon app at the address above.",
    );
  }
  return lines.join("\n");
}

export async function main(mode: ProcessMode): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  let proc: RunningProcess;
  try {
    proc = await runProcess(mode, config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE")
      console.error(`Port ${config.port} is already in use; set PORT to another port.`);
    else console.error(`Torgai could not start: ${e.message}`);
    process.exit(1);
  }
  console.log(await banner(proc, mode));
  const shutdown = (signal: string) => {
    console.log(`\n${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    proc.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.main) {
  const mode = (process.argv[2] ?? "all") as ProcessMode;
  if (!["all", "web", "worker"].includes(mode)) {
    console.error("Usage: node src/main.ts [all|web|worker]");
    process.exit(2);
  }
  await main(mode);
}
