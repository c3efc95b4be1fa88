import type { AppContext } from "../../app.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import { blocksViewer } from "../../store/predicates.ts";
import type { Account } from "../../store/schema.ts";
import { accountShownSql } from "../accounts/visible.ts";
import { ValidationError } from "../errors.ts";
import { loadTargetAccount } from "./graph.ts";

/** Mastodon's wording (accounts.pin_errors.following): only followed accounts can be featured. */
export const ENDORSE_NOT_FOLLOWING = "You must be already following the person you want to endorse";

/**
 * Features `targetId` on the viewer's profile (POST /api/v1/accounts/:id/endorse, alias `pin`).
 * Idempotent; only an account the viewer follows can be endorsed, as on Mastodon.
 */
export async function endorseAccount(ctx: AppContext, viewerId: string, targetId: string): Promise<void> {
  await loadTargetAccount(ctx.db, targetId);
  const follows = await ctx.db
    .selectFrom("follows")
    .select("id")
    .where("account_id", "=", viewerId)
    .where("target_account_id", "=", targetId)
    .executeTakeFirst();
  if (!follows) throw new ValidationError(`Validation failed: ${ENDORSE_NOT_FOLLOWING}`);
  await ctx.db
    .insertInto("account_endorsements")
    .values({
      id: ctx.ids(),
      account_id: viewerId,
      target_account_id: targetId,
      created_at: ctx.now().toISOString(),
    })
    .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doNothing())
    .execute();
}

export async function unendorseAccount(ctx: AppContext, viewerId: string, targetId: string): Promise<void> {
  await loadTargetAccount(ctx.db, targetId);
  // (removeFollow in graph.ts deletes the endorsement too, whatever ends the follow)
  await ctx.db
    .deleteFrom("account_endorsements")
    .where("account_id", "=", viewerId)
    .where("target_account_id", "=", targetId)
    .execute();
}

/**
 * The accounts `accountId` features, newest endorsement first, paged by endorsement id. Someone the
 * account blocks sees none (as for its followers); hidden accounts are left out.
 */
export async function listEndorsements(
  ctx: AppContext,
  accountId: string,
  viewerId: string | null,
  page: Page,
): Promise<{ accounts: Account[]; cursorIds: string[] }> {
  await loadTargetAccount(ctx.db, accountId);
  if (await blocksViewer(ctx.db, accountId, viewerId)) return { accounts: [], cursorIds: [] };
  const rows = await paginate(
    ctx.db
      .selectFrom("account_endorsements as e")
      .innerJoin("accounts as a", "a.id", "e.target_account_id")
      .selectAll("a")
      .select("e.id as cursor_id")
      .where("e.account_id", "=", accountId)
      .where(accountShownSql("a")),
    "e.id",
    page,
  );
  return {
    accounts: rows.map(({ cursor_id: _c, ...a }) => a as Account),
    cursorIds: rows.map((r) => r.cursor_id),
  };
}
