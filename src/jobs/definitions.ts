/**
 * Every background job of the server, in one list. Handlers reference core lazily (inside the arrow
 * functions), so this module can be imported by the queue without evaluating core first.
 */
import { z } from "zod";
import { sendConfirmationMail } from "../core/accounts/confirmation.ts";
import { fanoutStatus, fanoutStatusUpdate } from "../core/distribution/fanout.ts";
import { expirePoll } from "../core/statuses/jobs.ts";
import { publishScheduledStatus } from "../core/statuses/scheduled.ts";
import { defineJob } from "./define.ts";

const zId = z.string().regex(/^\d{1,20}$/, "not an id");
const statusRef = z.object({ statusId: zId });

export const statusFanout = defineJob({
  name: "status.fanout",
  payload: statusRef,
  // home/list/followed-tag/conversation fan-out, `status` notifications and stream events
  handler: (ctx, p) => fanoutStatus(ctx, p.statusId),
});

export const statusUpdateFanout = defineJob({
  name: "status.update_fanout",
  payload: statusRef,
  // `status.update` events to every home that holds the status
  handler: (ctx, p) => fanoutStatusUpdate(ctx, p.statusId),
});

export const statusDelete = defineJob({
  name: "status.delete",
  payload: z.object({
    statusId: zId,
    accountId: zId,
    uri: z.string(),
    local: z.union([z.number(), z.boolean()]),
    visibility: z.string(),
    reblogOfId: zId.nullable(),
    reblogIds: z.array(zId),
  }),
  // What a delete leaves to do remotely (Delete/Undo activities) arrives with federation; the local
  // effects are applied in the deleting transaction.
  handler: async () => {},
});

export const pollExpire = defineJob({
  name: "poll.expire",
  payload: z.object({ pollId: zId }),
  // runs at the poll's end: `poll` notifications to voters and the author
  handler: (ctx, p) => expirePoll(ctx, p.pollId),
});

export const publishScheduled = defineJob({
  name: "status.publish_scheduled",
  payload: z.object({ scheduledStatusId: zId }),
  // runs at the scheduled time: compose → persist → distribute, and the scheduled row goes
  handler: async (ctx, p) => {
    await publishScheduledStatus(ctx, p.scheduledStatusId);
  },
});

export const emailConfirmation = defineJob({
  name: "email.confirmation",
  payload: z.object({ userId: zId }),
  // the token is made when the mail is sent, so the raw token never rests in the queue
  handler: (ctx, p) => sendConfirmationMail(ctx, p.userId),
});

export const jobDefinitions = [
  statusFanout,
  statusUpdateFanout,
  statusDelete,
  pollExpire,
  publishScheduled,
  emailConfirmation,
] as const;

type Definition = (typeof jobDefinitions)[number];
export type JobName = Definition["name"];
/** The payload each job type takes when it is enqueued. */
export type JobPayloads = { [D in Definition as D["name"]]: z.input<D["payload"]> };
