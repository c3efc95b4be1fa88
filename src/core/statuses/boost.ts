import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { ForbiddenError } from "../errors.ts";
import { createNotification } from "../notifications/create.ts";
import { addToHomeFeed } from "../timelines/feed.ts";
import type { Visibility } from "../visibility.ts";
import { removeStatusIn } from "./delete.ts";
import { findStatus, getVisibleStatus } from "./load.ts";

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
    if (
      original.visibility === "direct" ||
      (original.visibility === "private" && original.account_id !== account.id)
    )
      throw new ForbiddenError();
    const existing = await trx
      .selectFrom("statuses")
      .selectAll()
      .where("account_id", "=", account.id)
      .where("reblog_of_id", "=", original.id)
      .executeTakeFirst();
    if (existing) return existing;
    const visibility: Visibility =
      original.visibility === "private"
        ? "private"
        : requested === "unlisted" || requested === "private"
          ? requested
          : "public";
    const nowIso = ctx.now().toISOString();
    const id = ctx.ids();
    const uri = ctx.uris.activity(account.username, id);
    const reblog: Status = {
      id,
      uri,
      url: uri,
      account_id: account.id,
      local: 1,
      in_reply_to_id: null,
      in_reply_to_account_id: null,
      reblog_of_id: original.id,
      conversation_id: null,
      text: "",
      content: "",
      spoiler_text: "",
      sensitive: 0,
      visibility,
      language: null,
      application_id: null,
      poll_id: null,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      created_at: nowIso,
      edited_at: null,
      updated_at: nowIso,
    };
    await trx.insertInto("statuses").values(reblog).execute();
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "+", 1) }))
      .where("id", "=", original.id)
      .execute();
    await trx
      .updateTable("accounts")
      .set((eb) => ({ statuses_count: eb("statuses_count", "+", 1), last_status_at: nowIso }))
      .where("id", "=", account.id)
      .execute();
    await addToHomeFeed(trx, account.id, reblog);
    await createNotification(ctx, trx, after, {
      recipientId: original.account_id,
      fromId: account.id,
      type: "reblog",
      statusId: reblog.id,
    });
    await ctx.queue.enqueue(trx, "status.fanout", { statusId: id });
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
    if (reblog) await removeStatusIn(ctx, trx, after, reblog);
    return (await findStatus(trx, original.id)) as Status;
  });
}
