/**
 * The read model's status queries (core/statuses/hydrate.ts runs them): each takes a list of ids and
 * is compiled once per list length (prepared()), so a page of statuses costs the same few queries
 * whatever its size.
 */
import { sql } from "kysely";
import type { Db } from "../db.ts";
import { prepared } from "../prepared.ts";
import type { Poll, Status } from "../schema.ts";

/**
 * The status columns a renderer reads: list queries select these rather than `*`, which would also
 * copy each status's source text (`text`, as long as the HTML) into JavaScript.
 */
export const STATUS_VIEW_COLUMNS = [
  "id",
  "uri",
  "url",
  "account_id",
  "in_reply_to_id",
  "in_reply_to_account_id",
  "reblog_of_id",
  "conversation_id",
  "content",
  "spoiler_text",
  "sensitive",
  "visibility",
  "language",
  "application_id",
  "poll_id",
  "replies_count",
  "reblogs_count",
  "favourites_count",
  "created_at",
  "edited_at",
] as const satisfies readonly (keyof Status)[];

export type StatusView = Pick<Status, (typeof STATUS_VIEW_COLUMNS)[number]>;

/**
 * The columns that can change without an edit (counters) or that hydration needs around a status's
 * body: a page read with only these skips the content where the renderer already holds the rendered
 * body for (id, edited_at).
 */
export const STATUS_KEY_COLUMNS = [
  "id",
  "account_id",
  "reblog_of_id",
  "conversation_id",
  "visibility",
  "application_id",
  "poll_id",
  "replies_count",
  "reblogs_count",
  "favourites_count",
  "edited_at",
] as const satisfies readonly (keyof StatusView)[];

export type StatusKey = Pick<Status, (typeof STATUS_KEY_COLUMNS)[number]>;

export function statusViewsById(db: Db, ids: string[]): Promise<StatusView[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const n = ids.length;
  return prepared(
    db,
    `status-views-by-id:${n}`,
    (p) => db.selectFrom("statuses").select(STATUS_VIEW_COLUMNS).where("id", "in", p.list("ids", n)),
    { ids },
  );
}

export interface MentionRow {
  status_id: string;
  id: string;
  username: string;
  domain: string;
  url: string;
}

/** The accounts mentioned (not silently) by each status, in mention order. */
export function mentionsOf(db: Db, statusIds: string[]): Promise<MentionRow[]> {
  if (statusIds.length === 0) return Promise.resolve([]);
  const n = statusIds.length;
  return prepared(
    db,
    `status-mentions:${n}`,
    (p) =>
      db
        .selectFrom("mentions")
        .innerJoin("accounts", "accounts.id", "mentions.account_id")
        .select(["mentions.status_id", "accounts.id", "accounts.username", "accounts.domain", "accounts.url"])
        .where("mentions.status_id", "in", p.list("ids", n))
        .where("mentions.silent", "=", 0)
        .orderBy("mentions.id"),
    { ids: statusIds },
  );
}

/** The hashtags of each status, by name. */
export function tagsOf(db: Db, statusIds: string[]): Promise<{ status_id: string; name: string }[]> {
  if (statusIds.length === 0) return Promise.resolve([]);
  const n = statusIds.length;
  return prepared(
    db,
    `status-tags:${n}`,
    (p) =>
      db
        .selectFrom("status_tags")
        .innerJoin("tags", "tags.id", "status_tags.tag_id")
        .select(["status_tags.status_id", "tags.name"])
        .where("status_tags.status_id", "in", p.list("ids", n))
        .orderBy("tags.name"),
    { ids: statusIds },
  );
}

/** f favourited, r reblogged, b bookmarked, p pinned (of `ownIds`), m muted conversation (of `conversationIds`) */
export type ViewerFlagKind = "f" | "r" | "b" | "p" | "m";

/** The viewer's favourites, reblogs, bookmarks, pins and conversation mutes among the ids, in one query. */
export function viewerFlags(
  db: Db,
  viewerId: string,
  ids: string[],
  ownIds: string[],
  conversationIds: string[],
): Promise<{ kind: ViewerFlagKind; id: string }[]> {
  const n = ids.length;
  const o = ownIds.length;
  const c = conversationIds.length;
  if (n === 0) return Promise.resolve([]);
  return prepared(
    db,
    `viewer-flags:${n}:${o}:${c}`,
    (p) => {
      const viewer = p.value("viewer");
      const list = p.list("ids", n);
      let q = db
        .selectFrom("favourites")
        .select([sql<ViewerFlagKind>`'f'`.as("kind"), "status_id as id"])
        .where("account_id", "=", viewer)
        .where("status_id", "in", list)
        .unionAll(
          db
            .selectFrom("statuses")
            .select([sql<ViewerFlagKind>`'r'`.as("kind"), sql<string>`reblog_of_id`.as("id")])
            .where("account_id", "=", viewer)
            .where("reblog_of_id", "in", list),
        )
        .unionAll(
          db
            .selectFrom("bookmarks")
            .select([sql<ViewerFlagKind>`'b'`.as("kind"), "status_id as id"])
            .where("account_id", "=", viewer)
            .where("status_id", "in", list),
        );
      if (o > 0)
        q = q.unionAll(
          db
            .selectFrom("status_pins")
            .select([sql<ViewerFlagKind>`'p'`.as("kind"), "status_id as id"])
            .where("account_id", "=", viewer)
            .where("status_id", "in", p.list("own", o)),
        );
      if (c > 0)
        q = q.unionAll(
          db
            .selectFrom("conversation_mutes")
            .select([sql<ViewerFlagKind>`'m'`.as("kind"), "conversation_id as id"])
            .where("account_id", "=", viewer)
            .where("conversation_id", "in", p.list("conversations", c)),
        );
      return q;
    },
    { viewer: viewerId, ids, own: ownIds, conversations: conversationIds },
  );
}

// Polls and applications are rare on a page (none on most), so these are built per call rather
// than kept as prepared statements per list length.
export function pollsById(db: Db, ids: string[]): Promise<Poll[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom("polls").selectAll().where("id", "in", ids).execute();
}

export interface PollVoteRow {
  poll_id: string;
  choice: number;
  /** votes for the choice, or 1 on a row of the viewer's own choices */
  n: number;
  /** 1 on a row of the viewer's own choices */
  own: number;
}

/**
 * Votes per option of each poll and, when `viewerId` is given, the viewer's own choices (rows with
 * own = 1), in one query.
 */
export function pollVotes(db: Db, pollIds: string[], viewerId: string | null): Promise<PollVoteRow[]> {
  if (pollIds.length === 0) return Promise.resolve([]);
  const counts = db
    .selectFrom("poll_votes")
    .select(["poll_id", "choice", (eb) => eb.fn.countAll<number>().as("n"), sql<number>`0`.as("own")])
    .where("poll_id", "in", pollIds)
    .groupBy(["poll_id", "choice"]);
  if (!viewerId) return counts.execute();
  return counts
    .unionAll(
      db
        .selectFrom("poll_votes")
        .select(["poll_id", "choice", sql<number>`1`.as("n"), sql<number>`1`.as("own")])
        .where("poll_id", "in", pollIds)
        .where("account_id", "=", viewerId),
    )
    .execute();
}

export function applicationsById(
  db: Db,
  ids: string[],
): Promise<{ id: string; name: string; website: string | null }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom("oauth_apps").select(["id", "name", "website"]).where("id", "in", ids).execute();
}
