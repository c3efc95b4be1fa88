import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

const ACCOUNT_TEXT = ["featured_url", "featured_tags_url", "public_key_id", "ed25519_key_id", "fetched_at"];

/**
 * What a remote actor and a remote poll bring that a local one never needed: the actor's type
 * (Person, Service, Group…), its featured and featured-tags collections, the ids of its RSA and
 * Ed25519 keys (a signature names the key, and the inbox finds the account by it), the aliases
 * a Move is checked against, and when the actor document was last fetched; a remote poll's vote
 * counts per option, as its server reports them (local votes of a local poll are counted from
 * poll_votes). statuses.uri, accounts.uri and conversations.uri are unique since 001.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .alterTable("accounts")
    .addColumn("actor_type", "text", (c) => c.notNull().defaultTo("Person"))
    .execute();
  for (const c of ACCOUNT_TEXT) await db.schema.alterTable("accounts").addColumn(c, "text").execute();
  await db.schema
    .alterTable("accounts")
    .addColumn("also_known_as", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema.createIndex("accounts_public_key_id").on("accounts").column("public_key_id").execute();
  await db.schema.alterTable("polls").addColumn("remote_counts", "text").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable("polls").dropColumn("remote_counts").execute();
  await db.schema.dropIndex("accounts_public_key_id").execute();
  for (const c of ["also_known_as", ...ACCOUNT_TEXT, "actor_type"])
    await db.schema.alterTable("accounts").dropColumn(c).execute();
}
