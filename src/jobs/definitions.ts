/**
 * Every background job of the server, in one list. Handlers reference core lazily (inside the arrow
 * functions), so this module can be imported by the queue without evaluating core first.
 */
import { z } from "zod";
import { sendConfirmationMail } from "../core/accounts/confirmation.ts";
import { migrateFollowers } from "../core/accounts/move.ts";
import { fanoutStatus, fanoutStatusUpdate } from "../core/distribution/fanout.ts";
import { mayDeliverTo, recordDeliveryFailure, recordDomainAlive } from "../core/fediverse/instances.ts";
import { outboundEventSchema } from "../core/fediverse/outbound.ts";
import { deliverPush } from "../core/push/deliver.ts";
import { expirePoll } from "../core/statuses/jobs.ts";
import { publishScheduledStatus } from "../core/statuses/scheduled.ts";
import { defineJob } from "./define.ts";
import { dispatchMessage, messagesReady } from "./message-listeners.ts";

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

export const federationOutbound = defineJob({
  name: "federation.outbound",
  payload: outboundEventSchema,
  // the activities a local action leaves to send; one actor's run in the order they were recorded
  handler: (ctx, event) => ctx.federation.deliver(event),
  // a poll's (delayed, debounced) count update waits in no actor's lane: the author's other
  // activities must not queue behind it
  orderingKey: (event) => (event.type === "poll.update" ? undefined : `actor:${event.accountId}`),
});

export const fedifyMessage = defineJob({
  name: "fedify.message",
  payload: z.object({
    // Fedify's queued task (inbox, outbox or fanout), JSON as every Fedify queue backend stores it
    message: z.unknown().refine((m) => m !== undefined, "a message is required"),
    orderingKey: z.string().max(4096).optional(),
  }),
  // prefixed so Fedify's keys never share a lane with our own job keys
  orderingKey: (p) => (p.orderingKey === undefined ? undefined : `fedify:${p.orderingKey}`),
  // waits in the table until a listener is registered in this context (src/federation/mq.ts);
  // a worker process starts one when messages wait (message-listeners.ts messagesReady)
  ready: (ctx) => messagesReady(ctx),
  // a failure is retried by this queue (nativeRetrial, see src/federation/mq.ts)
  handler: async (ctx, p) => {
    // a delivery's outcome is the receiving server's health (torgai federation instances)
    const inbox = (p.message as { type?: string; inbox?: string } | null)?.inbox;
    const host = typeof inbox === "string" && URL.canParse(inbox) ? new URL(inbox).host : null;
    // queued before a block or before the server was found gone: not sent
    if (host && !(await mayDeliverTo(ctx, host))) return;
    try {
      await dispatchMessage(ctx, p.message);
    } catch (err) {
      if (host) await recordDeliveryFailure(ctx, host, String((err as Error)?.message ?? err));
      throw err;
    }
    if (host) await recordDomainAlive(ctx, host);
  },
});

export const pushDeliver = defineJob({
  name: "push.deliver",
  payload: z.object({ subscriptionId: zId, notificationId: zId }),
  // one notification to one Web Push subscription; 404/410 remove it, 408/429/5xx are retried.
  // Six attempts (~10 minutes of backoff): a notification that late is still worth showing, one
  // days late is not (the push service itself keeps messages 48 hours).
  handler: (ctx, p) => deliverPush(ctx, p.subscriptionId, p.notificationId),
  maxAttempts: 6,
});

export const accountMigrateFollowers = defineJob({
  name: "account.migrate_followers",
  payload: z.object({ originId: zId, targetId: zId }),
  // an account moved (here or elsewhere): its local followers follow the account it moved to
  handler: async (ctx, p) => {
    await migrateFollowers(ctx, p.originId, p.targetId);
  },
});

export const jobDefinitions = [
  federationOutbound,
  statusFanout,
  statusUpdateFanout,
  statusDelete,
  pollExpire,
  publishScheduled,
  emailConfirmation,
  fedifyMessage,
  pushDeliver,
  accountMigrateFollowers,
] as const;

type Definition = (typeof jobDefinitions)[number];
export type JobName = Definition["name"];
/** The payload each job type takes when it is enqueued. */
export type JobPayloads = { [D in Definition as D["name"]]: z.input<D["payload"]> };
