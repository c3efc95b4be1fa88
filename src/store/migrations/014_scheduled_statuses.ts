import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Statuses waiting for their time (Mastodon's scheduled_statuses): the parameters the client sent,
 * kept as JSON and posted through the normal path by the `status.publish_scheduled` job.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("scheduled_statuses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("scheduled_at", "text", (c) => c.notNull())
    .addColumn("params", "text", (c) => c.notNull())
    .addColumn("application_id", "text")
    // a retried request with the same Idempotency-Key gets the same scheduled status back
    .addColumn("idempotency_key", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("scheduled_statuses_idempotency", ["account_id", "idempotency_key"])
    .execute();
  // the list pages by id; the daily limit counts by date
  await db.schema
    .createIndex("scheduled_statuses_account")
    .on("scheduled_statuses")
    .columns(["account_id", "id"])
    .execute();
  await db.schema
    .createIndex("scheduled_statuses_account_time")
    .on("scheduled_statuses")
    .columns(["account_id", "scheduled_at"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("scheduled_statuses").execute();
}
