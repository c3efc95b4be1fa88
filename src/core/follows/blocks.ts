import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import type { Account } from "../../store/schema.ts";
import { ForbiddenError } from "../errors.ts";
import { blockActivityUri, federate } from "../fediverse/outbound.ts";
import { removeAccountFromHomeFeed } from "../timelines/feed.ts";
import { loadTargetAccount, removeFollow, removeFollowRequest } from "./graph.ts";

/**
 * Blocks an account: follows and requests end both ways, each side's statuses leave the other's
 * home timeline and lists, and nothing of one reaches the other from then on.
 */
export async function blockAccount(ctx: AppContext, sourceId: string, targetId: string): Promise<void> {
  await transaction(ctx, async (trx) => {
    const target = await loadTargetAccount(trx, targetId);
    if (sourceId === targetId) throw new ForbiddenError("This action is not allowed");
    const source = await loadTargetAccount(trx, sourceId);
    const id = ctx.ids();
    const uri =
      source.domain === "" && target.domain !== "" ? blockActivityUri(ctx, source.username, id) : null;
    const res = await trx
      .insertInto("blocks")
      .values({
        id,
        account_id: sourceId,
        target_account_id: targetId,
        uri,
        created_at: ctx.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
      .executeTakeFirst();
    await severBothWays(trx, sourceId, targetId);
    if (uri && Number(res.numInsertedOrUpdatedRows ?? 0) > 0)
      await federate(ctx, trx, { type: "block", accountId: sourceId, targetId, uri, undo: false });
  });
}

async function severBothWays(trx: Db, a: string, b: string): Promise<void> {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ]) {
    await removeFollow(trx, x, y);
    await removeFollowRequest(trx, x, y);
    await removeAccountFromHomeFeed(trx, x, y);
    // removeFollow drops list membership only when a follow existed
    await trx
      .deleteFrom("list_accounts")
      .where("account_id", "=", y)
      .where("list_id", "in", trx.selectFrom("lists").select("id").where("account_id", "=", x))
      .execute();
  }
}

export async function unblockAccount(ctx: AppContext, sourceId: string, targetId: string): Promise<void> {
  await transaction(ctx, async (trx) => {
    await loadTargetAccount(trx, targetId);
    const block = await trx
      .deleteFrom("blocks")
      .where("account_id", "=", sourceId)
      .where("target_account_id", "=", targetId)
      .returning("uri")
      .executeTakeFirst();
    // only blocks we sent (they carry our activity id) are undone remotely
    if (block?.uri)
      await federate(ctx, trx, { type: "block", accountId: sourceId, targetId, uri: block.uri, undo: true });
  });
}

/** Accounts `accountId` blocks, newest block first, paged by block id. */
export async function listBlocks(
  ctx: AppContext,
  accountId: string,
  page: Page,
): Promise<{ accounts: Account[]; cursorIds: string[] }> {
  const rows = await paginate(
    ctx.db
      .selectFrom("blocks as b")
      .innerJoin("accounts as a", "a.id", "b.target_account_id")
      .selectAll("a")
      .select("b.id as cursor_id")
      .where("b.account_id", "=", accountId),
    "b.id",
    page,
  );
  return {
    accounts: rows.map(({ cursor_id: _c, ...a }) => a as Account),
    cursorIds: rows.map((r) => r.cursor_id),
  };
}
