import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/** Jobs with one ordering key (one inbox, one actor) run one at a time, oldest first. */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("jobs").addColumn("ordering_key", "text").execute();
  await db.schema.createIndex("jobs_ordering").on("jobs").columns(["ordering_key", "id"]).execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("jobs_ordering").execute();
  await db.schema.alterTable("jobs").dropColumn("ordering_key").execute();
}
