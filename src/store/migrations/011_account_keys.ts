import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;

/**
 * Private keys leave the accounts row (shared with remote accounts and read by nearly every
 * request) for a table of their own that only signing code reads. Public keys stay on the row:
 * remote actors' keys are stored there too.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("account_keys")
    .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id").onDelete("cascade"))
    .addColumn("private_key_pem", "text", (c) => c.notNull())
    .addColumn("ed25519_private_key", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await sql`insert into account_keys (account_id, private_key_pem, ed25519_private_key, created_at)
    select id, private_key_pem, ed25519_private_key, created_at from accounts
    where domain = '' and private_key_pem is not null and ed25519_private_key is not null`.execute(db);
  await db.schema.alterTable("accounts").dropColumn("private_key_pem").execute();
  await db.schema.alterTable("accounts").dropColumn("ed25519_private_key").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("private_key_pem", "text").execute();
  await db.schema.alterTable("accounts").addColumn("ed25519_private_key", "text").execute();
  await sql`update accounts set
    private_key_pem = (select private_key_pem from account_keys k where k.account_id = accounts.id),
    ed25519_private_key = (select ed25519_private_key from account_keys k where k.account_id = accounts.id)`.execute(
    db,
  );
  await db.schema.dropTable("account_keys").execute();
}
