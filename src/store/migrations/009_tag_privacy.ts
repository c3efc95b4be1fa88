import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Hashtags of non-public posts stay private (see core/tags.ts):
 * - `tags.public_at`: when a public or unlisted post first used the tag; null hides it from others.
 *   Filled from the posts already stored.
 * - The form a tag is shown under must come from a public post: a tag that existed before its
 *   first public use (created by a private post or a follow) shows its case-folded name instead.
 * - Tag ids were time-sortable, dating a tag's first (perhaps private) use: every tag gets a new
 *   random id, in the upper half of the 18-digit range that time-sortable ids do not reach before
 *   2211 (the same rule as `untimedId` in core/ids.ts, restated so this migration never changes).
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("tags").addColumn("public_at", "text").execute();
  await db.schema
    .createTable("tag_rekey")
    .addColumn("old_id", "text", (c) => c.primaryKey())
    .addColumn("new_id", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .execute();
  // PostgreSQL runs each migration in a transaction already; SQLite's DDL above is not, so the
  // data moves get one of their own there: a crash leaves the tags as they were, never half moved
  const run = (fn: (trx: Db) => Promise<void>) => (db.isTransaction ? fn(db) : db.transaction().execute(fn));
  await run(async (trx) => {
    await sql`update tags set public_at = (
        select min(s.created_at) from status_tags st join statuses s on s.id = st.status_id
        where st.tag_id = tags.id and s.visibility in ('public', 'unlisted'))`.execute(trx);
    await sql`update tags set display_name = name
        where public_at is null or created_at < public_at`.execute(trx);

    let last = "";
    for (;;) {
      const batch: { id: string; name: string }[] = await trx
        .selectFrom("tags")
        .select(["id", "name"])
        .where("id", ">", last)
        .orderBy("id")
        .limit(1000)
        .execute();
      if (batch.length === 0) break;
      last = batch[batch.length - 1].id;
      await trx
        .insertInto("tag_rekey")
        .values(batch.map((t) => ({ old_id: t.id, new_id: untimedId(), name: t.name })))
        .execute();
    }
    // the new row first, under a name no tag can have (tags never contain spaces), so the rows that
    // point at the tag can move before the old row goes
    await sql`insert into tags (id, name, display_name, created_at, public_at)
        select r.new_id, ' ' || r.old_id, t.display_name, t.created_at, t.public_at
        from tags t join tag_rekey r on r.old_id = t.id`.execute(trx);
    for (const table of ["status_tags", "tag_follows", "featured_tags"]) {
      await sql`update ${sql.table(table)}
          set tag_id = (select r.new_id from tag_rekey r where r.old_id = ${sql.ref(`${table}.tag_id`)})
          where tag_id in (select old_id from tag_rekey)`.execute(trx);
    }
    await sql`delete from tags where id in (select old_id from tag_rekey)`.execute(trx);
    await sql`update tags set name = (select r.name from tag_rekey r where r.new_id = tags.id)
        where id in (select new_id from tag_rekey)`.execute(trx);
  });
  await db.schema.dropTable("tag_rekey").execute();
}

export async function down(db: Db): Promise<void> {
  // the old ids are gone for good; only the column can be taken back
  await db.schema.alterTable("tags").dropColumn("public_at").execute();
}

function untimedId(): string {
  const min = 500_000_000_000_000_000n;
  return (min + (randomBytes(8).readBigUInt64BE() % min)).toString();
}
