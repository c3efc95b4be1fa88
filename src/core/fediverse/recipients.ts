/**
 * Delivery audiences beyond a post's: the servers that must hear an account is gone, and the
 * voters of a poll (who hear its new counts besides the author's followers).
 */
import type { Db } from "../../store/db.ts";
import type { RemoteRecipient } from "./objects.ts";

/**
 * Remote accounts that follow or are followed by `accountId` (read before an account's rows go),
 * one per shared inbox: a Delete of an actor is the same activity for every account of a server.
 */
export async function accountDeletionRecipients(trx: Db, accountId: string): Promise<RemoteRecipient[]> {
  const rows = await trx
    .selectFrom("accounts as a")
    .select(["a.id", "a.uri", "a.inbox_url", "a.shared_inbox_url"])
    .where("a.domain", "!=", "")
    .where("a.suspended_at", "is", null)
    .where("a.inbox_url", "is not", null)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom("follows as f")
            .select("f.id")
            .whereRef("f.account_id", "=", "a.id")
            .where("f.target_account_id", "=", accountId),
        ),
        eb.exists(
          eb
            .selectFrom("follows as f")
            .select("f.id")
            .whereRef("f.target_account_id", "=", "a.id")
            .where("f.account_id", "=", accountId),
        ),
      ]),
    )
    .orderBy("a.id")
    .execute();
  const byInbox = new Map<string, RemoteRecipient>();
  for (const r of rows) {
    if (!r.inbox_url) continue;
    const key = r.shared_inbox_url ?? r.inbox_url;
    if (!byInbox.has(key))
      byInbox.set(key, { accountId: r.id, uri: r.uri, inbox: r.inbox_url, sharedInbox: r.shared_inbox_url });
  }
  return [...byInbox.values()];
}

/** Remote accounts that voted in a poll. */
export async function remoteVoterIds(db: Db, pollId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("poll_votes as v")
    .innerJoin("accounts as a", "a.id", "v.account_id")
    .select("a.id")
    .distinct()
    .where("v.poll_id", "=", pollId)
    .where("a.domain", "!=", "")
    .execute();
  return rows.map((r) => r.id);
}
