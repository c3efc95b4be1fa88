import type { Db } from "../../store/db.ts";
import { muteActive } from "../../store/predicates.ts";
import type { Status } from "../../store/schema.ts";
import { parseLanguages } from "../follows/graph.ts";

/**
 * Who may get a status in their home timeline or lists: the rules of Mastodon's FeedManager
 * (filter_from_home / filter_from_list), evaluated in bulk with a fixed number of queries.
 */

export type StatusLike = Pick<
  Status,
  "id" | "account_id" | "visibility" | "reblog_of_id" | "in_reply_to_account_id" | "language" | "local"
>;

const CHUNK = 500;

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Receivers in `candidates` that block, are blocked by, or mute any of `authors`. */
export async function hiddenReceivers(
  db: Db,
  candidates: string[],
  authors: string[],
  nowIso: string,
): Promise<Set<string>> {
  const hidden = new Set<string>();
  for (const part of chunks(candidates)) {
    const [b1, b2, m] = await Promise.all([
      db
        .selectFrom("blocks")
        .select("account_id as id")
        .where("account_id", "in", part)
        .where("target_account_id", "in", authors)
        .execute(),
      db
        .selectFrom("blocks")
        .select("target_account_id as id")
        .where("target_account_id", "in", part)
        .where("account_id", "in", authors)
        .execute(),
      db
        .selectFrom("mutes")
        .select("account_id as id")
        .where("account_id", "in", part)
        .where("target_account_id", "in", authors)
        .where(muteActive("mutes", nowIso))
        .execute(),
    ]);
    for (const r of [...b1, ...b2, ...m]) hidden.add(r.id);
  }
  return hidden;
}

/** Which of `accounts` follow `targetId`. */
export async function followersAmong(db: Db, accounts: string[], targetId: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(accounts)) {
    const rows = await db
      .selectFrom("follows")
      .select("account_id")
      .where("target_account_id", "=", targetId)
      .where("account_id", "in", part)
      .execute();
    for (const r of rows) out.add(r.account_id);
  }
  return out;
}

export interface HomeAudience {
  /** local accounts whose home timeline gets the status */
  home: string[];
  /** followers (subset of home) asking for 'status' notifications */
  notify: string[];
}

/**
 * Local home timelines a status goes to: the author, followers who may see it (not for direct
 * posts), and mentioned local accounts.
 */
export async function homeAudience(
  db: Db,
  status: StatusLike,
  original: StatusLike | null,
  nowIso: string,
): Promise<HomeAudience> {
  const author = status.account_id;
  const authors = original ? [author, original.account_id] : [author];
  const followers =
    status.visibility === "direct"
      ? []
      : await db
          .selectFrom("follows as f")
          .innerJoin("accounts as a", "a.id", "f.account_id")
          .select(["f.account_id", "f.show_reblogs", "f.notify", "f.languages"])
          .where("f.target_account_id", "=", author)
          .where("a.domain", "=", "")
          .execute();
  const mentioned = original
    ? []
    : (
        await db
          .selectFrom("mentions as m")
          .innerJoin("accounts as a", "a.id", "m.account_id")
          .select("m.account_id")
          .where("m.status_id", "=", status.id)
          .where("a.domain", "=", "")
          .execute()
      ).map((r) => r.account_id);
  const authorRow = await db
    .selectFrom("accounts")
    .select("domain")
    .where("id", "=", author)
    .executeTakeFirst();

  const candidates = [...new Set([...followers.map((f) => f.account_id), ...mentioned])].filter(
    (id) => id !== author,
  );
  const hidden = candidates.length
    ? await hiddenReceivers(db, candidates, authors, nowIso)
    : new Set<string>();

  // a reply to someone else reaches followers who follow that someone too (or are that someone)
  const replyTo = status.in_reply_to_account_id;
  const isReplyToOther = !original && !!replyTo && replyTo !== author;
  const followReplied =
    isReplyToOther && followers.length
      ? await followersAmong(
          db,
          followers.map((f) => f.account_id),
          replyTo as string,
        )
      : new Set<string>();

  // a reblog is skipped where the original (or another reblog of it) is already in the feed
  const alreadyHave = new Set<string>();
  if (original && followers.length) {
    for (const part of chunks(followers.map((f) => f.account_id))) {
      const rows = await db
        .selectFrom("home_feed")
        .select("account_id")
        .where("account_id", "in", part)
        .where((eb) => eb.or([eb("status_id", "=", original.id), eb("reblog_of_id", "=", original.id)]))
        .where("status_id", "!=", status.id)
        .execute();
      for (const r of rows) alreadyHave.add(r.account_id);
    }
  }

  // exclusive lists keep their members' posts out of home
  const exclusive = new Set<string>();
  if (followers.length) {
    for (const part of chunks(followers.map((f) => f.account_id))) {
      const rows = await db
        .selectFrom("lists as l")
        .innerJoin("list_accounts as la", "la.list_id", "l.id")
        .select("l.account_id")
        .where("l.exclusive", "=", 1)
        .where("la.account_id", "=", author)
        .where("l.account_id", "in", part)
        .execute();
      for (const r of rows) exclusive.add(r.account_id);
    }
  }

  const home = new Set<string>();
  const notify: string[] = [];
  if (authorRow?.domain === "") home.add(author);
  for (const f of followers) {
    const id = f.account_id;
    if (id === author || hidden.has(id)) continue;
    if (original) {
      if (!f.show_reblogs || alreadyHave.has(id) || original.account_id === id) continue;
    } else {
      const langs = parseLanguages(f.languages);
      if (status.language && langs && !langs.includes(status.language)) continue;
      if (isReplyToOther && id !== replyTo && !followReplied.has(id)) continue;
      if (f.notify && !isReplyToOther) notify.push(id);
    }
    if (!exclusive.has(id)) home.add(id);
  }
  for (const id of mentioned) if (id !== author && !hidden.has(id)) home.add(id);
  return { home: [...home], notify };
}

/**
 * Lists (of local owners) whose timeline shows the status: the author is a member, the owner may
 * see it, and the list's replies policy allows it.
 */
export async function listAudience(
  db: Db,
  status: StatusLike,
  original: StatusLike | null,
  nowIso: string,
): Promise<string[]> {
  const author = status.account_id;
  const lists = await db
    .selectFrom("list_accounts as la")
    .innerJoin("lists as l", "l.id", "la.list_id")
    .innerJoin("follows as f", (j) =>
      j.onRef("f.account_id", "=", "l.account_id").onRef("f.target_account_id", "=", "la.account_id"),
    )
    .select(["l.id", "l.account_id as owner", "l.replies_policy", "f.show_reblogs"])
    .where("la.account_id", "=", author)
    .execute();
  if (lists.length === 0) return [];
  const owners = [...new Set(lists.map((l) => l.owner))];
  const authors = original ? [author, original.account_id] : [author];
  const hidden = await hiddenReceivers(db, owners, authors, nowIso);
  let mentionedOwners = new Set<string>();
  if (status.visibility === "direct") {
    const rows = await db
      .selectFrom("mentions")
      .select("account_id")
      .where("status_id", "=", status.id)
      .where("account_id", "in", owners)
      .execute();
    mentionedOwners = new Set(rows.map((r) => r.account_id));
  }
  const replyTo = status.in_reply_to_account_id;
  const isReplyToOther = !original && !!replyTo && replyTo !== author;
  let ownerFollowsReplied = new Set<string>();
  let replyToMemberOf = new Set<string>();
  if (isReplyToOther) {
    ownerFollowsReplied = await followersAmong(db, owners, replyTo as string);
    const rows = await db
      .selectFrom("list_accounts")
      .select("list_id")
      .where("account_id", "=", replyTo as string)
      .where(
        "list_id",
        "in",
        lists.map((l) => l.id),
      )
      .execute();
    replyToMemberOf = new Set(rows.map((r) => r.list_id));
  }
  return lists
    .filter((l) => {
      if (hidden.has(l.owner)) return false;
      if (status.visibility === "direct" && !mentionedOwners.has(l.owner)) return false;
      if (original && !l.show_reblogs) return false;
      if (isReplyToOther && replyTo !== l.owner) {
        if (l.replies_policy === "none") return false;
        if (l.replies_policy === "list" && !replyToMemberOf.has(l.id)) return false;
        if (l.replies_policy === "followed" && !ownerFollowsReplied.has(l.owner)) return false;
      }
      return true;
    })
    .map((l) => l.id);
}
