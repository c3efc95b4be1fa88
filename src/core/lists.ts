import { type AppContext, transaction } from "../app.ts";
import { type Page, paginate } from "../store/paginate.ts";
import type { Account, List } from "../store/schema.ts";
import { accountShownSql } from "./accounts/visible.ts";
import { NotFoundError, ValidationError } from "./errors.ts";

export type RepliesPolicy = List["replies_policy"];

export interface ListInput {
  title?: string;
  repliesPolicy?: RepliesPolicy;
  exclusive?: boolean;
}

const MAX_LISTS = 50;

function checkTitle(title: string | undefined): string {
  const t = (title ?? "").trim();
  if (!t) throw new ValidationError("Validation failed: Title can't be blank");
  if (t.length > 250) throw new ValidationError("Validation failed: Title is too long");
  return t;
}

export async function getLists(ctx: AppContext, ownerId: string): Promise<List[]> {
  return ctx.db.selectFrom("lists").selectAll().where("account_id", "=", ownerId).orderBy("id").execute();
}

export async function getList(ctx: AppContext, ownerId: string, id: string): Promise<List> {
  const list = await ctx.db
    .selectFrom("lists")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", ownerId)
    .executeTakeFirst();
  if (!list) throw new NotFoundError();
  return list;
}

/** Whether `id` is one of the owner's lists (a list stream is for its owner only). */
export async function ownsList(ctx: AppContext, ownerId: string, id: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("lists")
    .select("id")
    .where("id", "=", id)
    .where("account_id", "=", ownerId)
    .executeTakeFirst();
  return !!row;
}

export async function createList(ctx: AppContext, ownerId: string, input: ListInput): Promise<List> {
  const title = checkTitle(input.title);
  const { n } = await ctx.db
    .selectFrom("lists")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("account_id", "=", ownerId)
    .executeTakeFirstOrThrow();
  if (Number(n) >= MAX_LISTS)
    throw new ValidationError("Validation failed: You have reached the maximum number of lists");
  const list: List = {
    id: ctx.ids(),
    account_id: ownerId,
    title,
    replies_policy: input.repliesPolicy ?? "list",
    exclusive: input.exclusive ? 1 : 0,
    created_at: ctx.now().toISOString(),
  };
  await ctx.db.insertInto("lists").values(list).execute();
  return list;
}

export async function updateList(
  ctx: AppContext,
  ownerId: string,
  id: string,
  input: ListInput,
): Promise<List> {
  const list = await getList(ctx, ownerId, id);
  const changes: Partial<List> = {};
  if (input.title !== undefined) changes.title = checkTitle(input.title);
  if (input.repliesPolicy !== undefined) changes.replies_policy = input.repliesPolicy;
  if (input.exclusive !== undefined) changes.exclusive = input.exclusive ? 1 : 0;
  if (Object.keys(changes).length)
    await ctx.db.updateTable("lists").set(changes).where("id", "=", id).execute();
  return { ...list, ...changes };
}

export async function deleteList(ctx: AppContext, ownerId: string, id: string): Promise<void> {
  await getList(ctx, ownerId, id);
  await transaction(ctx, async (trx) => {
    await trx.deleteFrom("list_accounts").where("list_id", "=", id).execute();
    await trx.deleteFrom("lists").where("id", "=", id).execute();
  });
}

/** Members of a list, paged by account id (limit 0 = all, as Mastodon allows). */
export async function listMembers(
  ctx: AppContext,
  ownerId: string,
  id: string,
  page: Page | null,
): Promise<Account[]> {
  await getList(ctx, ownerId, id);
  const q = ctx.db
    .selectFrom("list_accounts as la")
    .innerJoin("accounts as a", "a.id", "la.account_id")
    .selectAll("a")
    .where("la.list_id", "=", id);
  if (!page) return q.orderBy("a.id", "desc").execute();
  return paginate(q, "a.id", page);
}

/** Adds accounts to a list; each must be followed (or requested) by the owner, as on Mastodon. */
export async function addListMembers(
  ctx: AppContext,
  ownerId: string,
  id: string,
  accountIds: string[],
): Promise<void> {
  await getList(ctx, ownerId, id);
  const want = [...new Set(accountIds)];
  if (want.length === 0) return;
  const [follows, requests] = await Promise.all([
    ctx.db
      .selectFrom("follows")
      .select("target_account_id as id")
      .where("account_id", "=", ownerId)
      .where("target_account_id", "in", want)
      .execute(),
    ctx.db
      .selectFrom("follow_requests")
      .select("target_account_id as id")
      .where("account_id", "=", ownerId)
      .where("target_account_id", "in", want)
      .execute(),
  ]);
  const allowed = new Set([...follows, ...requests].map((r) => r.id));
  const exists = await ctx.db
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", want)
    .where(accountShownSql())
    .execute();
  if (exists.length !== want.length) throw new NotFoundError();
  if (want.some((a) => !allowed.has(a))) {
    throw new ValidationError("Validation failed: Account has not been followed");
  }
  await ctx.db
    .insertInto("list_accounts")
    .values(want.map((account_id) => ({ list_id: id, account_id })))
    .onConflict((oc) => oc.columns(["list_id", "account_id"]).doNothing())
    .execute();
}

export async function removeListMembers(
  ctx: AppContext,
  ownerId: string,
  id: string,
  accountIds: string[],
): Promise<void> {
  await getList(ctx, ownerId, id);
  if (accountIds.length === 0) return;
  await ctx.db
    .deleteFrom("list_accounts")
    .where("list_id", "=", id)
    .where("account_id", "in", [...new Set(accountIds)])
    .execute();
}

/** The owner's lists that contain `accountId`. */
export async function listsContaining(ctx: AppContext, ownerId: string, accountId: string): Promise<List[]> {
  return ctx.db
    .selectFrom("lists as l")
    .innerJoin("list_accounts as la", "la.list_id", "l.id")
    .selectAll("l")
    .where("l.account_id", "=", ownerId)
    .where("la.account_id", "=", accountId)
    .orderBy("l.id")
    .execute();
}
