/**
 * Fedify's `MessageQueue` on our durable job queue (src/jobs): each message is one `fedify.message`
 * job in the application database.
 *
 *   const queue = createMessageQueue(ctx);
 *   createFederation({ queue, manuallyStartQueue: true, … });   // one queue for inbox, outbox, fanout
 *   if (mode !== "web") await federation.startQueue(contextData, { signal });   // worker / all
 *
 * - `enqueue`/`enqueueMany` insert jobs (a batch in one transaction); `delay` becomes the job's run
 *   time, `orderingKey` its ordering key, so messages sharing a key run one at a time in enqueue
 *   order, across processes.
 * - `listen` only registers the handler in this context (src/jobs/message-listeners.ts); the
 *   context's job workers (`ctx.queue.start`, run by `torgai all|worker`) claim the jobs and call it.
 *   Without a listener messages wait in the table — through restarts and kills — and no attempt is
 *   spent. A web-only process therefore enqueues and never consumes.
 * - `nativeRetrial` is true: a handler that throws fails the job, and our queue retries it with
 *   exponential backoff and jitter (16 attempts, about 2.5–3 days) before the job goes dead, where
 *   the admin CLI sees it. Fedify's own policy (10 attempts from 1 s, under an hour in all) would
 *   give up on a server that is down for an evening, and each of its retries is a new message, so
 *   no row would ever carry the attempts and the last error. Fedify still handles what only it can
 *   judge: permanent failures (410 Gone …) are not thrown, and a `Retry-After` is honoured by its
 *   own delayed re-enqueue.
 */
import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { type AppContext, transaction } from "../app.ts";
import { addMessageListener, type MessageHandler } from "../jobs/message-listeners.ts";
import type { Db } from "../store/db.ts";

/** The part of `Temporal.Duration` we use (Fedify's declarations name a global Node 24 lacks). */
interface Duration {
  total(options: { unit: "millisecond" }): number;
}

export const FEDIFY_MESSAGE_JOB = "fedify.message";

function runAt(ctx: AppContext, options?: MessageQueueEnqueueOptions): Date | undefined {
  const delay = options?.delay as Duration | undefined;
  if (delay == null) return undefined;
  const ms = delay.total({ unit: "millisecond" });
  if (!Number.isFinite(ms)) throw new RangeError("delay must be a finite duration");
  // Fedify clamps negative delays itself; treat any that slips through as "now"
  return new Date(ctx.now().getTime() + Math.max(0, ms));
}

async function insert(
  ctx: AppContext,
  db: Db,
  message: unknown,
  options?: MessageQueueEnqueueOptions,
): Promise<void> {
  await ctx.queue.enqueue(
    db,
    FEDIFY_MESSAGE_JOB,
    { message, ...(options?.orderingKey === undefined ? {} : { orderingKey: options.orderingKey }) },
    { runAt: runAt(ctx, options) },
  );
}

export function createMessageQueue(ctx: AppContext): MessageQueue {
  return {
    nativeRetrial: true,

    enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
      return insert(ctx, ctx.db, message, options);
    },

    async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
      if (messages.length === 0) return;
      // all or none; ids are time-ordered, so a shared ordering key keeps the batch's order
      await transaction(ctx, async (trx) => {
        for (const message of messages) await insert(ctx, trx, message, options);
      });
    },

    listen(handler: MessageHandler, options: MessageQueueListenOptions = {}): Promise<void> {
      const { signal } = options;
      if (signal?.aborted) return Promise.resolve();
      const remove = addMessageListener(ctx, handler);
      // resolves when the signal aborts, never without one (Fedify's contract); never rejects
      return new Promise<void>((resolve) => {
        signal?.addEventListener(
          "abort",
          () => {
            remove();
            resolve();
          },
          { once: true },
        );
      });
    },

    async getDepth(): Promise<MessageQueueDepth> {
      const now = ctx.now().toISOString();
      const row = await ctx.db
        .selectFrom("jobs")
        .select((eb) => [
          eb.fn.countAll<number | string>().as("queued"),
          eb.fn
            .sum<number | string | null>(eb.case().when("run_at", "<=", now).then(1).else(0).end())
            .as("ready"),
        ])
        .where("type", "=", FEDIFY_MESSAGE_JOB)
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      const queued = Number(row.queued);
      const ready = Number(row.ready ?? 0);
      return { queued, ready, delayed: queued - ready };
    },
  };
}
