import type { AppContext } from "../../app.ts";
import type { Account, User } from "../../store/schema.ts";
import { NotFoundError } from "../errors.ts";

export interface LocalUser {
  user: User;
  account: Account;
}

export async function findLocalUserByUsername(ctx: AppContext, username: string): Promise<LocalUser> {
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", username.trim().replace(/^@/, "").toLowerCase()))
    .where("domain", "=", "")
    .executeTakeFirst();
  const user = account
    ? await ctx.db.selectFrom("users").selectAll().where("account_id", "=", account.id).executeTakeFirst()
    : undefined;
  if (!account || !user) throw new NotFoundError(`No local account named ${username}`);
  return { user, account };
}

export async function listLocalUsers(ctx: AppContext): Promise<LocalUser[]> {
  const users = await ctx.db.selectFrom("users").selectAll().orderBy("created_at").orderBy("id").execute();
  const accounts = await ctx.db.selectFrom("accounts").selectAll().where("domain", "=", "").execute();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  return users.flatMap((user) => {
    const account = byId.get(user.account_id);
    return account ? [{ user, account }] : [];
  });
}

/** A one-word state for listings: active, pending (awaiting approval), disabled, suspended. */
export function userStatus({ user, account }: LocalUser): string {
  if (account.suspended_at) return "suspended";
  if (user.disabled) return "disabled";
  if (!user.approved) return "pending";
  return "active";
}

/** Approves a user registered while sign-ups required approval; their tokens start working. */
export async function approveUser(ctx: AppContext, userId: string): Promise<void> {
  const res = await ctx.db
    .updateTable("users")
    .set({ approved: 1 })
    .where("id", "=", userId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("User not found");
}
