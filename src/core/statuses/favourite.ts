import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { federate } from "../fediverse/outbound.ts";
import { createNotification } from "../notifications/create.ts";
import { findStatus, getVisibleStatus } from "./load.ts";

/**
 * Favourites a status the account may see (a reblog's original; idempotent), counted and notified;
 * returns the status with its updated counter. `uri` is a remote Like's id (the inbox's path);
 * a local account's favourite of a remote post is told to its server.
 */
export async function favouriteStatus(
  ctx: AppContext,
  account: Account,
  statusId: string,
  opts: { uri?: string | null } = {},
): Promise<Status> {
  return transaction(ctx, async (trx, after) => {
    let status = await getVisibleStatus(ctx, statusId, account.id, trx);
    if (status.reblog_of_id) status = await getVisibleStatus(ctx, status.reblog_of_id, account.id, trx);
    const inserted = await trx
      .insertInto("favourites")
      .values({
        id: ctx.ids(),
        account_id: account.id,
        status_id: status.id,
        uri: opts.uri ?? null,
        created_at: ctx.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
      await trx
        .updateTable("statuses")
        .set((eb) => ({ favourites_count: eb("favourites_count", "+", 1) }))
        .where("id", "=", status.id)
        .execute();
      await createNotification(ctx, trx, after, {
        recipientId: status.account_id,
        fromId: account.id,
        type: "favourite",
        statusId: status.id,
      });
      if (account.domain === "" && !status.local)
        await federate(ctx, trx, { type: "like", accountId: account.id, statusId: status.id, undo: false });
    }
    return (await findStatus(trx, status.id)) as Status;
  });
}

/** Removes a favourite (no-op when there is none); returns the status. */
export async function unfavouriteStatus(
  ctx: AppContext,
  account: Account,
  statusId: string,
): Promise<Status> {
  return transaction(ctx, async (trx) => {
    let status = await getVisibleStatus(ctx, statusId, account.id, trx);
    if (status.reblog_of_id) status = await getVisibleStatus(ctx, status.reblog_of_id, account.id, trx);
    const deleted = await trx
      .deleteFrom("favourites")
      .where("account_id", "=", account.id)
      .where("status_id", "=", status.id)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) > 0) {
      await trx
        .updateTable("statuses")
        .set((eb) => ({ favourites_count: eb("favourites_count", "-", 1) }))
        .where("id", "=", status.id)
        .where("favourites_count", ">", 0)
        .execute();
      // Mastodon withdraws the notification with the favourite
      await trx
        .deleteFrom("notifications")
        .where("account_id", "=", status.account_id)
        .where("from_account_id", "=", account.id)
        .where("type", "=", "favourite")
        .where("status_id", "=", status.id)
        .execute();
      if (account.domain === "" && !status.local)
        await federate(ctx, trx, { type: "like", accountId: account.id, statusId: status.id, undo: true });
    }
    return (await findStatus(trx, status.id)) as Status;
  });
}
