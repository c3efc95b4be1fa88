import type { AppContext } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { getVisibleStatus } from "./load.ts";

/** Mutes the conversation of a status: no more notifications from that thread. */
export async function muteConversation(ctx: AppContext, account: Account, statusId: string): Promise<Status> {
  const status = await getVisibleStatus(ctx, statusId, account.id);
  if (status.conversation_id) {
    await ctx.db
      .insertInto("conversation_mutes")
      .values({ account_id: account.id, conversation_id: status.conversation_id })
      .onConflict((oc) => oc.columns(["account_id", "conversation_id"]).doNothing())
      .execute();
  }
  return status;
}

export async function unmuteConversation(
  ctx: AppContext,
  account: Account,
  statusId: string,
): Promise<Status> {
  const status = await getVisibleStatus(ctx, statusId, account.id);
  if (status.conversation_id) {
    await ctx.db
      .deleteFrom("conversation_mutes")
      .where("account_id", "=", account.id)
      .where("conversation_id", "=", status.conversation_id)
      .execute();
  }
  return status;
}
