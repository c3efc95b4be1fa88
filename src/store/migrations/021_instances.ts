import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Other servers: what an admin decided about them (domain_blocks, Mastodon's severities) and how
 * deliveries to them fare (instances: failures since the last success, unavailable once they have
 * failed for days — deliveries then stop until the server is heard from again).
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("domain_blocks")
    .addColumn("domain", "text", (c) => c.primaryKey())
    .addColumn("severity", "text", (c) => c.notNull()) // suspend | silence | noop
    .addColumn("reject_media", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reject_reports", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("public_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("private_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("instances")
    .addColumn("domain", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("first_failure_at", "text")
    .addColumn("last_failure_at", "text")
    .addColumn("last_error", "text")
    .addColumn("last_success_at", "text")
    .addColumn("unavailable_at", "text")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("instances").execute();
  await db.schema.dropTable("domain_blocks").execute();
}
