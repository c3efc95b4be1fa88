import type { Logger } from "pino";
import type { Db, DialectName } from "../store/db.ts";
import type { Job } from "../store/schema.ts";

export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<void>;

export interface EnqueueOptions {
  runAt?: Date;
  /** A job with the same key that is still pending is not enqueued twice. */
  dedupeKey?: string;
  maxAttempts?: number;
}

const LOCK_MS = 5 * 60_000;

/** Exponential backoff with ±25 % jitter: 20 s, 40 s … capped at 12 h; 16 attempts span ~3 days. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(10_000 * 2 ** attempts, 12 * 3600_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * A durable, table-backed queue in the application database (transactional outbox): enqueue in the
 * same transaction as the change it belongs to; workers claim jobs with a lease; at-least-once, so
 * handlers are idempotent.
 */
export class JobQueue {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #ids: () => string;
  readonly #now: () => Date;
  readonly #log?: Logger;
  readonly #handlers = new Map<string, JobHandler>();
  #running = false;
  #active = 0;
  readonly #waiters = new Set<() => void>();
  #loops: Promise<void>[] = [];

  constructor(opts: { db: Db; dialect: DialectName; ids: () => string; now: () => Date; logger?: Logger }) {
    this.#db = opts.db;
    this.#dialect = opts.dialect;
    this.#ids = opts.ids;
    this.#now = opts.now;
    this.#log = opts.logger;
  }

  register(type: string, handler: JobHandler): void {
    this.#handlers.set(type, handler);
  }

  /** Inserts a job; pass the caller's transaction so the job commits or rolls back with the change. */
  async enqueue(
    db: Db,
    type: string,
    payload: Record<string, unknown>,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    const now = this.#now().toISOString();
    const row = {
      id: this.#ids(),
      type,
      payload: JSON.stringify(payload),
      dedupe_key: opts.dedupeKey ?? null,
      status: "pending" as const,
      attempts: 0,
      max_attempts: opts.maxAttempts ?? 16,
      run_at: (opts.runAt ?? this.#now()).toISOString(),
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    await db
      .insertInto("jobs")
      .values(row)
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .execute();
  }

  /** Wakes idle workers (called after a commit that enqueued work). */
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Claims one ready job, runs it, records the outcome. Returns false when nothing was ready. */
  async runOnce(): Promise<boolean> {
    const now = this.#now();
    const nowIso = now.toISOString();
    let pick = this.#db
      .selectFrom("jobs")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "pending"), eb("run_at", "<=", nowIso)]),
          eb.and([eb("status", "=", "running"), eb("locked_until", "<", nowIso)]),
        ]),
      )
      .orderBy("run_at")
      .limit(1);
    if (this.#dialect === "postgres") pick = pick.forUpdate().skipLocked();
    const job = await this.#db
      .updateTable("jobs")
      .set((eb) => ({
        status: "running",
        attempts: eb("attempts", "+", 1),
        locked_until: new Date(now.getTime() + LOCK_MS).toISOString(),
        updated_at: nowIso,
      }))
      .where("id", "=", (eb) => eb.selectFrom(pick.as("p")).select("p.id"))
      .returningAll()
      .executeTakeFirst();
    if (!job) return false;
    const handler = this.#handlers.get(job.type);
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      await handler(JSON.parse(job.payload) as Record<string, unknown>, job);
      await this.#db.deleteFrom("jobs").where("id", "=", job.id).execute();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempts >= job.max_attempts;
      this.#log?.warn(
        { jobId: job.id, type: job.type, attempts: job.attempts, dead, err: message },
        "job failed",
      );
      await this.#db
        .updateTable("jobs")
        .set({
          status: dead ? "dead" : "pending",
          run_at: new Date(this.#now().getTime() + backoffMs(job.attempts)).toISOString(),
          locked_until: null,
          last_error: message.slice(0, 2000),
          updated_at: this.#now().toISOString(),
          dedupe_key: dead ? null : job.dedupe_key,
        })
        .where("id", "=", job.id)
        .execute();
    }
    return true;
  }

  /** Runs ready jobs until none is left (tests, CLI). */
  async drain(maxJobs = 10_000): Promise<number> {
    let n = 0;
    while (n < maxJobs && (await this.runOnce())) n++;
    return n;
  }

  start(concurrency = 2, pollMs = 500): void {
    if (this.#running) return;
    this.#running = true;
    for (let i = 0; i < concurrency; i++) this.#loops.push(this.#loop(pollMs));
  }

  async #loop(pollMs: number): Promise<void> {
    while (this.#running) {
      let worked = false;
      try {
        this.#active++;
        worked = await this.runOnce();
      } catch (err) {
        this.#log?.error({ err }, "job loop error");
      } finally {
        this.#active--;
      }
      if (!worked && this.#running) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.#waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          this.#waiters.add(done);
        });
      }
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.notify();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  get idle(): boolean {
    return this.#active === 0;
  }
}
