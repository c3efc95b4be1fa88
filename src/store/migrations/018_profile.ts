import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/** Mastodon 4.6 profile settings: image descriptions and which profile tabs the owner shows. */
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
}

export async function down(db: Db): Promise<void> {
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
