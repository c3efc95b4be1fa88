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

/**
 * Removes an account's statuses and reblogs, and reblogs of its statuses, from one home timeline
 * (unfollow, block, mute). Mastodon's "unmerge".
 */
export async function removeAccountFromHomeFeed(db: Db, ownerId: string, authorId: string): Promise<void> {
  await db
    .deleteFrom("home_feed")
    .where("account_id", "=", ownerId)
    .where((eb) =>
      eb.or([
        eb("author_id", "=", authorId),
        eb("reblog_of_id", "in", eb.selectFrom("statuses").select("id").where("account_id", "=", authorId)),
      ]),
    )
    .execute();
}

export const BACKFILL_COUNT = 20;

/**
 * After a follow, brings the followee's recent statuses into the follower's home (Mastodon merges
 * them too), with the same reply, reblog and language rules as fan-out.
 */
export async function backfillHomeFeed(
  db: Db,
  followerId: string,
  targetId: string,
  opts: { showReblogs: boolean; languages: string[] | null },
): Promise<void> {
  const rows = await db
    .selectFrom("statuses")
    .select(["id", "account_id", "reblog_of_id", "in_reply_to_account_id", "language"])
    .where("account_id", "=", targetId)
    .where("visibility", "in", ["public", "unlisted", "private"])
    .orderBy("id", "desc")
    .limit(BACKFILL_COUNT * 2)
    .execute();
  const replyTargets = [
    ...new Set(
      rows
        .map((r) => r.in_reply_to_account_id)
        .filter((id): id is string => !!id && id !== targetId && id !== followerId),
    ),
  ];
  const followed = new Set(
    replyTargets.length
      ? (
          await db
            .selectFrom("follows")
            .select("target_account_id")
            .where("account_id", "=", followerId)
            .where("target_account_id", "in", replyTargets)
            .execute()
        ).map((r) => r.target_account_id)
      : [],
  );
  const picked = rows
    .filter((r) => {
      if (r.reblog_of_id) return opts.showReblogs;
      if (r.language && opts.languages?.length && !opts.languages.includes(r.language)) return false;
      const to = r.in_reply_to_account_id;
      return !to || to === targetId || to === followerId || followed.has(to);
    })
    .slice(0, BACKFILL_COUNT);
  if (picked.length === 0) return;
  await db
    .insertInto("home_feed")
    .values(
      picked.map((s) => ({
        account_id: followerId,
        status_id: s.id,
        author_id: s.account_id,
        reblog_of_id: s.reblog_of_id,
      })),
    )
    .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
    .execute();
  await trimHomeFeed(db, followerId);
}
