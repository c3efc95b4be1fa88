/**
 * The HTTP server: the Hono app on Node's http server, with the streaming WebSocket attached to the
 * same port, and a shutdown that ends streams (WebSocket and server-sent events) before closing.
 */
import type { Server, ServerOptions } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { sessionsOf } from "./api/streaming/session.ts";
import { attachStreaming, type StreamingServerOptions } from "./api/streaming/websocket.ts";
import type { AppContext } from "./app.ts";
import { closeRateLimiter } from "./core/ratelimit.ts";
import { createHttpApp } from "./http.ts";

export interface StartServerOptions extends StreamingServerOptions {
  port: number;
  host?: string;
  /** time to receive a whole request, headers and body (tests shorten it) */
  requestTimeoutMs?: number;
}

/**
 * Idle keep-alive connections stay open 20 s, as Mastodon's Puma keeps them (`persistent_timeout`):
 * Node's default 5 s closes sockets that clients are about to reuse, and their next request then
 * fails with "other side closed". Headers must arrive within 30 s (above the keep-alive time), and
 * the whole request, body included, within `REQUEST_TIMEOUT_MS` (Puma's `first_data_timeout` is 30 s)
 * or the answer is 408 and the socket is closed. These clocks stop once a request has been received,
 * so server-sent-event streams (GET, no body) and WebSocket upgrades (detached from the HTTP parser)
 * stay open for as long as they like.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 20_000;
const HEADERS_TIMEOUT_MS = 30_000;
export const REQUEST_TIMEOUT_MS = 30_000;

function serverOptions(requestTimeoutMs: number): ServerOptions {
  return {
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Node requires headersTimeout <= requestTimeout
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
    requestTimeout: requestTimeoutMs,
    // how often those two deadlines are checked (Node's default, 30 s, would double them)
    connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(requestTimeoutMs / 6))),
  };
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "Request timeout"],
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "Request header fields too large"],
};

/**
 * A request the HTTP parser refuses (malformed, headers too large, too slow) gets a Mastodon-style
 * JSON error, as Node's default handler would give a bare status line, then the socket is closed.
 */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // a response already under way (the app answered before the body finished) cannot get another
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = CLIENT_ERRORS[err.code ?? ""] ?? [400, "Bad Request", "Bad request"];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroySoon();
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
  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: serverOptions(opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
  }) as Server;
  server.on("clientError", onClientError);
  const streaming = attachStreaming(ctx, server, { heartbeatMs: opts.heartbeatMs });
  // listen for revocations from other processes before the first stream opens
  sessionsOf(ctx);
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
