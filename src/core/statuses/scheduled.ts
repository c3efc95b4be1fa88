/**
 * Scheduled statuses (Mastodon's scheduled_statuses): a post whose `scheduled_at` is more than five
 * minutes ahead is checked now as an immediate post would be, kept with the parameters the client
 * sent, and published at its time by the `status.publish_scheduled` job through the same compose →
 * persist → distribute path as createStatus. A time already past posts at once (createStatus).
 */
import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import type { Account, ScheduledStatus, Status } from "../../store/schema.ts";
import { distributeStatus } from "../distribution/distribute.ts";
import { NotFoundError, TorgaiError, ValidationError } from "../errors.ts";
import type { Visibility } from "../visibility.ts";
import { type CreateStatusInput, composeStatus } from "./compose.ts";
import { persistStatus } from "./persist.ts";

/** Mastodon's PostStatusService::MIN_SCHEDULE_OFFSET. */
export const MIN_SCHEDULE_OFFSET_MS = 5 * 60_000;
/** Mastodon's ScheduledStatus::TOTAL_LIMIT and DAILY_LIMIT (per UTC day of the scheduled time). */
export const SCHEDULED_TOTAL_LIMIT = 300;
export const SCHEDULED_DAILY_LIMIT = 25;

/** What a scheduled status will be posted with, as the client sent it (null: not sent). */
export interface ScheduledParams {
  text: string;
  spoiler_text: string | null;
  sensitive: boolean | null;
  visibility: Visibility | null;
  language: string | null;
  in_reply_to_id: string | null;
  media_ids: string[] | null;
  poll: { options: string[]; expires_in: number; multiple: boolean; hide_totals: boolean } | null;
}

export interface ScheduledStatusView {
  id: string;
  scheduledAt: string;
  params: ScheduledParams;
}

const uniqueViolation = (err: unknown) => /unique|duplicate/i.test(String((err as Error)?.message));

/** The publishing job's dedupe key names the time too, so a moved post's new job never collides with a running old one. */
function jobKey(id: string, scheduledAt: string): string {
  return `scheduled_status:${id}:${scheduledAt}`;
}

export function viewOf(row: ScheduledStatus): ScheduledStatusView {
  return { id: row.id, scheduledAt: row.scheduled_at, params: JSON.parse(row.params) as ScheduledParams };
}

function paramsOf(input: CreateStatusInput): ScheduledParams {
  return {
    text: input.text ?? "",
    spoiler_text: input.spoilerText ?? null,
    sensitive: input.sensitive ?? null,
    visibility: input.visibility ?? null,
    language: input.language ?? null,
    in_reply_to_id: input.inReplyToId ?? null,
    media_ids: input.mediaIds?.length ? input.mediaIds : null,
    poll: input.poll
      ? {
          options: input.poll.options,
          expires_in: input.poll.expiresIn,
          multiple: !!input.poll.multiple,
          hide_totals: !!input.poll.hideTotals,
        }
      : null,
  };
}

function inputOf(row: ScheduledStatus): CreateStatusInput {
  const p = viewOf(row).params;
  return {
    text: p.text,
    spoilerText: p.spoiler_text ?? undefined,
    sensitive: p.sensitive ?? undefined,
    visibility: p.visibility ?? undefined,
    language: p.language,
    inReplyToId: p.in_reply_to_id,
    mediaIds: p.media_ids ?? undefined,
    poll: p.poll
      ? {
          options: p.poll.options,
          expiresIn: p.poll.expires_in,
          multiple: p.poll.multiple,
          hideTotals: p.poll.hide_totals,
        }
      : null,
    applicationId: row.application_id,
  };
}

function checkFuture(ctx: AppContext, at: Date): void {
  if (at.getTime() <= ctx.now().getTime() + MIN_SCHEDULE_OFFSET_MS)
    throw new ValidationError("Validation failed: Scheduled at The scheduled date must be in the future");
}

/** Mastodon's total and daily limits; `except` is the row being moved (it does not count against itself). */
async function checkLimits(trx: Db, accountId: string, at: Date, except?: string): Promise<void> {
  let total = trx
    .selectFrom("scheduled_statuses")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("account_id", "=", accountId);
  if (except) total = total.where("id", "!=", except);
  if (Number((await total.executeTakeFirstOrThrow()).n) >= SCHEDULED_TOTAL_LIMIT)
    throw new ValidationError(
      `Validation failed: You have exceeded the limit of ${SCHEDULED_TOTAL_LIMIT} scheduled posts`,
    );
  const day = at.toISOString().slice(0, 10);
  const next = new Date(`${day}T00:00:00.000Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  let daily = trx
    .selectFrom("scheduled_statuses")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("account_id", "=", accountId)
    .where("scheduled_at", ">=", `${day}T00:00:00.000Z`)
    .where("scheduled_at", "<", next.toISOString());
  if (except) daily = daily.where("id", "!=", except);
  if (Number((await daily.executeTakeFirstOrThrow()).n) >= SCHEDULED_DAILY_LIMIT)
    throw new ValidationError(
      `Validation failed: You have exceeded the limit of ${SCHEDULED_DAILY_LIMIT} scheduled posts for today`,
    );
}

async function findByKey(
  ctx: AppContext,
  accountId: string,
  key: string,
): Promise<ScheduledStatus | undefined> {
  return ctx.db
    .selectFrom("scheduled_statuses")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

/**
 * Schedules a post for `at` (more than five minutes ahead). It is composed now, so whatever would
 * refuse the post (text, poll, media, a reply to a status one cannot see) refuses it now; the same
 * Idempotency-Key sent again returns the same scheduled status.
 */
export async function scheduleStatus(
  ctx: AppContext,
  author: Account,
  input: CreateStatusInput,
  at: Date,
): Promise<ScheduledStatusView> {
  const key = input.idempotencyKey?.slice(0, 200) || null;
  if (key) {
    const existing = await findByKey(ctx, author.id, key);
    if (existing) return viewOf(existing);
  }
  checkFuture(ctx, at);
  await composeStatus(ctx, author, input);
  const row: ScheduledStatus = {
    id: ctx.ids(),
    account_id: author.id,
    scheduled_at: at.toISOString(),
    params: JSON.stringify(paramsOf(input)),
    application_id: input.applicationId ?? null,
    idempotency_key: key,
    created_at: ctx.now().toISOString(),
  };
  try {
    await transaction(ctx, async (trx) => {
      await checkLimits(trx, author.id, at);
      await trx.insertInto("scheduled_statuses").values(row).execute();
      await ctx.queue.enqueue(
        trx,
        "status.publish_scheduled",
        { scheduledStatusId: row.id },
        { runAt: at, dedupeKey: jobKey(row.id, row.scheduled_at) },
      );
    });
  } catch (err) {
    // the same key sent twice at once: the unique constraint decides, the loser gets the winner's row
    if (key && uniqueViolation(err)) {
      const existing = await findByKey(ctx, author.id, key);
      if (existing) return viewOf(existing);
    }
    throw err;
  }
  return viewOf(row);
}

export async function listScheduledStatuses(
  ctx: AppContext,
  accountId: string,
  page: Page,
): Promise<ScheduledStatusView[]> {
  const q = ctx.db.selectFrom("scheduled_statuses").selectAll().where("account_id", "=", accountId);
  return (await paginate(q, "id", page)).map(viewOf);
}

export async function getScheduledStatus(
  ctx: AppContext,
  accountId: string,
  id: string,
): Promise<ScheduledStatusView> {
  const row = await ctx.db
    .selectFrom("scheduled_statuses")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return viewOf(row);
}

/** Moves a scheduled status to `at` (checked as on creation); its job moves with it. */
export async function rescheduleStatus(
  ctx: AppContext,
  accountId: string,
  id: string,
  at: Date | undefined,
): Promise<ScheduledStatusView> {
  if (at === undefined) return getScheduledStatus(ctx, accountId, id);
  checkFuture(ctx, at);
  return transaction(ctx, async (trx) => {
    const row = await trx
      .selectFrom("scheduled_statuses")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError();
    await checkLimits(trx, accountId, at, id);
    const scheduledAt = at.toISOString();
    await trx
      .updateTable("scheduled_statuses")
      .set({ scheduled_at: scheduledAt })
      .where("id", "=", id)
      .execute();
    await ctx.queue.cancel(trx, jobKey(id, row.scheduled_at));
    await ctx.queue.enqueue(
      trx,
      "status.publish_scheduled",
      { scheduledStatusId: id },
      { runAt: at, dedupeKey: jobKey(id, scheduledAt) },
    );
    return viewOf({ ...row, scheduled_at: scheduledAt });
  });
}

export async function cancelScheduledStatus(ctx: AppContext, accountId: string, id: string): Promise<void> {
  await transaction(ctx, async (trx) => {
    const row = await trx
      .deleteFrom("scheduled_statuses")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .returning("scheduled_at")
      .executeTakeFirst();
    if (!row) throw new NotFoundError();
    await ctx.queue.cancel(trx, jobKey(id, row.scheduled_at));
  });
}

/**
 * The job: posts the scheduled status as createStatus would (the application it was scheduled
 * from, the author's defaults as they are now) and removes it, in one transaction, so a retried or
 * doubled job posts once. A post that can no longer be made (its parent deleted, text now over the
 * limit) is dropped, as Mastodon drops it; a time moved later leaves this run with nothing to do.
 */
export async function publishScheduledStatus(ctx: AppContext, id: string): Promise<Status | null> {
  const row = await ctx.db
    .selectFrom("scheduled_statuses")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row || row.scheduled_at > ctx.now().toISOString()) return null;
  const author = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", row.account_id)
    .executeTakeFirst();
  const drop = () => ctx.db.deleteFrom("scheduled_statuses").where("id", "=", id).execute();
  if (!author || author.suspended_at) {
    await drop();
    return null;
  }
  const input = inputOf(row);
  if (input.applicationId) {
    const app = await ctx.db
      .selectFrom("oauth_apps")
      .select("id")
      .where("id", "=", input.applicationId)
      .executeTakeFirst();
    if (!app) input.applicationId = null;
  }
  const dropped = async (err: unknown): Promise<null> => {
    if (!(err instanceof TorgaiError) || err.status >= 500) throw err;
    ctx.logger.info({ scheduledStatusId: id, err: err.message }, "scheduled status dropped");
    await drop();
    return null;
  };
  let draft: Awaited<ReturnType<typeof composeStatus>>;
  try {
    draft = await composeStatus(ctx, author, input);
  } catch (err) {
    return dropped(err);
  }
  try {
    return await transaction(ctx, async (trx, after) => {
      // only the run that removes the row posts (a PUT that moved it in the meantime wins)
      const res = await trx
        .deleteFrom("scheduled_statuses")
        .where("id", "=", id)
        .where("scheduled_at", "=", row.scheduled_at)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return null;
      const status = await persistStatus(ctx, trx, draft);
      await distributeStatus(ctx, trx, after, status);
      return status;
    });
  } catch (err) {
    // the parent went between compose and persist
    return dropped(err);
  }
}
