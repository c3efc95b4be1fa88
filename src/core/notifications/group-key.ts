import type { Db } from "../../store/db.ts";

/** Types Mastodon 4.3 groups (`admin.sign_up` too, which we do not raise). */
export const GROUPABLE_TYPES: readonly string[] = ["favourite", "reblog", "follow"];

/** A group never spans more than this many hours from its first notification's hour. */
export const MAX_GROUP_SPAN_HOURS = 12;

const HOUR_MS = 3_600_000;

/**
 * Mastodon's grouping key: `favourite-<status>-<hour>`, `reblog-<status>-<hour>` or `follow-<hour>`,
 * where the hour bucket of the previous group of the same kind is reused while it is younger than 12
 * hours. Mastodon keeps that bucket in Redis; we read it from the newest notification of the kind.
 * Returns null for types that never group.
 */
export async function notificationGroupKey(
  db: Db,
  recipientId: string,
  type: string,
  statusId: string | null | undefined,
  now: Date,
): Promise<string | null> {
  if (!GROUPABLE_TYPES.includes(type)) return null;
  if (type !== "follow" && !statusId) return null;
  const prefix = type === "follow" ? "follow" : `${type}-${statusId}`;
  let bucket = Math.floor(now.getTime() / HOUR_MS);
  let q = db
    .selectFrom("notifications")
    .select("group_key")
    .where("account_id", "=", recipientId)
    .where("type", "=", type)
    .where("group_key", "is not", null);
  q = statusId && type !== "follow" ? q.where("status_id", "=", statusId) : q;
  const prev = await q.orderBy("id", "desc").limit(1).executeTakeFirst();
  const prevBucket = prev?.group_key ? Number(prev.group_key.slice(prefix.length + 1)) : Number.NaN;
  if (Number.isFinite(prevBucket) && bucket >= prevBucket && bucket < prevBucket + MAX_GROUP_SPAN_HOURS)
    bucket = prevBucket;
  return `${prefix}-${bucket}`;
}
