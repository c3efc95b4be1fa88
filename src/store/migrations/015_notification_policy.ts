import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Notification filtering (Mastodon 4.3+): a policy per account (no row means Mastodon's defaults),
 * filtered notifications kept aside (`notifications.filtered`) and summed up per sender as
 * requests, and the senders a user accepted (their notifications are never filtered again).
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .alterTable("notifications")
    .addColumn("filtered", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("notification_policies")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
    .addColumn("for_not_following", "text", (c) => c.notNull().defaultTo("accept"))
    .addColumn("for_not_followers", "text", (c) => c.notNull().defaultTo("accept"))
    .addColumn("for_new_accounts", "text", (c) => c.notNull().defaultTo("accept"))
    .addColumn("for_private_mentions", "text", (c) => c.notNull().defaultTo("filter"))
    .addColumn("for_limited_accounts", "text", (c) => c.notNull().defaultTo("filter"))
    .addColumn("for_bots", "text", (c) => c.notNull().defaultTo("accept"))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("notification_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("from_account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("last_status_id", "text", (c) => c.references("statuses.id").onDelete("set null"))
    .addColumn("notifications_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("notification_requests_pair", ["account_id", "from_account_id"])
    .execute();
  await db.schema
    .createIndex("notification_requests_account")
    .on("notification_requests")
    .columns(["account_id", "id"])
    .execute();

  await db.schema
    .createTable("notification_permissions")
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("from_account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("notification_permissions_pk", ["account_id", "from_account_id"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("notification_permissions").execute();
  await db.schema.dropTable("notification_requests").execute();
  await db.schema.dropTable("notification_policies").execute();
  await db.schema.alterTable("notifications").dropColumn("filtered").execute();
}
