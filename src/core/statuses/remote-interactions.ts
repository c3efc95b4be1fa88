/**
 * Remote accounts acting on statuses we hold: an Announce (a reblog row, through persist →
 * distribute like a local reblog) and a Like (a favourite, with a notification to a local author),
 * and their Undo. Each is idempotent: by the activity's uri and by (account, status).
 */
import { type AppContext, transaction } from "../../app.ts";
import type { Status } from "../../store/schema.ts";
import { distributeStatus } from "../distribution/distribute.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import type { Visibility } from "../visibility.ts";
import { deleteStatusIn } from "./delete.ts";
import { favouriteStatus } from "./favourite.ts";
import { getVisibleStatus } from "./load.ts";
import { persistStatus } from "./persist.ts";
import { findStatusByUri, type Ingested, isUniqueViolation } from "./remote.ts";

async function remoteAccount(ctx: AppContext, accountId: string) {
  const account = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!account || account.domain === "") throw new NotFoundError("Unknown remote account");
  if (account.suspended_at) throw new ForbiddenError("The account is suspended");
  return account;
}

export interface RemoteReblog {
  /** the Announce activity's id */
  uri: string;
  /** the booster (a remote account) */
  accountId: string;
  /** the status announced (ours or another remote one we hold) */
  statusId: string;
  /** from the Announce's to/cc (noteVisibility); public when it says nothing */
  visibility?: Visibility;
  published?: string | null;
}

/**
 * A remote Announce: a reblog row of the original (a reblog of a reblog boosts its original), seen
 * in the homes of the booster's local followers and notified to a local author. Only what the
 * booster may see and what may be shared: a private or direct status cannot be announced (Mastodon
 * refuses them too), nor one hidden by a block. The same Announce twice, or the booster's second
 * Announce of one status, returns the reblog already held.
 */
export async function ingestRemoteReblog(ctx: AppContext, input: RemoteReblog): Promise<Ingested> {
  const existing = await findStatusByUri(ctx.db, input.uri);
  if (existing) {
    if (existing.account_id !== input.accountId || !existing.reblog_of_id)
      throw new ForbiddenError("This activity belongs to another account");
    return { status: existing, created: false };
  }
  const account = await remoteAccount(ctx, input.accountId);
  try {
    const status = await transaction(ctx, async (trx, after) => {
      let original = await getVisibleStatus(ctx, input.statusId, account.id, trx);
      if (original.reblog_of_id)
        original = await getVisibleStatus(ctx, original.reblog_of_id, account.id, trx);
      if (original.visibility === "private" || original.visibility === "direct")
        throw new ForbiddenError("This status cannot be reblogged");
      const held = await trx
        .selectFrom("statuses")
        .selectAll()
        .where("account_id", "=", account.id)
        .where("reblog_of_id", "=", original.id)
        .executeTakeFirst();
      if (held) return { status: held, created: false };
      const now = ctx.now().toISOString();
      const reblog = await persistStatus(ctx, trx, {
        id: ctx.ids(),
        uri: input.uri,
        url: input.uri,
        accountId: account.id,
        local: false,
        reblogOfId: original.id,
        visibility: input.visibility === "unlisted" ? "unlisted" : "public",
        sensitive: !!original.sensitive,
        createdAt: input.published && input.published < now ? input.published : now,
      });
      await distributeStatus(ctx, trx, after, reblog);
      return { status: reblog, created: true };
    });
    return status;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // the same Announce twice at once (unique uri), or two Announces of one status (one reblog each)
    const winner =
      (await findStatusByUri(ctx.db, input.uri)) ??
      (await ctx.db
        .selectFrom("statuses")
        .selectAll()
        .where("account_id", "=", account.id)
        .where("reblog_of_id", "is not", null)
        .where("reblog_of_id", "in", (eb) =>
          eb
            .selectFrom("statuses")
            .select((e) => e.fn.coalesce("reblog_of_id", "id").as("o"))
            .where("id", "=", input.statusId),
        )
        .executeTakeFirst());
    if (!winner) throw err;
    return { status: winner, created: false };
  }
}

/** Undo of an Announce: the booster's reblog row goes (false when we do not hold it). */
export async function undoRemoteReblog(ctx: AppContext, uri: string, accountId: string): Promise<boolean> {
  return transaction(ctx, async (trx, after) => {
    const reblog = await findStatusByUri(trx, uri);
    if (!reblog) return false;
    if (reblog.account_id !== accountId || !reblog.reblog_of_id || reblog.local)
      throw new ForbiddenError("Only the booster can undo this reblog");
    await deleteStatusIn(ctx, trx, after, reblog);
    return true;
  });
}

export interface RemoteFavourite {
  /** the Like activity's id */
  uri: string;
  accountId: string;
  statusId: string;
}

/**
 * A remote Like: a favourite of a status the liker may see (a reblog's original), counted, and
 * notified to a local author. Returns the status with its counter; a second Like changes nothing.
 */
export async function ingestRemoteFavourite(ctx: AppContext, input: RemoteFavourite): Promise<Status> {
  const account = await remoteAccount(ctx, input.accountId);
  return favouriteStatus(ctx, account, input.statusId, { uri: input.uri });
}

/**
 * Undo of a Like, by the Like's uri when the Undo names it, else by (account, status); the
 * notification goes with it, as Mastodon withdraws it. Returns whether a favourite was removed.
 */
export async function undoRemoteFavourite(
  ctx: AppContext,
  input: { uri?: string | null; accountId: string; statusId?: string | null },
): Promise<boolean> {
  return transaction(ctx, async (trx) => {
    let q = trx.selectFrom("favourites").selectAll().where("account_id", "=", input.accountId);
    if (input.uri) q = q.where("uri", "=", input.uri);
    else if (input.statusId) q = q.where("status_id", "=", input.statusId);
    else return false;
    const fav = await q.executeTakeFirst();
    if (!fav) return false;
    await trx.deleteFrom("favourites").where("id", "=", fav.id).execute();
    await trx
      .updateTable("statuses")
      .set((eb) => ({ favourites_count: eb("favourites_count", "-", 1) }))
      .where("id", "=", fav.status_id)
      .where("favourites_count", ">", 0)
      .execute();
    await trx
      .deleteFrom("notifications")
      .where("from_account_id", "=", input.accountId)
      .where("type", "=", "favourite")
      .where("status_id", "=", fav.status_id)
      .execute();
    return true;
  });
}
