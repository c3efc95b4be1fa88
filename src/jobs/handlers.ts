import type { AppContext } from "../app.ts";
import { CONFIRMATION_JOB, sendConfirmationMail } from "../core/accounts/confirmation.ts";
import { registerStatusJobs } from "../core/statuses/jobs.ts";
import { fanoutStatus, fanoutStatusUpdate } from "../core/timelines/fanout.ts";

function statusIdOf(payload: Record<string, unknown>): string {
  const id = payload.statusId;
  if (typeof id !== "string" || !/^\d{1,20}$/.test(id)) throw new Error("job payload lacks a statusId");
  return id;
}

/** Registers every job handler of the server on `ctx.queue` (web, worker and tests alike). */
export function registerJobHandlers(ctx: AppContext): void {
  ctx.queue.register("status.fanout", (payload) => fanoutStatus(ctx, statusIdOf(payload)));
  ctx.queue.register("status.update_fanout", (payload) => fanoutStatusUpdate(ctx, statusIdOf(payload)));
  registerStatusJobs(ctx.queue, ctx);
  ctx.queue.register(CONFIRMATION_JOB, (payload) => {
    if (typeof payload.userId !== "string") throw new Error("job payload lacks a userId");
    return sendConfirmationMail(ctx, payload.userId);
  });
}
