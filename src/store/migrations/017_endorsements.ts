import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Endorsements (Mastodon's account_pins): accounts a user features on their profile. Paged by id;
 * a follow's end removes its endorsement, an account's deletion removes both sides.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("account_endorsements")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("target_account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("account_endorsements_pair", ["account_id", "target_account_id"])
    .execute();
  await db.schema
    .createIndex("account_endorsements_target")
    .on("account_endorsements")
    .column("target_account_id")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("account_endorsements").execute();
}
