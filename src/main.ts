/**
 * Process entry: `torgai all | web | worker`. `all` (what `npm start` runs) serves HTTP and runs
 * the job worker in one process; `web` and `worker` split them for running at scale.
 */
import { type AppContext, closeContext, createContext } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { type RunningServer, startServer } from "./server.ts";

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

export async function runProcess(mode: ProcessMode, config: Config): Promise<RunningProcess> {
  checkProcessMode(mode, config);
  const ctx = await createContext(config);
  let server: RunningServer | undefined;
  try {
    if (mode !== "worker") server = await startServer(ctx, { port: config.port, host: config.host });
  } catch (err) {
    await closeContext(ctx);
    throw err;
  }
  if (mode !== "web") ctx.queue.start(config.jobConcurrency);
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
