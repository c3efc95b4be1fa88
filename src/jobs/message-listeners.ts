/**
 * The handlers that consume `fedify.message` jobs in this context (registered by
 * src/federation/mq.ts `listen`). The registry is a context resource, so each worker, test or CLI
 * context has its own and a closed context forgets its handlers. While it is empty the job type is
 * not ready (src/jobs/define.ts `ready`): messages wait in the table, spending no attempt, until
 * some listener comes — in this process or in another worker on the same database.
 */
import { type AppContext, owned, resourceKey } from "../app.ts";

export type MessageHandler = (message: unknown) => Promise<void> | void;

interface Registry {
  handlers: MessageHandler[];
  next: number;
}

const registryKey = resourceKey<Registry>("fedify message listeners", () => ({ handlers: [], next: 0 }));

/** Registers `handler`; the returned function unregisters it. Wakes idle workers for waiting messages. */
export function addMessageListener(ctx: AppContext, handler: MessageHandler): () => void {
  const registry = owned(ctx, registryKey);
  registry.handlers.push(handler);
  ctx.queue.notify();
  return () => {
    const i = registry.handlers.indexOf(handler);
    if (i >= 0) registry.handlers.splice(i, 1);
  };
}

export function hasMessageListener(ctx: AppContext): boolean {
  return owned(ctx, registryKey).handlers.length > 0;
}

/** A message left without a listener between its claim and its run; retried like any failure. */
export class NoMessageListenerError extends Error {}

/**
 * Hands one message to a listener, taking them in turn. Every listener of a context can process
 * every message (Fedify's listeners all dispatch by the message's type), so any one will do.
 */
export async function dispatchMessage(ctx: AppContext, message: unknown): Promise<void> {
  const registry = owned(ctx, registryKey);
  if (registry.handlers.length === 0) throw new NoMessageListenerError("no listener for Fedify messages");
  const handler = registry.handlers[registry.next++ % registry.handlers.length];
  await handler(message);
}

interface AutoListen {
  start: (() => Promise<void>) | null;
  probing: boolean;
  lastProbe: number;
}

const autoListenKey = resourceKey<AutoListen>("fedify auto-listen", () => ({
  start: null,
  probing: false,
  lastProbe: 0,
}));

/** How often a worker without a listener looks for waiting messages. */
const PROBE_MS = 2_000;

/**
 * A worker process (torgai all | worker) consumes Fedify's messages, but Fedify (~65 MB) is loaded
 * only when there is federation to do: `start` (which loads it and registers a listener) runs
 * once a message is seen waiting, or as soon as this process builds its federation anyway.
 */
export function listenWhenMessagesWait(ctx: AppContext, start: () => Promise<void>): void {
  owned(ctx, autoListenKey).start = start;
}

export function wantsAutoListen(ctx: AppContext): boolean {
  return owned(ctx, autoListenKey).start !== null;
}

/** The `ready` of `fedify.message` jobs: a listener is there (or is being started for them). */
export function messagesReady(ctx: AppContext): boolean {
  if (hasMessageListener(ctx)) return true;
  const auto = owned(ctx, autoListenKey);
  const start = auto.start;
  if (start && !auto.probing && Date.now() - auto.lastProbe >= PROBE_MS) {
    auto.probing = true;
    auto.lastProbe = Date.now();
    void (async () => {
      try {
        const waiting = await ctx.db
          .selectFrom("jobs")
          .select("id")
          .where("type", "=", "fedify.message")
          .where("status", "=", "pending")
          .limit(1)
          .executeTakeFirst();
        if (waiting) await start();
      } catch (err) {
        ctx.logger.warn({ err }, "starting the federation queue failed");
      } finally {
        auto.probing = false;
      }
    })();
  }
  return false;
}
