import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/** Indexes for the social graph, fan-out and timeline reads. */
export async function up(db: Db): Promise<void> {
  // fan-out re-runs and status deletion (FK cascade) look home rows up by status
  await db.schema.createIndex("home_feed_status").on("home_feed").column("status_id").execute();
  // "already in this feed?" check before adding a reblog
  await db.schema
    .createIndex("home_feed_reblog_of")
    .on("home_feed")
    .columns(["account_id", "reblog_of_id"])
    .execute();
  // public timeline across local and remote statuses
  await db.schema
    .createIndex("statuses_visibility_id")
    .on("statuses")
    .columns(["visibility", "id"])
    .execute();
  await db.schema.createIndex("notifications_status").on("notifications").column("status_id").execute();
  await db.schema
    .createIndex("notifications_from")
    .on("notifications")
    .columns(["from_account_id", "account_id"])
    .execute();
  await db.schema
    .createIndex("account_conversations_last")
    .on("account_conversations")
    .columns(["account_id", "last_status_id"])
    .execute();
  await db.schema.createIndex("mutes_target").on("mutes").column("target_account_id").execute();
}

export async function down(db: Db): Promise<void> {
  for (const name of [
    "home_feed_status",
    "home_feed_reblog_of",
    "statuses_visibility_id",
    "notifications_status",
    "notifications_from",
    "account_conversations_last",
    "mutes_target",
  ])
    await db.schema.dropIndex(name).ifExists().execute();
}
