import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Fedify's key–value store (src/federation/kv.ts): signature key and document caches, inbox
 * idempotence marks. `key` is the JSON of Fedify's key array, `value` the JSON of the value;
 * `expires_at` (ISO 8601, null: never) hides an entry once past and lets the sweep find it.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("fedify_kv")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .execute();
  await db.schema.createIndex("fedify_kv_expires").on("fedify_kv").column("expires_at").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("fedify_kv").execute();
}
