/**
 * Streaming over HTTP: the health check and Mastodon's server-sent-events endpoints
 * (/api/v1/streaming/user, /public, /public/local, /hashtag?tag=, /list?list=, /direct, …).
 * The WebSocket endpoint lives in ../streaming/websocket.ts (attached to the Node server).
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppContext } from "../../app.ts";
import { resolveAccessToken } from "../../core/auth/tokens.ts";
import type { Ctx, HonoEnv } from "../context.ts";
import { queryParams, validate } from "../params.ts";
import { streamingToken, streamViewer } from "../streaming/auth.ts";
import { StreamSession } from "../streaming/session.ts";
import { StreamParamsSchema } from "../streaming/streams.ts";
import { STREAMING_PATH, streamNameFromPath } from "../streaming/websocket.ts";

const KEEPALIVE_MS = 15_000;

type Chunk = { event: string; data: string };

export function streamingRoutes(ctx: AppContext, opts: { keepAliveMs?: number } = {}): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const keepAliveMs = opts.keepAliveMs ?? KEEPALIVE_MS;

  app.get(`${STREAMING_PATH}/health`, (c) => c.text("OK"));

  const sse = async (c: Ctx) => {
    const token = streamingToken({
      authorization: c.req.header("authorization"),
      query: c.req.query("access_token"),
    });
    // scopes depend on the stream and are checked by resolveStream
    const viewer = streamViewer(token, c.get("grant"));
    const q = validate(StreamParamsSchema.passthrough(), queryParams(c));
    const onlyMedia = /^(1|true)$/.test(String(q.only_media ?? ""));
    const path = c.req.path.replace(/\/+$/, "");
    const name = path === STREAMING_PATH ? q.stream : streamNameFromPath(path, onlyMedia);
    if (!name) return c.json({ error: "Unknown channel requested" }, 404);

    // Subscribe before answering, so a bad stream is a JSON error rather than an empty stream;
    // events arriving before the response starts wait in `pending`.
    let pending: Chunk[] | null = [];
    let write: (chunk: Chunk) => void = (chunk) => pending?.push(chunk);
    const session = new StreamSession(ctx, viewer, {
      send: (_stream, event, payload) => write({ event, data: payload ?? "{}" }),
    });
    try {
      await session.subscribe(name, { tag: q.tag, list: q.list });
    } catch (err) {
      session.close();
      throw err;
    }
    c.header("Cache-Control", "no-store");
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      const finished = () => wake();
      session.onClose(finished);
      stream.onAbort(() => session.close());
      const queued = pending ?? [];
      pending = null;
      write = (chunk) => {
        if (!stream.closed) void stream.writeSSE(chunk).catch(() => session.close());
      };
      await stream.write(":)\n");
      for (const chunk of queued) write(chunk);
      while (!session.closed && !stream.closed && !stream.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, keepAliveMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        // revoked tokens and suspended accounts stop streaming within one keep-alive (as the WebSocket)
        if (
          !session.closed &&
          !(await resolveAccessToken(ctx, token ?? "", { fresh: true }).catch(() => null))
        )
          session.close();
        if (!session.closed && !stream.closed) await stream.write(":thump\n").catch(() => session.close());
      }
      session.close();
    });
  };
  app.get(STREAMING_PATH, sse);
  app.get(`${STREAMING_PATH}/*`, sse);

  return app;
}
