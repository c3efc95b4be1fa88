import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Web Push subscriptions, one per access token (as Mastodon): they go with the token (revocation
 * deletes them; the foreign key covers a token row removed outright) and with the user.
 * `account_id` is the recipient of notifications, so finding the subscriptions of a notification is
 * one indexed read. `access_token_sealed` is the bearer token itself, encrypted with a server
 * secret: Mastodon's payload carries it and only its hash is kept in oauth_tokens.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("push_subscriptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("access_token_id", "text", (c) =>
      c.notNull().unique().references("oauth_tokens.id").onDelete("cascade"),
    )
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("key_p256dh", "text", (c) => c.notNull())
    .addColumn("key_auth", "text", (c) => c.notNull())
    .addColumn("standard", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("alerts", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("policy", "text", (c) => c.notNull().defaultTo("all"))
    .addColumn("access_token_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("push_subscriptions_account")
    .on("push_subscriptions")
    .column("account_id")
    .execute();
  await db.schema.createIndex("push_subscriptions_user").on("push_subscriptions").column("user_id").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("push_subscriptions").execute();
}
