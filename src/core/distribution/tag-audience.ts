import type { Db } from "../../store/db.ts";
import { chunks, hiddenReceivers, type StatusLike } from "./audience.ts";

/**
 * Local accounts that follow one of the status's hashtags and get it in their home timeline, as
 * Mastodon 4 delivers them (FeedManager#filter_from_tags): public originals only, never to the author,
 * nor to anyone who blocks or mutes the author or a mentioned account, is blocked by the author, or
 * hides the author's domain.
 */
export async function tagFollowerAudience(db: Db, status: StatusLike, nowIso: string): Promise<string[]> {
  if (status.visibility !== "public" || status.reblog_of_id) return [];
  const followers = await db
    .selectFrom("status_tags as st")
    .innerJoin("tag_follows as tf", "tf.tag_id", "st.tag_id")
    .innerJoin("accounts as a", "a.id", "tf.account_id")
    .select("tf.account_id")
    .distinct()
    .where("st.status_id", "=", status.id)
    .where("a.domain", "=", "")
    .where("tf.account_id", "!=", status.account_id)
    .execute();
  if (followers.length === 0) return [];
  const candidates = followers.map((f) => f.account_id);
  const mentioned = await db
    .selectFrom("mentions")
    .select("account_id")
    .where("status_id", "=", status.id)
    .execute();
  const hidden = await hiddenReceivers(
    db,
    candidates,
    [status.account_id, ...mentioned.map((m) => m.account_id)],
    nowIso,
  );
  const author = await db
    .selectFrom("accounts")
    .select("domain")
    .where("id", "=", status.account_id)
    .executeTakeFirst();
  if (author?.domain) {
    for (const part of chunks(candidates)) {
      const rows = await db
        .selectFrom("account_domain_blocks")
        .select("account_id")
        .where("domain", "=", author.domain)
        .where("account_id", "in", part)
        .execute();
      for (const r of rows) hidden.add(r.account_id);
    }
  }
  return candidates.filter((id) => !hidden.has(id));
}
