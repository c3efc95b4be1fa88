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
