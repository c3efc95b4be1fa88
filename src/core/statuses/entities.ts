/** Mentions and hashtags of a post: resolving them to accounts and tags (compose), reading tag names. */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account } from "../../store/schema.ts";
import { accountShownSql } from "../accounts/visible.ts";
import { normalizeHashtag, type TokenizedText } from "../text/extract.ts";
import { type MentionTarget, renderStatusHtml } from "../text/render.ts";

export interface ParsedText {
  html: string;
  /** mentioned accounts that exist (unknown ones stay plain text) */
  mentioned: Account[];
  /** normalised name → name as first written */
  tags: Map<string, string>;
}

export interface MentionKey {
  /** lower case */
  username: string;
  /** "" for this server */
  domain: string;
}

function mentionKey(username: string, domain: string): string {
  return `${username.toLowerCase()}@${domain}`;
}

/** The distinct accounts a post names, known or not (what the mention limit counts). */
export function mentionKeys(ctx: AppContext, t: TokenizedText): Map<string, MentionKey> {
  const wanted = new Map<string, MentionKey>();
  for (const e of t.entities) {
    if (e.kind !== "mention") continue;
    const domain = e.domain === null || e.domain === ctx.config.domain ? "" : e.domain;
    wanted.set(mentionKey(e.username, domain), { username: e.username.toLowerCase(), domain });
  }
  return wanted;
}

// names per query: far below both stores' parameter limits (SQLite 32,766, PostgreSQL 65,535)
const NAMES_PER_QUERY = 5000;

/**
 * The named accounts that exist and are not suspended. One query (per 5,000 names) of two `IN`
 * lists, which both stores answer from the (lower(username), domain) index; the exact pairs are
 * then picked here, since the lists also match names on the wrong domain.
 */
async function findMentioned(db: Db, wanted: Map<string, MentionKey>): Promise<Map<string, Account>> {
  const names = [...new Set([...wanted.values()].map((w) => w.username))];
  const domains = [...new Set([...wanted.values()].map((w) => w.domain))];
  const found = new Map<string, Account>();
  for (let i = 0; i < names.length; i += NAMES_PER_QUERY) {
    const rows = await db
      .selectFrom("accounts")
      .selectAll()
      .where((eb) => eb(eb.fn("lower", ["username"]), "in", names.slice(i, i + NAMES_PER_QUERY)))
      .where("domain", "in", domains)
      // an account others may not see (awaiting approval…) is not linked nor notified
      .where(accountShownSql())
      .execute();
    for (const a of rows) {
      const key = mentionKey(a.username, a.domain);
      if (wanted.has(key)) found.set(key, a);
    }
  }
  return found;
}

/**
 * Resolves a tokenised post: finds the known mentioned accounts and the hashtags, renders the HTML,
 * all from the one entity list (the text is not scanned again).
 */
export async function parseStatusText(ctx: AppContext, db: Db, t: TokenizedText): Promise<ParsedText> {
  const local = ctx.config.domain;
  const tags = new Map<string, string>();
  for (const e of t.entities) {
    if (e.kind !== "hashtag") continue;
    const key = normalizeHashtag(e.hashtag);
    if (key.length <= 100 && !tags.has(key)) tags.set(key, e.hashtag);
  }
  const wanted = mentionKeys(ctx, t);
  const found = wanted.size > 0 ? await findMentioned(db, wanted) : new Map<string, Account>();
  const html = renderStatusHtml(t, {
    baseUrl: ctx.config.baseUrl,
    resolveMention: (username, domain): MentionTarget | undefined => {
      const a = found.get(mentionKey(username, domain === null || domain === local ? "" : domain));
      return a ? { username: a.username, url: a.url } : undefined;
    },
  });
  return { html, mentioned: [...found.values()], tags };
}

/** Normalised tag names of a status (for hashtag stream channels). */
export async function statusTagNames(db: Db, statusId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("status_tags")
    .innerJoin("tags", "tags.id", "status_tags.tag_id")
    .select("tags.name")
    .where("status_tags.status_id", "=", statusId)
    .execute();
  return rows.map((r) => r.name);
}
