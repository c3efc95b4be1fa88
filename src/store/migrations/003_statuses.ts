import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/** One reblog per account and status, enforced by the database so concurrent reblogs cannot double up. */
export async function up(db: Db): Promise<void> {
  await sql`create unique index statuses_one_reblog on statuses (account_id, reblog_of_id) where reblog_of_id is not null`.execute(
    db,
  );
}

export async function down(db: Db): Promise<void> {
  await sql`drop index if exists statuses_one_reblog`.execute(db);
}
