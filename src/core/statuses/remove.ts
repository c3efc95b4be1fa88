/**
 * Removing statuses: one (a delete, an unreblog, later a remote Delete) or all of an account's, in
 * the caller's transaction, with the counters they moved. Who hears of it: distribution/deletion.ts,
 * read before the rows go.
 */
import { sql } from "kysely";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Status } from "../../store/schema.ts";
import { federate, type OutboundEvent } from "../fediverse/outbound.ts";
import { countsAsReply } from "./persist.ts";

/**
 * Removes a status in `trx`: its reblogs go with it (foreign keys cascade favourites, bookmarks,
 * mentions, notifications, home timeline rows, polls and edits), counters go down, and the
 * `status.delete` job records what is left to do remotely.
 */
export async function removeStatus(ctx: AppContext, trx: Db, status: Status): Promise<void> {
  // what other servers must hear is read while the rows exist
  const remote = status.local ? await remoteDeletion(trx, status) : null;
  const reblogs = await trx
    .selectFrom("statuses")
    .select(["id", "account_id", "visibility"])
    .where("reblog_of_id", "=", status.id)
    .execute();
  await trx
    .deleteFrom("statuses")
    .where("id", "in", [status.id, ...reblogs.map((r) => r.id)])
    .execute();

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
  if (status.in_reply_to_id && countsAsReply(status)) {
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
  if (remote) await federate(ctx, trx, remote);
}

async function remoteDeletion(trx: Db, status: Status): Promise<OutboundEvent> {
  const mentioned = await trx
    .selectFrom("mentions as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .select("a.id")
    .where("m.status_id", "=", status.id)
    .where("a.domain", "!=", "")
    .execute();
  const original = status.reblog_of_id
    ? await trx
        .selectFrom("statuses")
        .select(["uri", "account_id"])
        .where("id", "=", status.reblog_of_id)
        .executeTakeFirst()
    : undefined;
  return {
    type: "status.delete",
    accountId: status.account_id,
    statusId: status.id,
    uri: status.uri,
    visibility: status.visibility,
    reblogOfUri: original?.uri ?? null,
    reblogOfAuthorId: original?.account_id ?? null,
    remoteMentionIds: mentioned.map((m) => m.id).slice(0, 1000),
  };
}

/**
 * Removes every status of an account in `trx`, in bulk (an account may hold many thousands): the
 * counters they moved on others' statuses and accounts are corrected first, while the rows still
 * exist — reblogs and replies counted on others' statuses, and the statuses count of those whose
 * reblogs of them vanish — then the statuses and polls go (the rest cascades).
 */
export async function removeAccountStatuses(trx: Db, accountId: string): Promise<void> {
  const A = accountId;
  const run = (q: ReturnType<typeof sql>) => q.execute(trx);
  await run(sql`update statuses set reblogs_count = reblogs_count -
    (select count(*) from statuses r where r.reblog_of_id = statuses.id and r.account_id = ${A})
    where id in (select reblog_of_id from statuses where account_id = ${A} and reblog_of_id is not null)
      and account_id <> ${A}`);
  await run(sql`update statuses set replies_count = replies_count -
    (select count(*) from statuses r where r.in_reply_to_id = statuses.id and r.account_id = ${A}
      and r.visibility in ('public', 'unlisted'))
    where id in (select in_reply_to_id from statuses where account_id = ${A} and in_reply_to_id is not null
      and visibility in ('public', 'unlisted')) and account_id <> ${A}`);
  // other people's reblogs of these statuses disappear with them (foreign key cascade)
  await run(sql`update accounts set statuses_count = statuses_count -
    (select count(*) from statuses r join statuses o on o.id = r.reblog_of_id
      where r.account_id = accounts.id and o.account_id = ${A})
    where id in (select r.account_id from statuses r join statuses o on o.id = r.reblog_of_id
      where o.account_id = ${A}) and id <> ${A}`);
  await trx.deleteFrom("statuses").where("account_id", "=", A).execute();
  await trx.deleteFrom("polls").where("account_id", "=", A).execute();
}
