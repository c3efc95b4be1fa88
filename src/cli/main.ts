/**
 * The `torgai` command. It reads the same environment as the server, so it acts on a running
 * server's data. Exit codes: 0 success, 1 the operation failed, 2 bad command line or configuration.
 */
import { closeContext, createContext } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { main as runServerProcess } from "../main.ts";
import { migrate, openStore } from "../store/db.ts";
import { runAccountsCommand } from "./accounts.ts";
import { runFederationCommand } from "./federation.ts";
import { runLangCommand } from "./lang.ts";

const USAGE = `Usage: torgai <command>
  all                 web server and job worker in one process (npm start)
  web                 web server only
  worker              job worker only
  migrate             apply database migrations
  accounts <cmd>      create | list | approve | delete | alias | move | 2fa   (torgai accounts --help)
  federation <cmd>    instances | failures | dead | blocks | block | unblock (torgai federation help)
  lang <cmd>          translit | stem | detect | analyze        (stdin → stdout, line by line)`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "all":
    case "web":
    case "worker":
      await runServerProcess(command);
      return -1; // keeps running
    case "lang":
      return runLangCommand(rest, process.stdin, process.stdout);
    case "migrate": {
      const config = loadConfig();
      const store = await openStore({ url: config.databaseUrl, sqliteSync: config.sqliteSync });
      try {
        const applied = await migrate(store.db, { pgSchema: store.pgSchema });
        console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date");
        return 0;
      } finally {
        await store.destroy();
      }
    }
    case "accounts": {
      if (rest.length === 0 || rest[0] === "--help" || rest[0] === "-h") {
        // the accounts module prints its own usage for an unknown command
        rest.splice(0, rest.length, "help");
      }
      const ctx = await createContext(
        loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }),
      );
      try {
        return await runAccountsCommand(ctx, rest, {
          log: (s) => console.log(s),
          error: (s) => console.error(s),
        });
      } finally {
        await closeContext(ctx);
      }
    }
    case "federation": {
      if (rest.length === 0 || rest[0] === "--help" || rest[0] === "-h") rest.splice(0, rest.length, "help");
      const ctx = await createContext(
        loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }),
      );
      try {
        return await runFederationCommand(ctx, rest, {
          log: (s) => console.log(s),
          error: (s) => console.error(s),
        });
      } finally {
        await closeContext(ctx);
      }
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    const code = await runCli(process.argv.slice(2));
    if (code >= 0) process.exitCode = code;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exitCode = 2;
    } else {
      console.error(`torgai: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }
}
