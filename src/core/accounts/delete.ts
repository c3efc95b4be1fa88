import { sql } from "kysely";
import type { AfterCommit, AppContext } from "../../app.ts";
import { transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { announceRevocation } from "../auth/revocations.ts";
import { announceDeletion, deletionAudience } from "../distribution/deletion.ts";
import { NotFoundError } from "../errors.ts";
import { federate } from "../fediverse/outbound.ts";
import { accountDeletionRecipients } from "../fediverse/recipients.ts";
import { removeAccountStatuses } from "../statuses/remove.ts";

/** Beyond this many statuses no per-status delete events are streamed (clients see 404s instead). */
const MAX_STREAMED_DELETES = 2000;

/**
 * Deletes a local account in one transaction: the user (and with it every token and code), all its
 * statuses (favourites, reblogs by others, mentions, edits, polls cascade with them), relationships,
 * lists, filters, notifications and markers. Counters of the accounts and statuses it touched are
 * corrected first. The account row stays as a suspended, blanked tombstone: its URI and username are
 * never reused and its keys remain to sign the federated Delete, which goes to the servers of its
 * remote followers and followed accounts (read here, before the follows go).
 */
export async function deleteAccount(ctx: AppContext, accountId: string): Promise<{ statuses: number }> {
  const account = await ctx.db
    .selectFrom("accounts")
    .select(["id", "domain", "suspended_at"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (account?.domain !== "") throw new NotFoundError("No such local account");
  return transaction(ctx, async (trx, after) => {
    // (an event holds at most 100,000 inboxes: beyond that many servers, the rest are not told)
    const recipients = (await accountDeletionRecipients(trx, accountId)).slice(0, 100_000);
    await federate(ctx, trx, { type: "account.delete", accountId, recipients });
    return purgeAccount(ctx, trx, after, accountId, account.suspended_at);
  });
}

/**
 * Another server deleted one of its accounts (a Delete of the actor, signed by itself): its posts,
 * follows both ways, favourites, votes and notifications go here as a local deletion's do, and the
 * row stays as a suspended tombstone (so the same actor is not fetched back from a stale reference).
 * Returns false when the account was already gone.
 */
export async function deleteRemoteAccount(ctx: AppContext, accountId: string): Promise<boolean> {
  const account = await ctx.db
    .selectFrom("accounts")
    .select(["id", "domain", "suspended_at"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!account || account.domain === "") throw new NotFoundError("No such remote account");
  if (account.suspended_at) return false;
  await transaction(ctx, (trx, after) => purgeAccount(ctx, trx, after, accountId, null));
  return true;
}

async function purgeAccount(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  A: string,
  suspendedAt: string | null,
): Promise<{ statuses: number }> {
  const statuses = await trx
    .selectFrom("statuses")
    .select(["id", "account_id", "visibility", "reblog_of_id", "in_reply_to_account_id", "local"])
    .where("account_id", "=", A)
    .execute();
  // who was shown them, read while their home timeline rows, reblogs and tags still exist
  const audience = statuses.length <= MAX_STREAMED_DELETES ? await deletionAudience(trx, statuses) : null;

  const run = (q: ReturnType<typeof sql>) => q.execute(trx);
  // counters first, while the rows they count still exist
  await run(sql`update accounts set followers_count = followers_count - 1
      where id in (select target_account_id from follows where account_id = ${A})`);
  await run(sql`update accounts set following_count = following_count - 1
      where id in (select account_id from follows where target_account_id = ${A})`);
  await run(sql`update statuses set favourites_count = favourites_count - 1
      where id in (select status_id from favourites where account_id = ${A}) and account_id <> ${A}`);
  await run(sql`update polls set
      votes_count = votes_count - (select count(*) from poll_votes v where v.poll_id = polls.id and v.account_id = ${A}),
      voters_count = voters_count - 1
      where id in (select poll_id from poll_votes where account_id = ${A}) and account_id <> ${A}`);

  for (const table of ["notifications", "notification_requests", "notification_permissions"] as const) {
    await trx
      .deleteFrom(table)
      .where((eb) => eb.or([eb("account_id", "=", A), eb("from_account_id", "=", A)]))
      .execute();
  }
  for (const table of [
    "follows",
    "follow_requests",
    "blocks",
    "mutes",
    "account_notes",
    "account_endorsements",
  ] as const) {
    await trx
      .deleteFrom(table)
      .where((eb) => eb.or([eb("account_id", "=", A), eb("target_account_id", "=", A)]))
      .execute();
  }
  for (const table of [
    "home_feed",
    "list_accounts",
    "lists",
    "markers",
    "filters",
    "account_conversations",
    "conversation_mutes",
    "favourites",
    "bookmarks",
    "status_pins",
    "poll_votes",
    "idempotency_keys",
    "push_subscriptions",
    // a scheduled post's job then finds nothing to publish
    "scheduled_statuses",
    "notification_policies",
  ] as const) {
    await trx.deleteFrom(table).where("account_id", "=", A).execute();
  }
  // collections: the account's own (with their items), and its place in others'
  await trx
    .deleteFrom("collection_items")
    .where((eb) =>
      eb.or([
        eb("account_id", "=", A),
        eb("collection_id", "in", trx.selectFrom("collections").select("id").where("account_id", "=", A)),
      ]),
    )
    .execute();
  await trx.deleteFrom("collections").where("account_id", "=", A).execute();
  // the statuses, with the counters they moved on others' statuses and accounts
  await removeAccountStatuses(trx, A);
  const users = await trx.selectFrom("users").select("id").where("account_id", "=", A).execute();
  await trx.deleteFrom("users").where("account_id", "=", A).execute();
  const now = ctx.now().toISOString();
  await trx
    .updateTable("accounts")
    .set({
      suspended_at: suspendedAt ?? now,
      display_name: "",
      note: "",
      note_source: "",
      fields: "[]",
      avatar_url: null,
      header_url: null,
      avatar_description: "",
      header_description: "",
      locked: 0,
      discoverable: 0,
      indexable: 0,
      followers_count: 0,
      following_count: 0,
      statuses_count: 0,
      updated_at: now,
    })
    .where("id", "=", A)
    .execute();

  // the user's tokens went with it: caches everywhere drop them and their open streams end
  after(() => announceRevocation(ctx, { userIds: users.map((u) => u.id) }));
  if (audience) announceDeletion(ctx, after, audience);
  return { statuses: statuses.length };
}
