/** Helpers for streaming tests: a WebSocket client that collects messages, and status rows. */
import { WebSocket } from "ws";
import type { AppContext } from "../../src/app.ts";

export interface StreamMessage {
  stream?: string[];
  event?: string;
  payload?: string;
  error?: string;
  status?: number;
}

export interface WsClient {
  ws: WebSocket;
  messages: StreamMessage[];
  /** resolves with the first message (already received or future) that satisfies `pred` */
  next(pred: (m: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  send(msg: unknown): void;
  close(): Promise<void>;
}

export function wsUrl(
  httpUrl: string,
  query: Record<string, string> = {},
  path = "/api/v1/streaming",
): string {
  const u = new URL(path, httpUrl.replace(/^http/, "ws"));
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/** Opens a WebSocket; rejects with the HTTP status (and headers) when the upgrade is refused. */
export function connectWs(
  url: string,
  opts: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers });
    const messages: StreamMessage[] = [];
    const waiters: { pred: (m: StreamMessage) => boolean; resolve: (m: StreamMessage) => void }[] = [];
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as StreamMessage;
      messages.push(m);
      for (const w of [...waiters]) {
        if (w.pred(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    ws.on("unexpected-response", (_req, res) =>
      reject(
        Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, headers: res.headers }),
      ),
    );
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        ws,
        messages,
        next(pred, timeoutMs = 3000) {
          const found = messages.find(pred);
          if (found) return Promise.resolve(found);
          return new Promise((res, rej) => {
            const timer = setTimeout(
              () => rej(new Error(`no matching message; got ${JSON.stringify(messages)}`)),
              timeoutMs,
            );
            waiters.push({
              pred,
              resolve: (m) => {
                clearTimeout(timer);
                res(m);
              },
            });
          });
        },
        send(msg) {
          ws.send(JSON.stringify(msg));
        },
        close() {
          return new Promise((res) => {
            if (ws.readyState === ws.CLOSED) return res();
            ws.once("close", () => res());
            ws.close();
          });
        },
      }),
    );
  });
}

export function payloadOf(m: StreamMessage): Record<string, unknown> {
  return JSON.parse(m.payload ?? "null") as Record<string, unknown>;
}

/** Waits until `accountId` has a session subscribed to `key` (subscriptions are asynchronous). */
export async function subscribed(
  ctx: AppContext,
  accountId: string,
  key: string,
  present = true,
): Promise<void> {
  const { sessionsOf } = await import("../../src/api/streaming/session.ts");
  for (let i = 0; i < 300; i++) {
    const has = [...sessionsOf(ctx)].some(
      (s) => s.viewer.account.id === accountId && s.streams.includes(key),
    );
    if (has === present) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`subscription ${key} of ${accountId} never ${present ? "appeared" : "went away"}`);
}
