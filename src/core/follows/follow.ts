import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { ForbiddenError } from "../errors.ts";
import { federate, followActivityUri } from "../fediverse/outbound.ts";
import { createNotification } from "../notifications/create.ts";
import { backfillHomeFeed, removeAccountFromHomeFeed } from "../timelines/feed.ts";
import {
  adjustFollowCounts,
  isBlockedEitherWay,
  loadTargetAccount,
  parseLanguages,
  removeFollow,
  removeFollowRequest,
} from "./graph.ts";

export interface FollowOptions {
  /** show the target's reblogs in home (default true) */
  reblogs?: boolean;
  /** 'status' notifications for the target's posts (default false) */
  notify?: boolean;
  /** only these languages in home; empty or null = all */
  languages?: string[] | null;
}

export type FollowOutcome = "following" | "requested";

/**
 * Follows an account, or asks to when it is locked (or remote: a remote follow stays a request until
 * the other server accepts). Following again only changes the options.
 */
export async function followAccount(
  ctx: AppContext,
  sourceId: string,
  targetId: string,
  opts: FollowOptions = {},
): Promise<FollowOutcome> {
  return transaction(ctx, async (trx, after) => {
    const target = await loadTargetAccount(trx, targetId);
    if (sourceId === targetId) throw new ForbiddenError("Following your own account is not allowed");
    if (await isBlockedEitherWay(trx, sourceId, targetId))
      throw new ForbiddenError("This action is not allowed");
    const changes: { show_reblogs?: number; notify?: number; languages?: string | null } = {};
    if (opts.reblogs !== undefined) changes.show_reblogs = opts.reblogs ? 1 : 0;
    if (opts.notify !== undefined) changes.notify = opts.notify ? 1 : 0;
    if (opts.languages !== undefined)
      changes.languages = opts.languages?.length ? JSON.stringify(opts.languages) : null;

    for (const table of ["follows", "follow_requests"] as const) {
      const existing = await trx
        .selectFrom(table)
        .select("id")
        .where("account_id", "=", sourceId)
        .where("target_account_id", "=", targetId)
        .executeTakeFirst();
      if (existing) {
        if (Object.keys(changes).length) {
          await trx.updateTable(table).set(changes).where("id", "=", existing.id).execute();
        }
        return table === "follows" ? "following" : "requested";
      }
    }

    const row = {
      id: ctx.ids(),
      account_id: sourceId,
      target_account_id: targetId,
      show_reblogs: changes.show_reblogs ?? 1,
      notify: changes.notify ?? 0,
      languages: changes.languages ?? null,
      uri: null,
      created_at: ctx.now().toISOString(),
    };
    if (target.domain !== "") {
      // a remote follow is a request until the other server accepts it
      const source = await loadTargetAccount(trx, sourceId);
      const uri = followActivityUri(ctx, source.username, row.id);
      const res = await trx
        .insertInto("follow_requests")
        .values({ ...row, uri })
        .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0)
        await federate(ctx, trx, { type: "follow", accountId: sourceId, targetId, uri, undo: false });
      return "requested";
    }
    if (target.locked) {
      // a concurrent identical request may have won: then it has raised the notification
      const res = await trx
        .insertInto("follow_requests")
        .values(row)
        .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) {
        await createNotification(ctx, trx, after, {
          recipientId: targetId,
          fromId: sourceId,
          type: "follow_request",
        });
      }
      return "requested";
    }
    await insertFollow(ctx, trx, row);
    await createNotification(ctx, trx, after, { recipientId: targetId, fromId: sourceId, type: "follow" });
    return "following";
  });
}

/** Inserts an accepted follow: counters and the follower's home backfill go with it. */
export async function insertFollow(
  _ctx: AppContext,
  trx: Db,
  row: {
    id: string;
    account_id: string;
    target_account_id: string;
    show_reblogs: number;
    notify: number;
    languages: string | null;
    uri: string | null;
    created_at: string;
  },
): Promise<void> {
  const res = await trx
    .insertInto("follows")
    .values(row)
    .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
    .executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return;
  await adjustFollowCounts(trx, row.account_id, row.target_account_id, 1);
  await backfillHomeFeed(trx, row.account_id, row.target_account_id, {
    showReblogs: !!row.show_reblogs,
    languages: parseLanguages(row.languages),
  });
}

/** Stops following (or withdraws a pending request); the target's posts leave the home timeline. */
export async function unfollowAccount(ctx: AppContext, sourceId: string, targetId: string): Promise<void> {
  await transaction(ctx, async (trx) => {
    const target = await loadTargetAccount(trx, targetId);
    const uri = target.domain === "" ? null : await followUriOf(trx, sourceId, targetId);
    const wasFollowing = await removeFollow(trx, sourceId, targetId);
    const wasRequested = await removeFollowRequest(trx, sourceId, targetId);
    if (wasFollowing) await removeAccountFromHomeFeed(trx, sourceId, targetId);
    if (uri && (wasFollowing || wasRequested))
      await federate(ctx, trx, { type: "follow", accountId: sourceId, targetId, uri, undo: true });
  });
}

/** The id of the Follow activity behind a follow or request (ours, or the remote server's). */
async function followUriOf(trx: Db, sourceId: string, targetId: string): Promise<string | null> {
  for (const table of ["follows", "follow_requests"] as const) {
    const row = await trx
      .selectFrom(table)
      .select("uri")
      .where("account_id", "=", sourceId)
      .where("target_account_id", "=", targetId)
      .executeTakeFirst();
    if (row) return row.uri;
  }
  return null;
}
