/**
 * Collections (Mastodon 4.6): named lists of accounts a user features on their profile. Who may be
 * featured: an account others may see, that neither side blocks, and that is discoverable (it
 * agreed to be suggested to strangers); such an item is accepted at once. The featured account can
 * revoke its item at any time. A collection that is not discoverable is listed only to its owner.
 */
import { type AppContext, transaction } from "../app.ts";
import type { Db } from "../store/db.ts";
import { isBlockedEitherWay } from "../store/predicates.ts";
import type { Account } from "../store/schema.ts";
import { accountShownSql } from "./accounts/visible.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "./errors.ts";
import { findOrCreateTag, tagDisplayName } from "./tags.ts";
import { codePointsOver } from "./text/count.ts";

export const COLLECTION_LIMITS = { name: 40, description: 100, items: 25, perAccount: 10 } as const;

export interface CollectionItemView {
  id: string;
  account_id: string;
  state: "pending" | "accepted";
  created_at: string;
}

export interface CollectionView {
  id: string;
  account_id: string;
  /** the owner's username (the collection's URI is built from it) */
  username: string;
  name: string;
  description: string;
  language: string | null;
  sensitive: boolean;
  discoverable: boolean;
  tag: string | null;
  created_at: string;
  updated_at: string;
  items: CollectionItemView[];
}

export interface CollectionInput {
  name?: string;
  description?: string;
  language?: string | null;
  tagName?: string | null;
  sensitive?: boolean;
  discoverable?: boolean;
}

function checkText(input: CollectionInput): void {
  if (input.name !== undefined) {
    if (input.name.trim() === "") throw new ValidationError("Validation failed: Name can't be blank");
    if (codePointsOver(input.name, COLLECTION_LIMITS.name))
      throw new ValidationError(
        `Validation failed: Name is too long (maximum is ${COLLECTION_LIMITS.name} characters)`,
      );
  }
  if (input.description !== undefined && codePointsOver(input.description, COLLECTION_LIMITS.description)) {
    throw new ValidationError(
      `Validation failed: Description is too long (maximum is ${COLLECTION_LIMITS.description} characters)`,
    );
  }
  if (input.language && !/^[a-z]{2,3}$/.test(input.language))
    throw new ValidationError("Validation failed: Language is not a valid ISO 639 code");
}

/** Loads collections with their items (accounts others may not see are left out). */
async function loadViews(db: Db, ids: string[]): Promise<CollectionView[]> {
  if (ids.length === 0) return [];
  const [rows, items] = await Promise.all([
    db
      .selectFrom("collections as c")
      .innerJoin("accounts as a", "a.id", "c.account_id")
      .leftJoin("tags as t", "t.id", "c.tag_id")
      .selectAll("c")
      .select([
        "a.username",
        "t.name as tag_name",
        "t.display_name as tag_display",
        "t.public_at as tag_public_at",
      ])
      .where("c.id", "in", ids)
      // a hidden (suspended, unapproved) owner's collections are not shown to anyone
      .where(accountShownSql("a"))
      .execute(),
    db
      .selectFrom("collection_items as i")
      .innerJoin("accounts as a", "a.id", "i.account_id")
      .select(["i.id", "i.collection_id", "i.account_id", "i.state", "i.created_at"])
      .where("i.collection_id", "in", ids)
      .where(accountShownSql("a"))
      .orderBy("i.id")
      .execute(),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        id: r.id,
        account_id: r.account_id,
        username: r.username,
        name: r.name,
        description: r.description,
        language: r.language,
        sensitive: r.sensitive === 1,
        discoverable: r.discoverable === 1,
        tag: r.tag_name
          ? tagDisplayName({
              name: r.tag_name,
              display_name: r.tag_display ?? "",
              public_at: r.tag_public_at,
            })
          : null,
        created_at: r.created_at,
        updated_at: r.updated_at,
        items: items
          .filter((i) => i.collection_id === id)
          .map(({ collection_id: _c, ...i }) => ({ ...i, state: i.state })),
      },
    ];
  });
}

/** A collection the viewer may see (its owner's, or a discoverable one of a visible account), or 404. */
export async function getCollection(
  ctx: AppContext,
  id: string,
  viewerId: string | null,
): Promise<CollectionView> {
  const [view] = await loadViews(ctx.db, [id]);
  if (!view) throw new NotFoundError();
  if (view.account_id !== viewerId) {
    if (!view.discoverable) throw new NotFoundError();
    if (viewerId && (await isBlockedEitherWay(ctx.db, viewerId, view.account_id))) throw new NotFoundError();
  }
  return view;
}

async function ownCollection(db: Db, ownerId: string, id: string) {
  const row = await db.selectFrom("collections").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError();
  if (row.account_id !== ownerId) throw new ForbiddenError("This action is not allowed");
  return row;
}

/** Whether `targetId` may be featured by `ownerId` (see the module comment); throws the refusal. */
async function checkFeaturable(db: Db, ownerId: string, targetId: string): Promise<void> {
  const target = await db
    .selectFrom("accounts")
    .select(["id", "discoverable"])
    .where("id", "=", targetId)
    .where(accountShownSql())
    .executeTakeFirst();
  if (!target) throw new NotFoundError();
  if (targetId === ownerId) throw new ValidationError("Validation failed: You cannot feature yourself");
  if (await isBlockedEitherWay(db, ownerId, targetId)) throw new NotFoundError();
  if (target.discoverable !== 1)
    throw new ValidationError("Validation failed: This account does not allow being featured");
}

async function addItem(ctx: AppContext, trx: Db, collectionId: string, ownerId: string, targetId: string) {
  await checkFeaturable(trx, ownerId, targetId);
  const count = await trx
    .selectFrom("collection_items")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("collection_id", "=", collectionId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= COLLECTION_LIMITS.items)
    throw new ValidationError(
      `Validation failed: A collection holds at most ${COLLECTION_LIMITS.items} accounts`,
    );
  const id = ctx.ids();
  await trx
    .insertInto("collection_items")
    .values({
      id,
      collection_id: collectionId,
      account_id: targetId,
      state: "accepted",
      created_at: ctx.now().toISOString(),
    })
    .onConflict((oc) => oc.columns(["collection_id", "account_id"]).doNothing())
    .execute();
  const row = await trx
    .selectFrom("collection_items")
    .select(["id", "account_id", "state", "created_at"])
    .where("collection_id", "=", collectionId)
    .where("account_id", "=", targetId)
    .executeTakeFirstOrThrow();
  return row as CollectionItemView;
}

export async function createCollection(
  ctx: AppContext,
  owner: Account,
  input: CollectionInput & { name: string; accountIds?: string[] },
): Promise<CollectionView> {
  checkText(input);
  const tag = input.tagName ? await findOrCreateTag(ctx, input.tagName) : null;
  const accountIds = [...new Set(input.accountIds ?? [])];
  if (accountIds.length > COLLECTION_LIMITS.items)
    throw new ValidationError(
      `Validation failed: A collection holds at most ${COLLECTION_LIMITS.items} accounts`,
    );
  const id = ctx.ids();
  await transaction(ctx, async (trx) => {
    const count = await trx
      .selectFrom("collections")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", owner.id)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= COLLECTION_LIMITS.perAccount)
      throw new ValidationError(
        `Validation failed: You can have at most ${COLLECTION_LIMITS.perAccount} collections`,
      );
    const now = ctx.now().toISOString();
    await trx
      .insertInto("collections")
      .values({
        id,
        account_id: owner.id,
        name: input.name.trim(),
        description: input.description?.trim() ?? "",
        language: input.language || null,
        sensitive: input.sensitive ? 1 : 0,
        discoverable: input.discoverable === false ? 0 : 1,
        tag_id: tag?.id ?? null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const targetId of accountIds) await addItem(ctx, trx, id, owner.id, targetId);
  });
  return getCollection(ctx, id, owner.id);
}

export async function updateCollection(
  ctx: AppContext,
  ownerId: string,
  id: string,
  input: CollectionInput,
): Promise<CollectionView> {
  checkText(input);
  await ownCollection(ctx.db, ownerId, id);
  const tag = input.tagName ? await findOrCreateTag(ctx, input.tagName) : null;
  await ctx.db
    .updateTable("collections")
    .set({
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description.trim() } : {}),
      ...(input.language !== undefined ? { language: input.language || null } : {}),
      ...(input.tagName !== undefined ? { tag_id: tag?.id ?? null } : {}),
      ...(input.sensitive !== undefined ? { sensitive: input.sensitive ? 1 : 0 } : {}),
      ...(input.discoverable !== undefined ? { discoverable: input.discoverable ? 1 : 0 } : {}),
      updated_at: ctx.now().toISOString(),
    })
    .where("id", "=", id)
    .execute();
  return getCollection(ctx, id, ownerId);
}

export async function deleteCollection(ctx: AppContext, ownerId: string, id: string): Promise<void> {
  await ownCollection(ctx.db, ownerId, id);
  await transaction(ctx, async (trx) => {
    await trx.deleteFrom("collection_items").where("collection_id", "=", id).execute();
    await trx.deleteFrom("collections").where("id", "=", id).execute();
  });
}

export async function addCollectionItem(
  ctx: AppContext,
  ownerId: string,
  id: string,
  targetId: string,
): Promise<CollectionItemView> {
  await ownCollection(ctx.db, ownerId, id);
  return transaction(ctx, (trx) => addItem(ctx, trx, id, ownerId, targetId));
}

/** The owner removes an item (DELETE …/items/:item_id). */
export async function removeCollectionItem(ctx: AppContext, ownerId: string, id: string, itemId: string) {
  await ownCollection(ctx.db, ownerId, id);
  const res = await ctx.db
    .deleteFrom("collection_items")
    .where("id", "=", itemId)
    .where("collection_id", "=", id)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError();
}

/** The featured account takes itself out (POST …/items/:item_id/revoke). */
export async function revokeCollectionItem(ctx: AppContext, accountId: string, id: string, itemId: string) {
  const res = await ctx.db
    .deleteFrom("collection_items")
    .where("id", "=", itemId)
    .where("collection_id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError();
}

/**
 * `accountId`'s own collections (`featuring` false) or those that feature it (`featuring` true),
 * newest first, as the viewer may see them.
 */
export async function listCollections(
  ctx: AppContext,
  accountId: string,
  viewerId: string | null,
  opts: { featuring: boolean; limit: number; offset: number },
): Promise<CollectionView[]> {
  const account = await ctx.db
    .selectFrom("accounts")
    .select("id")
    .where("id", "=", accountId)
    .where(accountShownSql())
    .executeTakeFirst();
  if (!account) throw new NotFoundError();
  if (viewerId && viewerId !== accountId && (await isBlockedEitherWay(ctx.db, viewerId, accountId)))
    return [];
  let q = ctx.db.selectFrom("collections as c").select("c.id");
  q = opts.featuring
    ? q.innerJoin("collection_items as i", "i.collection_id", "c.id").where("i.account_id", "=", accountId)
    : q.where("c.account_id", "=", accountId);
  const rows = await q.orderBy("c.id", "desc").limit(opts.limit).offset(opts.offset).execute();
  const views = await loadViews(
    ctx.db,
    rows.map((r) => r.id),
  );
  const out: CollectionView[] = [];
  for (const v of views) {
    if (v.account_id === viewerId) out.push(v);
    else if (v.discoverable && (!viewerId || !(await isBlockedEitherWay(ctx.db, viewerId, v.account_id)))) {
      out.push(v);
    }
  }
  return out;
}
