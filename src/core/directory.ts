/** The profile directory and follow suggestions: discoverable accounts the viewer may see. */
import { sql } from "kysely";
import type { AppContext } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { accountShownSql } from "./accounts/visible.ts";
import { hiddenAccountList, notHiddenListSql } from "./timelines/visible.ts";

export interface DirectoryInput {
  order: "active" | "new";
  local: boolean;
  offset: number;
  limit: number;
}

/**
 * Accounts the directory lists: ones others may see (accounts/visible.ts) that are discoverable,
 * have not moved and, if local, whose login is not disabled (a frozen account is not advertised).
 */
function listed(ctx: AppContext) {
  return ctx.db
    .selectFrom("accounts as a")
    .leftJoin("users as u", "u.account_id", "a.id")
    .selectAll("a")
    .where(accountShownSql("a"))
    .where("a.discoverable", "=", 1)
    .where("a.moved_to_account_id", "is", null)
    .where((eb) => eb.or([eb("a.domain", "!=", ""), eb("u.disabled", "=", 0)]));
}

/** GET /api/v1/directory: active = most recent post first, new = newest account first. */
export async function directory(
  ctx: AppContext,
  viewerId: string | null,
  input: DirectoryInput,
): Promise<Account[]> {
  let q = listed(ctx);
  if (input.local) q = q.where("a.domain", "=", "");
  if (viewerId) {
    const hidden = await hiddenAccountList(ctx.db, viewerId, ctx.now().toISOString());
    q = q.where(notHiddenListSql("a.id", hidden));
  }
  q =
    input.order === "new"
      ? q.orderBy("a.id", "desc")
      : q
          .orderBy(sql`case when a.last_status_at is null then 1 else 0 end`)
          .orderBy("a.last_status_at", "desc")
          .orderBy("a.id", "desc");
  return q.limit(input.limit).offset(input.offset).execute();
}

/**
 * Follow suggestions: the most followed local accounts the viewer neither follows, has asked to
 * follow, nor hides — Mastodon's "most_followed" source, which needs no tracking of interactions.
 */
export async function followSuggestions(
  ctx: AppContext,
  viewerId: string,
  limit: number,
): Promise<Account[]> {
  const hidden = await hiddenAccountList(ctx.db, viewerId, ctx.now().toISOString());
  return listed(ctx)
    .where("a.domain", "=", "")
    .where("a.id", "!=", viewerId)
    .where(notHiddenListSql("a.id", hidden))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("follows as f")
            .select("f.id")
            .whereRef("f.target_account_id", "=", "a.id")
            .where("f.account_id", "=", viewerId),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("follow_requests as r")
            .select("r.id")
            .whereRef("r.target_account_id", "=", "a.id")
            .where("r.account_id", "=", viewerId),
        ),
      ),
    )
    .orderBy("a.followers_count", "desc")
    .orderBy(sql`case when a.last_status_at is null then 1 else 0 end`)
    .orderBy("a.last_status_at", "desc")
    .orderBy("a.id")
    .limit(limit)
    .execute();
}
