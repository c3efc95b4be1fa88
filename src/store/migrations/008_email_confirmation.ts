import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * E-mail confirmation:
 * - only confirmed addresses are unique: an address someone typed at sign-up is not theirs until
 *   they follow the link mailed to it, so it must not lock its owner out of signing up (the unique
 *   index becomes partial; a plain one keeps sign-in by e-mail fast);
 * - users.created_by_app_id: the app a user signed up through (Mastodon lets only that app change
 *   the address of an unconfirmed user); null for CLI-created and older users;
 * - email_confirmations: one row per mailed link, only a hash of its token, bound to the address it
 *   was sent to, single use (deleted when followed) and expiring.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("users").addColumn("created_by_app_id", "text").execute();
  await db.schema.dropIndex("users_email").execute();
  await db.schema.createIndex("users_email").on("users").expression(sql`lower(email)`).execute();
  await db.schema
    .createIndex("users_confirmed_email")
    .on("users")
    .unique()
    .expression(sql`lower(email)`)
    .where(sql.ref("confirmed_at"), "is not", null)
    .execute();
  await db.schema
    .createTable("email_confirmations")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("cascade").notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("email_confirmations_user")
    .on("email_confirmations")
    .column("user_id")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("email_confirmations").execute();
  await db.schema.dropIndex("users_confirmed_email").execute();
  await db.schema.dropIndex("users_email").execute();
  await db.schema.createIndex("users_email").on("users").unique().expression(sql`lower(email)`).execute();
  await db.schema.alterTable("users").dropColumn("created_by_app_id").execute();
}
