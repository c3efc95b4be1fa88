/** Deleting a status (and unreblogging, which deletes the reblog's own row). */
import { type AfterCommit, type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { channels, type StreamEvent } from "../events.ts";
import { statusTagNames } from "./entities.ts";
import { getOwnStatus } from "./load.ts";

function isDistributable(s: Pick<Status, "visibility">): boolean {
  return s.visibility === "public" || s.visibility === "unlisted";
}

/**
 * Removes a status inside `trx`: its reblogs go with it (foreign keys cascade favourites, bookmarks,
 * mentions, notifications, home timeline rows, polls and edits), counters go down, and `delete` events
 * are published after commit to every stream that may have shown it.
 */
export async function removeStatusIn(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Status,
): Promise<void> {
  const reblogs = await trx
    .selectFrom("statuses")
    .select(["id", "account_id", "visibility"])
    .where("reblog_of_id", "=", status.id)
    .execute();
  const ids = [status.id, ...reblogs.map((r) => r.id)];
  const homeOwners = await trx
    .selectFrom("home_feed")
    .select("account_id")
    .distinct()
    .where("status_id", "in", ids)
    .execute();
  const tags = status.reblog_of_id ? [] : await statusTagNames(trx, status.id);

  await trx.deleteFrom("statuses").where("id", "in", ids).execute();

  // one decrement per author; Mastodon does not count direct statuses
  const decrements = new Map<string, number>();
  for (const s of [status, ...reblogs]) {
    if (s.visibility === "direct") continue;
    decrements.set(s.account_id, (decrements.get(s.account_id) ?? 0) + 1);
  }
  for (const [accountId, n] of decrements) {
    await trx
      .updateTable("accounts")
      .set((eb) => ({ statuses_count: eb("statuses_count", "-", n) }))
      .where("id", "=", accountId)
      .where("statuses_count", ">=", n)
      .execute();
  }
  if (status.in_reply_to_id && isDistributable(status)) {
    await trx
      .updateTable("statuses")
      .set((eb) => ({ replies_count: eb("replies_count", "-", 1) }))
      .where("id", "=", status.in_reply_to_id)
      .where("replies_count", ">", 0)
      .execute();
  }
  if (status.reblog_of_id) {
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "-", 1) }))
      .where("id", "=", status.reblog_of_id)
      .where("reblogs_count", ">", 0)
      .execute();
  }
  await ctx.queue.enqueue(trx, "status.delete", {
    statusId: status.id,
    accountId: status.account_id,
    uri: status.uri,
    local: status.local,
    visibility: status.visibility,
    reblogOfId: status.reblog_of_id,
    reblogIds: reblogs.map((r) => r.id),
  });

  after(() => {
    const publish = (channel: string, id: string) => {
      const event: StreamEvent = { event: "delete", id };
      ctx.events.publish(channel, event);
    };
    for (const id of ids) {
      publish(channels.user(status.account_id), id);
      for (const o of homeOwners)
        if (o.account_id !== status.account_id) publish(channels.user(o.account_id), id);
    }
    for (const r of reblogs) publish(channels.user(r.account_id), r.id);
    if (status.visibility === "public" || (status.reblog_of_id && status.visibility !== "private")) {
      for (const id of ids) {
        publish(channels.public, id);
        if (status.local) publish(channels.publicLocal, id);
      }
      for (const t of tags) {
        publish(channels.hashtag(t), status.id);
        if (status.local) publish(channels.hashtagLocal(t), status.id);
      }
    }
  });
}

/** Deletes one of the author's statuses; returns the row as it was (for the redraft response). */
export async function deleteStatus(ctx: AppContext, author: Account, statusId: string): Promise<Status> {
  return transaction(ctx, async (trx, after) => {
    const status = await trx.selectFrom("statuses").selectAll().where("id", "=", statusId).executeTakeFirst();
    const own =
      status && status.account_id === author.id ? status : await getOwnStatus(ctx, statusId, author.id, trx);
    await removeStatusIn(ctx, trx, after, own);
    return own;
  });
}
