/** Deleting a status (and unreblogging, which deletes the reblog's own row). */
import { type AfterCommit, type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { announceDeletion, deletionAudience } from "../distribution/deletion.ts";
import { getOwnStatus } from "./load.ts";
import { removeStatus } from "./remove.ts";

/**
 * Deletes a status (or reblog) inside `trx`, with the reblogs that go with it; after commit everyone
 * who may have been shown them hears of it. The inbox's Delete will come through here too.
 */
export async function deleteStatusIn(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Status,
): Promise<void> {
  // who was shown it is read first: its home timeline rows and tags go with the rows
  const audience = await deletionAudience(trx, [status]);
  await removeStatus(ctx, trx, status);
  announceDeletion(ctx, after, audience);
}

/** Deletes one of the author's statuses; returns the row as it was (for the redraft response). */
export async function deleteStatus(ctx: AppContext, author: Account, statusId: string): Promise<Status> {
  return transaction(ctx, async (trx, after) => {
    const status = await trx.selectFrom("statuses").selectAll().where("id", "=", statusId).executeTakeFirst();
    const own =
      status && status.account_id === author.id ? status : await getOwnStatus(ctx, statusId, author.id, trx);
    await deleteStatusIn(ctx, trx, after, own);
    return own;
  });
}
