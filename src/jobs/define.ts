/**
 * A job type: its name, the zod schema of its payload and its handler. The payload is checked when
 * a job is enqueued (a caller's mistake fails its own request) and again when it runs (rows written
 * by an older release, or edited by hand, end as dead jobs instead of crashing a handler).
 */
import type { z } from "zod";
import type { AppContext } from "../app.ts";
import type { Job } from "../store/schema.ts";

export interface JobDefinition<N extends string = string, S extends z.ZodType = z.ZodType> {
  readonly name: N;
  readonly payload: S;
  /** Runs one job; at-least-once delivery, so it must be idempotent. */
  readonly handler: (ctx: AppContext, payload: z.output<S>, job: Job) => Promise<void>;
  /**
   * Jobs with the same ordering key run one at a time in the order they were enqueued (deliveries to
   * one inbox, activities of one actor). Without a key, jobs run in parallel.
   */
  readonly orderingKey?: (payload: z.output<S>) => string | undefined;
  readonly maxAttempts?: number;
  /**
   * Whether this context can run jobs of this type now (Fedify messages wait until a listener is
   * registered). Jobs of a type that is not ready stay pending, untouched: no attempt is spent.
   */
  readonly ready?: (ctx: AppContext) => boolean;
}

export function defineJob<const N extends string, S extends z.ZodType>(
  def: JobDefinition<N, S>,
): JobDefinition<N, S> {
  return def;
}
