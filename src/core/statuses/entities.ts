/** Mentions and hashtags of a post: resolving them to rows and storing them, shared by create and edit. */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account } from "../../store/schema.ts";
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

// one query names this many domains at most, which keeps the OR list far below SQLite's expression depth
const DOMAINS_PER_QUERY = 100;

/** The named accounts that exist and are not suspended: one `IN` query per domain group. */
async function findMentioned(db: Db, wanted: Map<string, MentionKey>): Promise<Map<string, Account>> {
  const byDomain = new Map<string, string[]>();
  for (const w of wanted.values()) {
    const names = byDomain.get(w.domain) ?? [];
    names.push(w.username);
    byDomain.set(w.domain, names);
  }
  const groups = [...byDomain];
  const found = new Map<string, Account>();
  for (let i = 0; i < groups.length; i += DOMAINS_PER_QUERY) {
    const rows = await db
      .selectFrom("accounts")
      .selectAll()
      .where((eb) =>
        eb.or(
          groups
            .slice(i, i + DOMAINS_PER_QUERY)
            .map(([domain, names]) =>
              eb.and([eb("domain", "=", domain), eb(eb.fn("lower", ["username"]), "in", names)]),
            ),
        ),
      )
      .where("suspended_at", "is", null)
      .execute();
    for (const a of rows) found.set(mentionKey(a.username, a.domain), a);
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

/** Stores mentions and hashtags of a status (tags upserted); replaces what was there (edits). */
export async function storeStatusEntities(
  ctx: AppContext,
  trx: Db,
  statusId: string,
  parsed: ParsedText,
  opts: { replace?: boolean } = {},
): Promise<void> {
  if (opts.replace) {
    await trx.deleteFrom("mentions").where("status_id", "=", statusId).execute();
    await trx.deleteFrom("status_tags").where("status_id", "=", statusId).execute();
  }
  if (parsed.mentioned.length > 0) {
    await trx
      .insertInto("mentions")
      .values(
        parsed.mentioned.map((a) => ({ id: ctx.ids(), status_id: statusId, account_id: a.id, silent: 0 })),
      )
      .execute();
  }
  if (parsed.tags.size > 0) {
    const now = ctx.now().toISOString();
    await trx
      .insertInto("tags")
      .values(
        [...parsed.tags].map(([name, display]) => ({
          id: ctx.ids(),
          name,
          display_name: display,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const rows = await trx
      .selectFrom("tags")
      .select("id")
      .where("name", "in", [...parsed.tags.keys()])
      .execute();
    await trx
      .insertInto("status_tags")
      .values(rows.map((r) => ({ status_id: statusId, tag_id: r.id })))
      .onConflict((oc) => oc.columns(["tag_id", "status_id"]).doNothing())
      .execute();
  }
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
