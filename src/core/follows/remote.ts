/**
 * Follows and blocks that other servers tell us of (the inbox calls these with accounts it has
 * already resolved and stored). Each mirrors a local use case and answers the remote server
 * through outbound events where ActivityPub expects an answer (Accept/Reject of a Follow).
 */
import { type AppContext, transaction } from "../../app.ts";
import { isBlockedEitherWay } from "../../store/predicates.ts";
import type { Account } from "../../store/schema.ts";
import { federate } from "../fediverse/outbound.ts";
import { createNotification } from "../notifications/create.ts";
import { removeAccountFromHomeFeed } from "../timelines/feed.ts";
import { blockAccount, unblockAccount } from "./blocks.ts";
import { insertFollow } from "./follow.ts";
import { removeFollow, removeFollowRequest } from "./graph.ts";

export type RemoteFollowOutcome = "accepted" | "requested" | "rejected";

/**
 * A remote account asks to follow a local one: followed at once (and accepted) unless the local
 * account is locked (a request and a notification) or a block stands between them (rejected).
 * The same Follow again is answered again, without a second notification.
 */
export async function receiveFollow(
  ctx: AppContext,
  follower: Account,
  target: Account,
  followUri: string,
): Promise<RemoteFollowOutcome> {
  return transaction(ctx, async (trx, after) => {
    const answer = (accepted: boolean) =>
      federate(ctx, trx, {
        type: "follow.answer",
        accountId: target.id,
        followerId: follower.id,
        followUri,
        accepted,
      });
    if (await isBlockedEitherWay(trx, follower.id, target.id)) {
      await answer(false);
      return "rejected";
    }
    const following = await trx
      .selectFrom("follows")
      .select("id")
      .where("account_id", "=", follower.id)
      .where("target_account_id", "=", target.id)
      .executeTakeFirst();
    if (following) {
      await trx.updateTable("follows").set({ uri: followUri }).where("id", "=", following.id).execute();
      await answer(true);
      return "accepted";
    }
    const row = {
      id: ctx.ids(),
      account_id: follower.id,
      target_account_id: target.id,
      show_reblogs: 1,
      notify: 0,
      languages: null,
      uri: followUri,
      created_at: ctx.now().toISOString(),
    };
    if (target.locked) {
      const res = await trx
        .insertInto("follow_requests")
        .values(row)
        .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ uri: followUri }))
        .executeTakeFirst();
      const existing = Number(res.numInsertedOrUpdatedRows ?? 0) === 0;
      if (!existing) {
        const already = await trx
          .selectFrom("notifications")
          .select("id")
          .where("account_id", "=", target.id)
          .where("from_account_id", "=", follower.id)
          .where("type", "=", "follow_request")
          .executeTakeFirst();
        if (!already)
          await createNotification(ctx, trx, after, {
            recipientId: target.id,
            fromId: follower.id,
            type: "follow_request",
          });
      }
      return "requested";
    }
    await insertFollow(ctx, trx, row);
    await createNotification(ctx, trx, after, {
      recipientId: target.id,
      fromId: follower.id,
      type: "follow",
    });
    await answer(true);
    return "accepted";
  });
}

/** The remote account accepted a local account's follow request. */
export async function receiveFollowAccept(
  ctx: AppContext,
  follower: Account,
  target: Account,
): Promise<boolean> {
  return transaction(ctx, async (trx) => {
    const req = await trx
      .selectFrom("follow_requests")
      .selectAll()
      .where("account_id", "=", follower.id)
      .where("target_account_id", "=", target.id)
      .executeTakeFirst();
    if (!req) return false;
    await removeFollowRequest(trx, follower.id, target.id);
    await insertFollow(ctx, trx, { ...req, id: ctx.ids(), created_at: ctx.now().toISOString() });
    return true;
  });
}

/** The remote account rejected (or later removed) a local account's follow. */
export async function receiveFollowReject(
  ctx: AppContext,
  follower: Account,
  target: Account,
): Promise<void> {
  await transaction(ctx, async (trx) => {
    await removeFollowRequest(trx, follower.id, target.id);
    if (await removeFollow(trx, follower.id, target.id))
      await removeAccountFromHomeFeed(trx, follower.id, target.id);
  });
}

/** A remote follower stopped following (Undo Follow), or withdrew its request. */
export async function receiveUnfollow(ctx: AppContext, follower: Account, target: Account): Promise<void> {
  await transaction(ctx, async (trx) => {
    await removeFollow(trx, follower.id, target.id);
    if (await removeFollowRequest(trx, follower.id, target.id)) {
      await trx
        .deleteFrom("notifications")
        .where("account_id", "=", target.id)
        .where("from_account_id", "=", follower.id)
        .where("type", "=", "follow_request")
        .execute();
    }
  });
}

/** A remote account blocked a local one: follows end both ways (as a local block does). */
export async function receiveBlock(ctx: AppContext, source: Account, target: Account): Promise<void> {
  if (source.domain === "") return;
  await blockAccount(ctx, source.id, target.id);
}

export async function receiveUnblock(ctx: AppContext, source: Account, target: Account): Promise<void> {
  if (source.domain === "") return;
  await unblockAccount(ctx, source.id, target.id);
}
