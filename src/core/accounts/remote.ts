/**
 * Remote accounts: a RemoteActor (already checked and sanitised by federation/converters) stored as
 * an accounts row — inserted the first time, updated in place afterwards, keyed by its uri. The
 * handle (`username@domain`) follows the actor: a renamed actor keeps its row, followers and posts.
 */
import { sql } from "kysely";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, NewAccount } from "../../store/schema.ts";
import { ValidationError } from "../errors.ts";
import type { RemoteActor, RemoteEmoji } from "../remote/types.ts";

export { findAccountByAcct } from "./lookup.ts";

/** Any account by its ActivityPub id, suspended ones included (the inbox decides what they may do). */
export async function findAccountByUri(
  ctx: AppContext,
  uri: string,
  db: Db = ctx.db,
): Promise<Account | null> {
  return (await db.selectFrom("accounts").selectAll().where("uri", "=", uri).executeTakeFirst()) ?? null;
}

/**
 * Accounts for the `href`s of a post's mentions, in one query: an href may be the actor's id
 * (Mastodon, GoToSocial) or its profile page (some servers), ours or a remote one; suspended
 * accounts are left out (a mention of them notifies no one). Keys of the map are the hrefs given.
 */
export async function findMentionedAccounts(ctx: AppContext, hrefs: string[]): Promise<Map<string, Account>> {
  const out = new Map<string, Account>();
  const wanted = [...new Set(hrefs)].slice(0, 500);
  if (wanted.length === 0) return out;
  const rows = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb.or([eb("uri", "in", wanted), eb("url", "in", wanted)]))
    .where("suspended_at", "is", null)
    .execute();
  for (const href of wanted) {
    const hit = rows.find((r) => r.uri === href) ?? rows.find((r) => r.url === href);
    if (hit) out.set(href, hit);
  }
  return out;
}

/** The account whose RSA or Ed25519 key has this id (what a signature names), if known. */
export async function findAccountByKeyId(ctx: AppContext, keyId: string): Promise<Account | null> {
  const row = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb.or([eb("public_key_id", "=", keyId), eb("ed25519_key_id", "=", keyId)]))
    .where("domain", "<>", "")
    .executeTakeFirst();
  return row ?? null;
}

/** Remote emojis are stored per domain (shortcode + domain is unique), the newest image winning. */
export async function upsertRemoteEmojis(
  ctx: AppContext,
  db: Db,
  domain: string,
  emojis: RemoteEmoji[],
): Promise<void> {
  if (!domain || emojis.length === 0) return;
  const now = ctx.now().toISOString();
  for (const e of emojis) {
    await db
      .insertInto("custom_emojis")
      .values({
        id: ctx.ids(),
        shortcode: e.shortcode,
        domain,
        url: e.url,
        static_url: e.url,
        visible_in_picker: 0,
        category: null,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["shortcode", "domain"]).doUpdateSet({
          url: (eb) => eb.ref("excluded.url"),
          static_url: (eb) => eb.ref("excluded.static_url"),
        }),
      )
      .execute();
  }
}

type ActorColumns = Omit<
  NewAccount,
  | "id"
  | "followers_count"
  | "following_count"
  | "statuses_count"
  | "last_status_at"
  | "suspended_at"
  | "created_at"
  | "note_source"
>;

function aliases(account: Account): string[] {
  try {
    const list = JSON.parse(account.also_known_as) as unknown;
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * The row's columns from the document. `movedTo` is believed, as Mastodon does, only when the
 * account it names is known and names this actor among its aliases (anyone can claim to have
 * moved to a popular account); following the move is the Move activity's business.
 */
async function actorColumns(ctx: AppContext, db: Db, actor: RemoteActor, now: string): Promise<ActorColumns> {
  const movedTo = actor.movedTo ? await findAccountByUri(ctx, actor.movedTo, db) : null;
  return {
    username: actor.username,
    domain: actor.domain,
    display_name: actor.displayName,
    note: actor.note,
    fields: JSON.stringify(actor.fields.map((f) => ({ name: f.name, value: f.value, verified_at: null }))),
    locked: actor.locked ? 1 : 0,
    bot: actor.bot ? 1 : 0,
    discoverable: actor.discoverable ? 1 : 0,
    indexable: actor.indexable ? 1 : 0,
    avatar_url: actor.avatarUrl,
    header_url: actor.headerUrl,
    uri: actor.uri,
    url: actor.url,
    inbox_url: actor.inbox,
    outbox_url: actor.outbox,
    shared_inbox_url: actor.sharedInbox,
    followers_url: actor.followers,
    following_url: actor.following,
    featured_url: actor.featured,
    featured_tags_url: actor.featuredTags,
    actor_type: actor.type,
    public_key_pem: actor.publicKeyPem,
    public_key_id: actor.publicKeyId,
    ed25519_public_key: actor.ed25519PublicKey,
    ed25519_key_id: actor.ed25519KeyId,
    also_known_as: JSON.stringify(actor.alsoKnownAs),
    moved_to_account_id: movedTo && aliases(movedTo).includes(actor.uri) ? movedTo.id : null,
    fetched_at: now,
    updated_at: now,
  };
}

/**
 * Another row of the same server may hold the handle this actor now uses (the server gave the
 * name to a new actor, or the old actor was deleted there without telling us): the handle belongs
 * to whoever the server says has it now, so the stale row is renamed out of the way (its id, posts
 * and follows stay; `username~<id>` cannot be a real handle).
 */
async function freeHandle(db: Db, actor: RemoteActor): Promise<void> {
  await db
    .updateTable("accounts")
    .set({ username: sql<string>`username || '~' || id` })
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", actor.username.toLowerCase()))
    .where("domain", "=", actor.domain)
    .where("uri", "<>", actor.uri)
    .execute();
}

/**
 * Inserts or updates the account of a remote actor, keyed by its uri; returns the row. Safe to run
 * concurrently for one actor (one row results). Keys, collections, profile, handle and emojis follow
 * the document; counters, suspension and the first-seen date stay ours. Refuses an actor that
 * claims our own domain (local accounts have none).
 */
export async function upsertRemoteAccount(
  ctx: AppContext,
  actor: RemoteActor,
  db: Db = ctx.db,
): Promise<Account> {
  if (!actor.domain || actor.domain === ctx.config.domain)
    throw new ValidationError("Validation failed: a remote actor cannot claim this server's domain");
  if (new URL(actor.uri).host.toLowerCase() !== actor.domain)
    throw new ValidationError("Validation failed: the actor's domain is not its uri's");
  const now = ctx.now().toISOString();
  const columns = await actorColumns(ctx, db, actor, now);
  const write = async (): Promise<void> => {
    await freeHandle(db, actor);
    await db
      .insertInto("accounts")
      .values({
        ...columns,
        id: ctx.ids(),
        note_source: "",
        created_at: actor.published && actor.published < now ? actor.published : now,
        followers_count: 0,
        following_count: 0,
        statuses_count: 0,
      })
      .onConflict((oc) => oc.column("uri").doUpdateSet(columns))
      .execute();
  };
  try {
    await write();
  } catch (err) {
    // two first sightings of one actor at once: the loser's handle check ran before the winner's
    // insert; once more, the conflict on uri makes it an update
    if (!/unique|duplicate/i.test(String((err as Error)?.message))) throw err;
    await write();
  }
  await upsertRemoteEmojis(ctx, db, actor.domain, actor.emojis);
  const row = await findAccountByUri(ctx, actor.uri, db);
  if (!row) throw new Error(`remote account ${actor.uri} vanished while being stored`);
  return row;
}
