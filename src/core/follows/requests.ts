import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Page } from "../../store/paginate.ts";
import { paginate } from "../../store/paginate.ts";
import type { Account } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";
import { federate } from "../fediverse/outbound.ts";
import { removeAccountFromHomeFeed } from "../timelines/feed.ts";
import { insertFollow } from "./follow.ts";
import { loadTargetAccount, removeFollow, removeFollowRequest } from "./graph.ts";

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
    await answerRemote(ctx, trx, targetId, requesterId, req.uri, true);
  });
}

export async function rejectFollowRequest(
  ctx: AppContext,
  targetId: string,
  requesterId: string,
): Promise<void> {
  await transaction(ctx, async (trx) => {
    const req = await trx
      .selectFrom("follow_requests")
      .select("uri")
      .where("account_id", "=", requesterId)
      .where("target_account_id", "=", targetId)
      .executeTakeFirst();
    if (!(await removeFollowRequest(trx, requesterId, targetId))) throw new NotFoundError();
    await answerRemote(ctx, trx, targetId, requesterId, req?.uri ?? null, false);
  });
}

/** A remote requester's server hears the answer (Accept/Reject of its Follow). */
export async function answerRemote(
  ctx: AppContext,
  trx: Db,
  targetId: string,
  requesterId: string,
  followUri: string | null,
  accepted: boolean,
): Promise<void> {
  const requester = await trx
    .selectFrom("accounts")
    .select("domain")
    .where("id", "=", requesterId)
    .executeTakeFirst();
  if (!requester || requester.domain === "") return;
  await federate(ctx, trx, {
    type: "follow.answer",
    accountId: targetId,
    followerId: requesterId,
    followUri,
    accepted,
  });
}

/**
 * POST /api/v1/accounts/:id/remove_from_followers: `followerId` stops following `accountId`, and
 * its home timeline loses the account's posts, as on an unfollow (followers-only posts included).
 * A remote follower's server hears a Reject of its Follow, as Mastodon sends.
 */
export async function removeFromFollowers(
  ctx: AppContext,
  accountId: string,
  followerId: string,
): Promise<void> {
  await transaction(ctx, async (trx) => {
    await loadTargetAccount(trx, followerId);
    const follow = await trx
      .selectFrom("follows")
      .select("uri")
      .where("account_id", "=", followerId)
      .where("target_account_id", "=", accountId)
      .executeTakeFirst();
    if (!follow || !(await removeFollow(trx, followerId, accountId))) return;
    await removeAccountFromHomeFeed(trx, followerId, accountId);
    await answerRemote(ctx, trx, accountId, followerId, follow.uri, false);
  });
}
