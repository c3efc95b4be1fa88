import type { AppContext } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { getVisibleStatus } from "./load.ts";

async function target(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  const status = await getVisibleStatus(ctx, statusId, account.id);
  return status.reblog_of_id ? getVisibleStatus(ctx, status.reblog_of_id, account.id) : status;
}

export async function bookmarkStatus(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  const status = await target(ctx, account, statusId);
  await ctx.db
    .insertInto("bookmarks")
    .values({
      id: ctx.ids(),
      account_id: account.id,
      status_id: status.id,
      created_at: ctx.now().toISOString(),
    })
    .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
    .execute();
  return status;
}

export async function unbookmarkStatus(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  const status = await target(ctx, account, statusId);
  await ctx.db
    .deleteFrom("bookmarks")
    .where("account_id", "=", account.id)
    .where("status_id", "=", status.id)
    .execute();
  return status;
}
