import type { Db } from "../../store/db.ts";
import type { Account } from "../../store/schema.ts";
import { loadShownAccount } from "../accounts/visible.ts";

/** An account that can take part in the graph: one others may see (accounts/visible.ts); 404 otherwise. */
export function loadTargetAccount(db: Db, id: string): Promise<Account> {
  return loadShownAccount(db, id);
}

export { isBlockedEitherWay } from "../../store/predicates.ts";

/** Keeps followers_count / following_count in step with the follows table. */
export async function adjustFollowCounts(
  db: Db,
  followerId: string,
  targetId: string,
  delta: 1 | -1,
): Promise<void> {
  await db
    .updateTable("accounts")
    .set((eb) => ({ following_count: eb("following_count", "+", delta) }))
    .where("id", "=", followerId)
    .execute();
  await db
    .updateTable("accounts")
    .set((eb) => ({ followers_count: eb("followers_count", "+", delta) }))
    .where("id", "=", targetId)
    .execute();
}

/** Deletes a follow row if present (fixing counters); returns whether one existed. */
export async function removeFollow(db: Db, followerId: string, targetId: string): Promise<boolean> {
  const res = await db
    .deleteFrom("follows")
    .where("account_id", "=", followerId)
    .where("target_account_id", "=", targetId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) return false;
  await adjustFollowCounts(db, followerId, targetId, -1);
  // an endorsement needs the follow (Mastodon's Follow#remove_endorsements)
  await db
    .deleteFrom("account_endorsements")
    .where("account_id", "=", followerId)
    .where("target_account_id", "=", targetId)
    .execute();
  // list membership exists only for followed accounts (Mastodon drops it with the follow)
  await db
    .deleteFrom("list_accounts")
    .where("account_id", "=", targetId)
    .where("list_id", "in", db.selectFrom("lists").select("id").where("account_id", "=", followerId))
    .execute();
  return true;
}

/** Deletes a pending follow request and the follow_request notification it raised. */
export async function removeFollowRequest(db: Db, requesterId: string, targetId: string): Promise<boolean> {
  const res = await db
    .deleteFrom("follow_requests")
    .where("account_id", "=", requesterId)
    .where("target_account_id", "=", targetId)
    .executeTakeFirst();
  await db
    .deleteFrom("notifications")
    .where("account_id", "=", targetId)
    .where("from_account_id", "=", requesterId)
    .where("type", "=", "follow_request")
    .execute();
  return Number(res.numDeletedRows) > 0;
}

export function parseLanguages(json: string | null): string[] | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) && v.length > 0 ? v.map(String) : null;
  } catch {
    return null;
  }
}
