import type { Logger } from "pino";
import type { AfterCommit, AppContext } from "../app.ts";
import type { Db, DialectName } from "../store/db.ts";
import type { JobDefinition } from "./define.ts";
import type { JobPayloads } from "./definitions.ts";

export interface EnqueueOptions {
  runAt?: Date;
  /** A job with the same key that is still pending is not enqueued twice. */
  dedupeKey?: string;
  maxAttempts?: number;
}

/**
 * A claimed job is leased for LEASE_MS and the lease is renewed every RENEW_MS while its handler
 * runs, so a job whose worker died (kill -9, a lost machine) is claimed again within a minute, and
 * a long handler is never run twice at once.
 */
const LEASE_MS = 60_000;
const RENEW_MS = 20_000;

/** Exponential backoff with ±25 % jitter: 20 s, 40 s … capped at 12 h; 16 attempts span ~3 days. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(10_000 * 2 ** attempts, 12 * 3600_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

export interface JobQueueOptions {
  db: Db;
  dialect: DialectName;
  ids: () => string;
  now: () => Date;
  logger?: Logger;
  // biome-ignore lint/suspicious/noExplicitAny: a list of definitions, each with its own payload type
  definitions: readonly JobDefinition<string, any>[];
}

/**
 * A durable, table-backed queue in the application database (transactional outbox): enqueue in the
 * same transaction as the change it belongs to; workers claim jobs with a lease; at-least-once, so
 * handlers are idempotent. Job types and their payload schemas come from one list of definitions
 * (src/jobs/definitions.ts for the server); `P` maps each name to its payload type.
 */
export class JobQueue<P extends Record<string, unknown> = JobPayloads> {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #ids: () => string;
  readonly #now: () => Date;
  readonly #log?: Logger;
  // biome-ignore lint/suspicious/noExplicitAny: see JobQueueOptions.definitions
  readonly #definitions = new Map<string, JobDefinition<string, any>>();
  /** transactions opened through transaction(): enqueue wakes the workers once they commit */
  readonly #afterCommit = new WeakMap<object, AfterCommit>();
  #ctx?: AppContext;
  #running = false;
  #active = 0;
  readonly #waiters = new Set<() => void>();
  #loops: Promise<void>[] = [];

  constructor(opts: JobQueueOptions) {
    this.#db = opts.db;
    this.#dialect = opts.dialect;
    this.#ids = opts.ids;
    this.#now = opts.now;
    this.#log = opts.logger;
    for (const def of opts.definitions) this.#definitions.set(def.name, def);
  }

  /** The context handlers run with (set once by createContext). */
  attach(ctx: AppContext): void {
    this.#ctx = ctx;
  }

  /** Called by transaction(): jobs enqueued in `trx` wake the workers after it commits. */
  trackTransaction(trx: Db, after: AfterCommit): void {
    this.#afterCommit.set(trx, after);
  }

  /**
   * Inserts a job; pass the caller's transaction so the job commits or rolls back with the change.
   * The payload is validated against the job's schema here, so a bad payload fails the caller.
   */
  async enqueue<N extends keyof P & string>(
    db: Db,
    name: N,
    payload: P[N],
    opts: EnqueueOptions = {},
  ): Promise<void> {
    const def = this.#definitions.get(name);
    if (!def) throw new Error(`unknown job type ${name}`);
    const parsed = def.payload.parse(payload);
    const now = this.#now().toISOString();
    const row = {
      id: this.#ids(),
      type: name,
      payload: JSON.stringify(parsed),
      dedupe_key: opts.dedupeKey ?? null,
      ordering_key: def.orderingKey?.(parsed) ?? null,
      status: "pending" as const,
      attempts: 0,
      max_attempts: opts.maxAttempts ?? def.maxAttempts ?? 16,
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
    const after = this.#afterCommit.get(db);
    if (after) after(() => this.notify());
    else if (!db.isTransaction) this.notify();
    // a transaction opened without transaction(): the workers' next poll finds the job
  }

  /**
   * Removes the pending jobs enqueued with `dedupeKey` (a scheduled post moved or cancelled); a job
   * already running is left to finish, so its handler must tolerate what it finds.
   */
  async cancel(db: Db, dedupeKey: string): Promise<void> {
    await db.deleteFrom("jobs").where("dedupe_key", "=", dedupeKey).where("status", "=", "pending").execute();
  }

  /** Wakes idle workers. */
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
        eb.and([
          eb.or([
            eb.and([eb("status", "=", "pending"), eb("run_at", "<=", nowIso)]),
            eb.and([eb("status", "=", "running"), eb("locked_until", "<", nowIso)]),
          ]),
          // of the live jobs sharing an ordering key, only the oldest may run
          eb.or([
            eb("ordering_key", "is", null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom("jobs as earlier")
                  .select("earlier.id")
                  .whereRef("earlier.ordering_key", "=", "jobs.ordering_key")
                  .whereRef("earlier.id", "<", "jobs.id")
                  .where("earlier.status", "in", ["pending", "running"]),
              ),
            ),
          ]),
        ]),
      )
      .orderBy("run_at")
      .limit(1);
    const waiting = this.#waitingTypes();
    if (waiting.length > 0) pick = pick.where("type", "not in", waiting);
    if (this.#dialect === "postgres") pick = pick.forUpdate().skipLocked();
    const job = await this.#db
      .updateTable("jobs")
      .set((eb) => ({
        status: "running",
        attempts: eb("attempts", "+", 1),
        locked_until: new Date(now.getTime() + LEASE_MS).toISOString(),
        updated_at: nowIso,
      }))
      .where("id", "=", (eb) => eb.selectFrom(pick.as("p")).select("p.id"))
      .returningAll()
      .executeTakeFirst();
    if (!job) return false;
    const def = this.#definitions.get(job.type);
    let dead = false;
    try {
      if (!def) throw new PermanentJobError(`no handler for job type ${job.type}`);
      if (!this.#ctx) throw new Error("the job queue is not attached to a context");
      const parsed = def.payload.safeParse(JSON.parse(job.payload));
      if (!parsed.success) throw new PermanentJobError(`invalid payload: ${parsed.error.message}`);
      await this.#withLease(job.id, () => def.handler(this.#ctx as AppContext, parsed.data, job));
      await this.#db.deleteFrom("jobs").where("id", "=", job.id).execute();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      dead = err instanceof PermanentJobError || job.attempts >= job.max_attempts;
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
    // a finished or dead job may unblock the next one with its ordering key
    if (job.ordering_key) this.notify();
    return true;
  }

  /** Job types this context cannot run yet (their definition's `ready` says no). */
  #waitingTypes(): string[] {
    const ctx = this.#ctx;
    if (!ctx) return [];
    const out: string[] = [];
    for (const def of this.#definitions.values()) if (def.ready && !def.ready(ctx)) out.push(def.name);
    return out;
  }

  async #withLease(jobId: string, run: () => Promise<void>): Promise<void> {
    const renew = setInterval(() => {
      this.#db
        .updateTable("jobs")
        .set({ locked_until: new Date(this.#now().getTime() + LEASE_MS).toISOString() })
        .where("id", "=", jobId)
        .where("status", "=", "running")
        .execute()
        .catch((err) => this.#log?.warn({ err, jobId }, "job lease renewal failed"));
    }, RENEW_MS);
    try {
      await run();
    } finally {
      clearInterval(renew);
    }
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

/** A failure that retrying cannot mend (unknown type, invalid payload): the job dies at once. */
export class PermanentJobError extends Error {}
