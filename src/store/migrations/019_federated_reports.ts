import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Reports federate: one forwarded to another server is a Flag whose id names it, and one received
 * from another server keeps the Flag's id, so the same Flag delivered twice is one report.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("reports").addColumn("uri", "text").execute();
  await db.schema.createIndex("reports_uri").on("reports").column("uri").unique().execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("reports_uri").execute();
  await db.schema.alterTable("reports").dropColumn("uri").execute();
}
