import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Indexes for the public reads (see src/store/query-plans.test.ts).
 *
 * `statuses_reblog_of` becomes partial. Every original has reblog_of_id null, and SQLite's
 * statistics count each null as a value of its own, so with or without ANALYZE the planner took
 * `reblog_of_id is null` (on every timeline, context and search query) for a selective condition
 * and walked this index through all the originals: the context of a 1,000-reply thread on 200,000
 * statuses took minutes. A partial index serves every `reblog_of_id = ?` lookup and cannot be
 * chosen for `is null`.
 *
 * Search by URL looks statuses and accounts up by `url`, which had no index. Public timelines
 * leave out suspended authors through `accounts_suspended`; the instance contact is found through
 * `users_admins`.
 */
export async function up(db: Db): Promise<void> {
  await sql`drop index if exists statuses_reblog_of`.execute(db);
  await sql`create index statuses_reblog_of on statuses (reblog_of_id, account_id) where reblog_of_id is not null`.execute(
    db,
  );
  await db.schema.createIndex("statuses_url").on("statuses").column("url").execute();
  await db.schema.createIndex("accounts_url").on("accounts").column("url").execute();
  // the few suspended accounts, left out of public timelines without reading every account
  await sql`create index accounts_suspended on accounts (id) where suspended_at is not null`.execute(db);
  // the instance contact (the oldest admin), read on every instance request
  await sql`create index users_admins on users (created_at) where role = 'admin'`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("users_admins").ifExists().execute();
  await db.schema.dropIndex("accounts_suspended").ifExists().execute();
  await db.schema.dropIndex("accounts_url").ifExists().execute();
  await db.schema.dropIndex("statuses_url").ifExists().execute();
  await sql`drop index if exists statuses_reblog_of`.execute(db);
  await db.schema
    .createIndex("statuses_reblog_of")
    .on("statuses")
    .columns(["reblog_of_id", "account_id"])
    .execute();
}
