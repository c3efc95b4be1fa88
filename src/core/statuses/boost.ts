/** Reblogging (compose → persist → distribute in one transaction) and undoing it (a delete). */
import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { distributeStatus } from "../distribution/distribute.ts";
import type { Visibility } from "../visibility.ts";
import { composeReblog } from "./compose.ts";
import { deleteStatusIn } from "./delete.ts";
import { findStatus, getVisibleStatus } from "./load.ts";
import { persistStatus } from "./persist.ts";

/**
 * Reblogs a status (its original when given a reblog). Others' private and any direct statuses
 * cannot be reblogged; one's own private status can, and the reblog stays private. Idempotent:
 * reblogging twice returns the existing reblog.
 */
export async function reblogStatus(
  ctx: AppContext,
  account: Account,
  statusId: string,
  requested?: Visibility,
): Promise<Status> {
  try {
    return await insertReblog(ctx, account, statusId, requested);
  } catch (err) {
    // a concurrent reblog of the same status won on the unique index: answer with that one
    if (!/unique|duplicate/i.test(String((err as Error)?.message))) throw err;
    const original = await getVisibleStatus(ctx, statusId, account.id);
    const existing = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "=", account.id)
      .where("reblog_of_id", "=", original.reblog_of_id ?? original.id)
      .executeTakeFirst();
    if (!existing) throw err;
    return existing;
  }
}

async function insertReblog(
  ctx: AppContext,
  account: Account,
  statusId: string,
  requested?: Visibility,
): Promise<Status> {
  return transaction(ctx, async (trx, after) => {
    let original = await getVisibleStatus(ctx, statusId, account.id, trx);
    if (original.reblog_of_id) original = await getVisibleStatus(ctx, original.reblog_of_id, account.id, trx);
    const draft = composeReblog(ctx, account, original, requested);
    const existing = await trx
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "=", account.id)
      .where("reblog_of_id", "=", original.id)
      .executeTakeFirst();
    if (existing) return existing;
    const reblog = await persistStatus(ctx, trx, draft);
    await distributeStatus(ctx, trx, after, reblog);
    return reblog;
  });
}

/** Undoes the account's reblog of a status, if any; returns the original status. */
export async function unreblogStatus(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  return transaction(ctx, async (trx, after) => {
    let original = await getVisibleStatus(ctx, statusId, account.id, trx);
    if (original.reblog_of_id) original = await getVisibleStatus(ctx, original.reblog_of_id, account.id, trx);
    const reblog = await trx
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "=", account.id)
      .where("reblog_of_id", "=", original.id)
      .executeTakeFirst();
    if (reblog) await deleteStatusIn(ctx, trx, after, reblog);
    return (await findStatus(trx, original.id)) as Status;
  });
}
