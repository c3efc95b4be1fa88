import type { Db } from "../../store/db.ts";

export const HOME_FEED_CAP = 800;

/** Adds a status (or reblog) to one home timeline; idempotent, so fan-out jobs may run twice. */
export async function addToHomeFeed(
  db: Db,
  ownerId: string,
  status: { id: string; account_id: string; reblog_of_id: string | null },
): Promise<void> {
  await db
    .insertInto("home_feed")
    .values({
      account_id: ownerId,
      status_id: status.id,
      author_id: status.account_id,
      reblog_of_id: status.reblog_of_id,
    })
    .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
    .execute();
}

/** Keeps a home timeline at its cap (like Mastodon's 800): drops entries older than the 800th. */
export async function trimHomeFeed(db: Db, ownerId: string, cap = HOME_FEED_CAP): Promise<void> {
  const boundary = await db
    .selectFrom("home_feed")
    .select("status_id")
    .where("account_id", "=", ownerId)
    .orderBy("status_id", "desc")
    .offset(cap)
    .limit(1)
    .executeTakeFirst();
  if (!boundary) return;
  await db
    .deleteFrom("home_feed")
    .where("account_id", "=", ownerId)
    .where("status_id", "<=", boundary.status_id)
    .execute();
}
