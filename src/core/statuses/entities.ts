/** Mentions and hashtags of a post: resolving them to rows and storing them, shared by create and edit. */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { accountShownSql } from "../accounts/visible.ts";
import { attachStatusTags } from "../tags.ts";
import { extractEntities, normalizeHashtag } from "../text/extract.ts";
import { type MentionTarget, renderStatusHtml } from "../text/render.ts";

export interface ParsedText {
  html: string;
  /** mentioned accounts that exist (unknown ones stay plain text) */
  mentioned: Account[];
  /** normalised name → name as first written */
  tags: Map<string, string>;
}

function mentionKey(username: string, domain: string): string {
  return `${username.toLowerCase()}@${domain}`;
}

/** Parses a post's text: finds known mentioned accounts (one query) and hashtags, renders the HTML. */
export async function parseStatusText(ctx: AppContext, db: Db, text: string): Promise<ParsedText> {
  const entities = extractEntities(text);
  const local = ctx.config.domain;
  const wanted = new Map<string, { username: string; domain: string }>();
  const tags = new Map<string, string>();
  for (const e of entities) {
    if (e.kind === "mention") {
      const domain = e.domain === null || e.domain === local ? "" : e.domain;
      wanted.set(mentionKey(e.username, domain), { username: e.username.toLowerCase(), domain });
    } else if (e.kind === "hashtag") {
      const key = normalizeHashtag(e.hashtag);
      if (key.length <= 100 && !tags.has(key)) tags.set(key, e.hashtag);
    }
  }
  const found = new Map<string, Account>();
  if (wanted.size > 0) {
    const rows = await db
      .selectFrom("accounts")
      .selectAll()
      .where((eb) =>
        eb.or(
          [...wanted.values()].map((w) =>
            eb.and([eb(eb.fn("lower", ["username"]), "=", w.username), eb("domain", "=", w.domain)]),
          ),
        ),
      )
      // an account others may not see (awaiting approval…) is not linked nor notified
      .where(accountShownSql())
      .execute();
    for (const a of rows) found.set(mentionKey(a.username, a.domain), a);
  }
  const html = renderStatusHtml(text, {
    baseUrl: ctx.config.baseUrl,
    resolveMention: (username, domain): MentionTarget | undefined => {
      const a = found.get(mentionKey(username, domain === null || domain === local ? "" : domain));
      return a ? { username: a.username, url: a.url } : undefined;
    },
  });
  return { html, mentioned: [...found.values()], tags };
}

/**
 * Stores mentions and hashtags of a status (tags upserted; a public or unlisted status makes its
 * tags public, see tags.ts); replaces what was there (edits).
 */
export async function storeStatusEntities(
  ctx: AppContext,
  trx: Db,
  status: Pick<Status, "id" | "visibility">,
  parsed: ParsedText,
  opts: { replace?: boolean } = {},
): Promise<void> {
  const statusId = status.id;
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
  await attachStatusTags(ctx, trx, statusId, parsed.tags, status.visibility);
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
