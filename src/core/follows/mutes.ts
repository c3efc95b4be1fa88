import { type AppContext, transaction } from "../../app.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import { muteActive } from "../../store/predicates.ts";
import type { Account } from "../../store/schema.ts";
import { ForbiddenError } from "../errors.ts";
import { removeAccountFromHomeFeed } from "../timelines/feed.ts";
import { loadTargetAccount } from "./graph.ts";

export interface MuteOptions {
  /** also hide notifications from the account (default true) */
  notifications?: boolean;
  /** seconds; 0 or absent = indefinitely */
  duration?: number;
}

/** Mutes an account (again: updates the options); its posts leave the home timeline. */
export async function muteAccount(
  ctx: AppContext,
  sourceId: string,
  targetId: string,
  opts: MuteOptions = {},
): Promise<void> {
  await transaction(ctx, async (trx) => {
    await loadTargetAccount(trx, targetId);
    if (sourceId === targetId) throw new ForbiddenError("This action is not allowed");
    const now = ctx.now();
    const values = {
      hide_notifications: opts.notifications === false ? 0 : 1,
      expires_at: opts.duration ? new Date(now.getTime() + opts.duration * 1000).toISOString() : null,
    };
    await trx
      .insertInto("mutes")
      .values({
        id: ctx.ids(),
        account_id: sourceId,
        target_account_id: targetId,
        created_at: now.toISOString(),
        ...values,
      })
      .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet(values))
      .execute();
    await removeAccountFromHomeFeed(trx, sourceId, targetId);
  });
}

export async function unmuteAccount(ctx: AppContext, sourceId: string, targetId: string): Promise<void> {
  await loadTargetAccount(ctx.db, targetId);
  await ctx.db
    .deleteFrom("mutes")
    .where("account_id", "=", sourceId)
    .where("target_account_id", "=", targetId)
    .execute();
}

/** Muted accounts (with the mute's expiry), newest first, paged by mute id; expired mutes are left out. */
export async function listMutes(
  ctx: AppContext,
  accountId: string,
  page: Page,
): Promise<{ accounts: (Account & { mute_expires_at: string | null })[]; cursorIds: string[] }> {
  const nowIso = ctx.now().toISOString();
  const rows = await paginate(
    ctx.db
      .selectFrom("mutes as m")
      .innerJoin("accounts as a", "a.id", "m.target_account_id")
      .selectAll("a")
      .select(["m.id as cursor_id", "m.expires_at as mute_expires_at"])
      .where("m.account_id", "=", accountId)
      .where(muteActive("m", nowIso)),
    "m.id",
    page,
  );
  return {
    accounts: rows.map(({ cursor_id: _c, ...a }) => a as Account & { mute_expires_at: string | null }),
    cursorIds: rows.map((r) => r.cursor_id),
  };
}
