import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Mastodon 4.6 profiles: image descriptions, which profile tabs the owner shows, and collections
 * (named lists of accounts a user features; an item can be revoked by the account it features).
 */
export async function up(db: Db): Promise<void> {
  const t = "accounts";
  await db.schema
    .alterTable(t)
    .addColumn("avatar_description", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable(t)
    .addColumn("header_description", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable(t)
    .addColumn("show_media", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable(t)
    .addColumn("show_media_replies", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable(t)
    .addColumn("show_featured", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable("collections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("language", "text")
    .addColumn("sensitive", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("discoverable", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("tag_id", "text", (c) => c.references("tags.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("collections_account")
    .on("collections")
    .columns(["account_id", "id"])
    .execute();
  await db.schema
    .createTable("collection_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("collection_id", "text", (c) => c.notNull().references("collections.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("state", "text", (c) => c.notNull().defaultTo("accepted"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("collection_items_pair", ["collection_id", "account_id"])
    .execute();
  await db.schema
    .createIndex("collection_items_account")
    .on("collection_items")
    .column("account_id")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("collection_items").execute();
  await db.schema.dropTable("collections").execute();
  for (const c of [
    "avatar_description",
    "header_description",
    "show_media",
    "show_media_replies",
    "show_featured",
  ]) {
    await db.schema.alterTable("accounts").dropColumn(c).execute();
  }
}
