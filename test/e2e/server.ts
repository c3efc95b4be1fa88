/** Starts a real Torgai server (HTTP + streaming + job worker) on a free port for end-to-end tests. */
import { createServer } from "node:net";
import { type AppContext, closeContext } from "../../src/app.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { createTestContext, type StoreKind } from "../helpers/harness.ts";

export interface E2EServer {
  ctx: AppContext;
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `now` replaces the server's clock (the worker runs delayed jobs once it reaches their time). */
export async function startE2EServer(
  kind: StoreKind,
  config: Record<string, string> = {},
  opts: { now?: () => Date } = {},
): Promise<E2EServer> {
  const port = await freePort();
  const ctx = await createTestContext(kind, {
    config: { TORGAI_DOMAIN: `127.0.0.1:${port}`, TORGAI_PROTOCOL: "http", ...config },
    now: opts.now,
  });
  ctx.queue.start(2, 25);
  const server = await startServer(ctx, { port, host: "127.0.0.1" });
  return {
    ctx,
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      await server.close();
      await closeContext(ctx);
    },
  };
}

/** Polls until `check` returns a truthy value (background jobs run asynchronously). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The HTTP status of a masto.js call: 200 when it succeeds, the error's status otherwise. */
export async function statusCodeOf(p: PromiseLike<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { statusCode?: number }).statusCode ?? -1;
  }
}
