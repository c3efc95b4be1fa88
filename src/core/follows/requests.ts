import { type AppContext, transaction } from "../../app.ts";
import type { Page } from "../../store/paginate.ts";
import { paginate } from "../../store/paginate.ts";
import type { Account } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { insertFollow } from "./follow.ts";
import { removeFollowRequest } from "./graph.ts";

/** Pending requests to follow `targetId`, newest first, paged by request id. */
export async function listFollowRequests(
  ctx: AppContext,
  targetId: string,
  page: Page,
): Promise<{ accounts: Account[]; cursorIds: string[] }> {
  const rows = await paginate(
    ctx.db
      .selectFrom("follow_requests as fr")
      .innerJoin("accounts as a", "a.id", "fr.account_id")
      .selectAll("a")
      .select("fr.id as cursor_id")
      .where("fr.target_account_id", "=", targetId)
      .where("a.suspended_at", "is", null),
    "fr.id",
    page,
  );
  return {
    accounts: rows.map(({ cursor_id: _c, ...a }) => a as Account),
    cursorIds: rows.map((r) => r.cursor_id),
  };
}

/** Accepts the request of `requesterId` to follow `targetId`. */
export async function authorizeFollowRequest(
  ctx: AppContext,
  targetId: string,
  requesterId: string,
): Promise<void> {
  await transaction(ctx, async (trx) => {
    const req = await trx
      .selectFrom("follow_requests")
      .selectAll()
      .where("account_id", "=", requesterId)
      .where("target_account_id", "=", targetId)
      .executeTakeFirst();
    if (!req) throw new NotFoundError();
    await removeFollowRequest(trx, requesterId, targetId);
    await insertFollow(ctx, trx, { ...req, id: ctx.ids(), created_at: ctx.now().toISOString() });
  });
}

export async function rejectFollowRequest(
  ctx: AppContext,
  targetId: string,
  requesterId: string,
): Promise<void> {
  await transaction(ctx, async (trx) => {
    if (!(await removeFollowRequest(trx, requesterId, targetId))) throw new NotFoundError();
  });
}
