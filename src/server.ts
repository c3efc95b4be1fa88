/**
 * The HTTP server: the Hono app on Node's http server, with the streaming WebSocket attached to the
 * same port, and a shutdown that ends streams (WebSocket and server-sent events) before closing.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createHttpApp } from "./api/app.ts";
import { sessionsOf } from "./api/streaming/session.ts";
import { attachStreaming, type StreamingServerOptions } from "./api/streaming/websocket.ts";
import type { AppContext } from "./app.ts";
import { closeRateLimiter } from "./core/ratelimit.ts";

export interface StartServerOptions extends StreamingServerOptions {
  port: number;
  host?: string;
}

export interface RunningServer {
  /** base URL of the listening socket, e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startServer(ctx: AppContext, opts: StartServerOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const app = createHttpApp(ctx);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // slow-loris protection without cutting long-lived streams
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  const streaming = attachStreaming(ctx, server, { heartbeatMs: opts.heartbeatMs });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    server,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await streaming.close();
        for (const session of [...sessionsOf(ctx)]) session.close();
        // responses of the streams just ended leave their connections idle
        await new Promise((r) => setImmediate(r));
        server.closeIdleConnections();
        // whatever is still open after a grace period (a slow request) is cut
        const timer = setTimeout(() => server.closeAllConnections(), 2000);
        await stopped;
        clearTimeout(timer);
        await closeRateLimiter(ctx);
      })();
      return closing;
    },
  };
}
