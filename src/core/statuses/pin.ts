import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { ValidationError } from "../errors.ts";
import { getVisibleStatus } from "./load.ts";

export const MAX_PINS = 5;

/** Pins one of the account's own statuses to its profile (Mastodon's rules and messages). */
export async function pinStatus(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  return transaction(ctx, async (trx) => {
    const status = await getVisibleStatus(ctx, statusId, account.id, trx);
    if (status.reblog_of_id) throw new ValidationError("Validation failed: A boost cannot be pinned");
    if (status.account_id !== account.id)
      throw new ValidationError("Validation failed: Someone else's post cannot be pinned");
    if (status.visibility === "direct")
      throw new ValidationError(
        "Validation failed: Posts that are only visible to mentioned users cannot be pinned",
      );
    const pinned = await trx
      .selectFrom("status_pins")
      .select(["status_id"])
      .where("account_id", "=", account.id)
      .execute();
    if (pinned.some((p) => p.status_id === status.id)) return status;
    if (pinned.length >= MAX_PINS)
      throw new ValidationError("Validation failed: You have already pinned the maximum number of posts");
    await trx
      .insertInto("status_pins")
      .values({
        id: ctx.ids(),
        account_id: account.id,
        status_id: status.id,
        created_at: ctx.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
      .execute();
    return status;
  });
}

export async function unpinStatus(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  const status = await getVisibleStatus(ctx, statusId, account.id);
  await ctx.db
    .deleteFrom("status_pins")
    .where("account_id", "=", account.id)
    .where("status_id", "=", status.id)
    .execute();
  return status;
}
