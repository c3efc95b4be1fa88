/**
 * Mastodon's streaming WebSocket on /api/v1/streaming: the token is checked at the upgrade (401
 * before any WebSocket exists), the initial stream comes from the `stream` query (or a path such as
 * /api/v1/streaming/hashtag/local), later ones from {"type":"subscribe"|"unsubscribe", ...}
 * messages. A revoked token or user ends its connections at once (1008, see session.ts); pings every
 * heartbeat close a connection that missed the last pong, or whose token no longer resolves.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { resolveAccessToken } from "../../core/auth/tokens.ts";
import { BadRequestError, TorgaiError } from "../../core/errors.ts";
import { ipLimitKey, type RateLimitResult } from "../../core/ratelimit.ts";
import { clientAddress, exceededThrottle, requestThrottle, trustedProxyList } from "../ratelimit.ts";
import { streamingToken, streamViewer } from "./auth.ts";
import { StreamSession } from "./session.ts";
import type { StreamViewer } from "./streams.ts";

export const STREAMING_PATH = "/api/v1/streaming";
const MAX_MESSAGE_BYTES = 16 * 1024;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const ClientMessage = z.object({
  type: z.enum(["subscribe", "unsubscribe"]),
  stream: z.string().min(1).max(64),
  tag: z.string().trim().min(1).max(256).optional(),
  list: z.preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
  ),
});

/** `/api/v1/streaming/public/local` → "public:local" (media variants via only_media). */
export function streamNameFromPath(pathname: string, onlyMedia: boolean): string | undefined {
  const rest = pathname.slice(STREAMING_PATH.length).replace(/^\/+|\/+$/g, "");
  if (!rest) return undefined;
  const name = rest.split("/").join(":");
  return onlyMedia && name.startsWith("public") ? `${name}:media` : name;
}

function isStreamingPath(pathname: string): boolean {
  return pathname === STREAMING_PATH || pathname.startsWith(`${STREAMING_PATH}/`);
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

function rejectUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  headers: [string, string][] = [],
): void {
  const body = JSON.stringify({ error: message });
  const extra = headers.map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\nConnection: close\r\n${extra}` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once("finish", () => socket.destroy());
}

function rateLimitHeaders(limited: RateLimitResult): [string, string][] {
  const retryAfter = Math.max(1, Math.ceil((limited.resetAt.getTime() - Date.now()) / 1000));
  return [
    ["Retry-After", String(retryAfter)],
    ["X-RateLimit-Limit", String(limited.limit)],
    ["X-RateLimit-Remaining", "0"],
    ["X-RateLimit-Reset", limited.resetAt.toISOString()],
  ];
}

export interface StreamingServerOptions {
  /** ping interval; also how often tokens are re-checked */
  heartbeatMs?: number;
}

export interface StreamingServer {
  close(): Promise<void>;
  readonly connections: number;
}

interface Connection {
  ws: WebSocket;
  session: StreamSession;
  token: string;
  alive: boolean;
}

export function attachStreaming(
  ctx: AppContext,
  server: Server,
  opts: StreamingServerOptions = {},
): StreamingServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const trusted = trustedProxyList(ctx.config.trustedProxies);
  const conns = new Set<Connection>();

  function sendError(ws: WebSocket, err: unknown): void {
    const status = err instanceof TorgaiError ? err.status : 500;
    const error = err instanceof TorgaiError ? err.message : "Internal error";
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ error, status }));
  }

  function onConnection(ws: WebSocket, viewer: StreamViewer, token: string, url: URL): void {
    const session = new StreamSession(ctx, viewer, {
      send(stream, event, payload) {
        if (ws.readyState !== ws.OPEN) return;
        // a reader that stopped reading is dropped rather than buffered without bound
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          ws.terminate();
          return;
        }
        ws.send(JSON.stringify(payload === undefined ? { stream, event } : { stream, event, payload }));
      },
    });
    const conn: Connection = { ws, session, token, alive: true };
    conns.add(conn);
    session.onClose((reason) => {
      if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
      if (reason === "revoked") ws.close(1008, "access token revoked");
      else ws.close(1000);
    });
    ws.on("pong", () => {
      conn.alive = true;
    });
    ws.on("close", () => {
      conns.delete(conn);
      session.close();
    });
    ws.on("error", () => ws.terminate());
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let msg: z.output<typeof ClientMessage>;
      try {
        const parsed = ClientMessage.safeParse(JSON.parse(data.toString()));
        if (!parsed.success) throw new Error("invalid");
        msg = parsed.data;
      } catch {
        sendError(ws, new BadRequestError("Invalid message"));
        return;
      }
      const params = { tag: msg.tag, list: msg.list };
      const op =
        msg.type === "subscribe"
          ? session.subscribe(msg.stream, params)
          : session.unsubscribe(msg.stream, params);
      op.catch((err) => sendError(ws, err));
    });

    const q = url.searchParams;
    const initial =
      q.get("stream") ?? streamNameFromPath(url.pathname, /^(1|true)$/.test(q.get("only_media") ?? ""));
    if (initial) {
      const tag = q.get("tag") ?? undefined;
      const list = q.get("list") ?? undefined;
      session
        .subscribe(initial, {
          tag: tag || undefined,
          list: list && /^\d{1,20}$/.test(list) ? list : undefined,
        })
        .catch((err) => sendError(ws, err));
    }
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      rejectUpgrade(socket, 400, "Bad request");
      return;
    }
    if (!isStreamingPath(url.pathname)) {
      rejectUpgrade(socket, 404, "Not Found");
      return;
    }
    socket.on("error", () => socket.destroy());
    const token = streamingToken({
      authorization: req.headers.authorization,
      query: url.searchParams.get("access_token"),
      protocol: req.headers["sec-websocket-protocol"],
    });
    const forwarded = req.headers["x-forwarded-for"];
    const ip = ipLimitKey(
      clientAddress(
        req.socket.remoteAddress,
        Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
        trusted,
      ),
    );
    (async () => {
      const grant = token ? await resolveAccessToken(ctx, token) : null;
      // counted like an /api request before a bad token is refused, so the upgrade is no way
      // around the per-IP limit for guessing tokens
      const limited = await exceededThrottle(ctx, ...requestThrottle(grant, ip));
      if (limited) {
        rejectUpgrade(socket, 429, "Too many requests", rateLimitHeaders(limited));
        return;
      }
      const viewer = streamViewer(token, grant);
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, viewer, token ?? "", url));
    })().catch((err: unknown) => {
      const status = err instanceof TorgaiError ? err.status : 500;
      rejectUpgrade(socket, status, err instanceof TorgaiError ? err.message : "Internal error");
    });
  };
  server.on("upgrade", onUpgrade);

  const heartbeat = setInterval(() => {
    for (const conn of conns) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      // the fallback for what no revocation announced (a lost Redis message, a change made in the
      // database directly): such tokens stop streaming within one heartbeat
      resolveAccessToken(ctx, conn.token, { fresh: true }).then(
        (grant) => {
          if (!grant) conn.ws.close(1008, "access token revoked");
        },
        () => {},
      );
    }
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    get connections() {
      return conns.size;
    },
    async close() {
      clearInterval(heartbeat);
      server.off("upgrade", onUpgrade);
      const closing = [...conns].map(
        (conn) =>
          new Promise<void>((resolve) => {
            if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
            const timer = setTimeout(() => {
              conn.ws.terminate();
              resolve();
            }, 1000);
            conn.ws.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
            conn.ws.close(1001, "server shutting down");
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
