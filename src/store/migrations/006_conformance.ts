import { type CreateTableBuilder, type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: builder generic over table/column names
type Table = CreateTableBuilder<any, any>;

const ref = (t: Table, name: string, table: string) =>
  t.addColumn(name, "text", (c) => c.references(`${table}.id`).onDelete("cascade").notNull());
const base = (db: Db, name: string) =>
  db.schema.createTable(name).addColumn("id", "text", (c) => c.primaryKey());
const createdAt = (t: Table) => t.addColumn("created_at", "text", (c) => c.notNull());

/**
 * What Mastodon 4.3 clients expect beyond the core microblog: grouped notifications, followed and
 * featured hashtags, per-user domain blocks and reports.
 */
export async function up(db: Db): Promise<void> {
  // null for notifications that never group (mentions, polls…) and for rows older than this column
  await db.schema.alterTable("notifications").addColumn("group_key", "text").execute();
  await db.schema
    .createIndex("notifications_group_key")
    .on("notifications")
    .columns(["account_id", "group_key"])
    .execute();

  await createdAt(ref(ref(base(db, "tag_follows"), "account_id", "accounts"), "tag_id", "tags"))
    .addUniqueConstraint("tag_follows_pair", ["account_id", "tag_id"])
    .execute();
  await db.schema.createIndex("tag_follows_tag").on("tag_follows").column("tag_id").execute();

  await createdAt(ref(ref(base(db, "featured_tags"), "account_id", "accounts"), "tag_id", "tags"))
    .addUniqueConstraint("featured_tags_pair", ["account_id", "tag_id"])
    .execute();

  await createdAt(
    ref(base(db, "account_domain_blocks"), "account_id", "accounts").addColumn("domain", "text", (c) =>
      c.notNull(),
    ),
  )
    .addUniqueConstraint("account_domain_blocks_pair", ["account_id", "domain"])
    .execute();
  // hiding a blocked domain's accounts joins on their domain
  await db.schema.createIndex("accounts_domain").on("accounts").column("domain").execute();

  await createdAt(
    ref(ref(base(db, "reports"), "account_id", "accounts"), "target_account_id", "accounts")
      .addColumn("status_ids", "text", (c) => c.notNull().defaultTo("[]"))
      .addColumn("rule_ids", "text", (c) => c.notNull().defaultTo("[]"))
      .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("category", "text", (c) => c.notNull().defaultTo("other"))
      .addColumn("forward", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("action_taken_at", "text"),
  ).execute();
  await db.schema.createIndex("reports_target").on("reports").column("target_account_id").execute();
  await sql`create index reports_open on reports (created_at) where action_taken_at is null`.execute(db);
}

export async function down(db: Db): Promise<void> {
  for (const t of ["reports", "account_domain_blocks", "featured_tags", "tag_follows"])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema.dropIndex("accounts_domain").ifExists().execute();
  await db.schema.dropIndex("notifications_group_key").ifExists().execute();
  await db.schema.alterTable("notifications").dropColumn("group_key").execute();
}
