import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Accounts and OAuth additions:
 * - oauth_tokens.grant_ref ties every token to the authorisation code (or first token) it descends
 *   from, so a replayed code or a refresh-token rotation can revoke the whole family;
 * - users.otp_last_step refuses a TOTP code that was already used (replay within its 30 s window);
 * - server_secrets holds random keys generated once per installation (HMAC for CSRF tokens and
 *   login-session cookies), shared by every web process through the database.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("oauth_tokens").addColumn("grant_ref", "text").execute();
  await db.schema.createIndex("oauth_tokens_grant_ref").on("oauth_tokens").column("grant_ref").execute();
  await db.schema.alterTable("users").addColumn("otp_last_step", "integer").execute();
  await db.schema
    .createTable("server_secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("server_secrets").ifExists().execute();
  await db.schema.dropIndex("oauth_tokens_grant_ref").ifExists().execute();
  await db.schema.alterTable("users").dropColumn("otp_last_step").execute();
  await db.schema.alterTable("oauth_tokens").dropColumn("grant_ref").execute();
}
