/**
 * Relationship rules as SQL, each spelled once: every query that hides muted or blocked accounts
 * uses these, so the rule cannot drift between timelines, notifications, streams and relationships.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "./db.ts";

/**
 * A mute row (table or alias `mutes`) is in force: it has no expiry or has not reached it. `now` is
 * an ISO timestamp, or a prepared() placeholder.
 */
export function muteActive(mutes: string, now: unknown): RawBuilder<SqlBool> {
  const expires = sql.ref(`${mutes}.expires_at`);
  return sql<SqlBool>`(${expires} is null or ${expires} > ${now})`;
}

/** Whether `accountId` blocks `viewerId` (its lists are then shown to the viewer empty). */
export async function blocksViewer(db: Db, accountId: string, viewerId: string | null): Promise<boolean> {
  if (!viewerId || viewerId === accountId) return false;
  const row = await db
    .selectFrom("blocks")
    .select("id")
    .where("account_id", "=", accountId)
    .where("target_account_id", "=", viewerId)
    .executeTakeFirst();
  return !!row;
}

/** Whether either of two accounts blocks the other. */
export async function isBlockedEitherWay(db: Db, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom("blocks")
    .select("id")
    .where((eb) =>
      eb.or([
        eb.and([eb("account_id", "=", a), eb("target_account_id", "=", b)]),
        eb.and([eb("account_id", "=", b), eb("target_account_id", "=", a)]),
      ]),
    )
    .executeTakeFirst();
  return !!row;
}
