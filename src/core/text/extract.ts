/**
 * Finds the entities of a plain-text post: links (with a scheme, as Mastodon links them), mentions
 * (`@user`, `@user@domain`) and hashtags (any Unicode letters, so Kazakh Cyrillic and Latin work).
 * Offsets are UTF-16 indices into the text; overlapping matches keep the earliest one.
 *
 * Finding links is the costly step (linkify walks every code point), so a post is tokenised once
 * (`tokenize`) and that one entity list feeds counting, mentions, tags and rendering.
 */
import * as linkify from "linkifyjs";
import { graphemeCount } from "./count.ts";

export interface UrlEntity {
  kind: "url";
  start: number;
  end: number;
  url: string;
}
export interface MentionEntity {
  kind: "mention";
  start: number;
  end: number;
  username: string;
  /** lower-cased domain, or null when written without one */
  domain: string | null;
}
export interface HashtagEntity {
  kind: "hashtag";
  start: number;
  end: number;
  /** as written (without '#') */
  hashtag: string;
}
export type Entity = UrlEntity | MentionEntity | HashtagEntity;

// Mastodon: a mention is not preceded by a word character or '/', username [a-z0-9_] with inner . and -
const MENTION_RE =
  /(?<=^|[^/\p{L}\p{N}\p{M}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@((?:[\p{L}\p{N}\p{M}_-]+\.)+[\p{L}\p{N}\p{M}_-]+(?::\d+)?))?/giu;
// a hashtag contains at least one letter (or _) so "#1" is not a tag; '·' is allowed inside as Mastodon does
const HASHTAG_RE = /(?<=^|[^/)\p{L}\p{N}\p{M}_&])#([\p{L}\p{N}\p{M}_·]*[\p{L}\p{M}_][\p{L}\p{N}\p{M}_·]*)/gu;

export function extractUrls(text: string): UrlEntity[] {
  return linkify
    .find(text, "url")
    .filter((e) => /^https?:\/\//i.test(e.value))
    .map((e) => ({ kind: "url" as const, start: e.start, end: e.end, url: e.value }));
}

let tokenizations = 0;

/** How many texts this process has tokenised (tests pin "once per post"). */
export function tokenizationCount(): number {
  return tokenizations;
}

export function extractEntities(text: string): Entity[] {
  tokenizations++;
  const found: Entity[] = [...extractUrls(text)];
  for (const m of text.matchAll(MENTION_RE)) {
    let end = m.index + m[0].length;
    let domain = m[2] ?? null;
    // a trailing dot belongs to the sentence, not to the domain
    if (domain?.endsWith(".")) {
      domain = domain.slice(0, -1);
      end -= 1;
    }
    found.push({
      kind: "mention",
      start: m.index,
      end,
      username: m[1],
      domain: domain ? domain.toLowerCase() : null,
    });
  }
  for (const m of text.matchAll(HASHTAG_RE)) {
    const tag = m[1].replace(/·+$/u, "");
    found.push({ kind: "hashtag", start: m.index, end: m.index + 1 + tag.length, hashtag: tag });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Entity[] = [];
  let lastEnd = -1;
  for (const e of found) {
    if (e.start < lastEnd) continue;
    kept.push(e);
    lastEnd = e.end;
  }
  return kept;
}

/** Hashtag key used for storage and lookup: NFKC and lower case (Unicode-aware, Cyrillic included). */
export function normalizeHashtag(tag: string): string {
  return tag.normalize("NFKC").toLowerCase();
}

/** A post's text (line endings normalised) with its entities, found once. */
export interface TokenizedText {
  text: string;
  entities: Entity[];
}

export function tokenize(text: string): TokenizedText {
  const normalized = text.replace(/\r\n?/g, "\n");
  return { text: normalized, entities: extractEntities(normalized) };
}

/**
 * Length as Mastodon counts it: every URL counts 23 characters, a remote mention counts only its
 * `@user` part, everything else counts grapheme clusters.
 */
export function countableLength(text: string | TokenizedText): number {
  const { text: t, entities } = typeof text === "string" ? { text, entities: extractEntities(text) } : text;
  let n = 0;
  let pos = 0;
  for (const e of entities) {
    if (e.kind === "hashtag") continue;
    n += graphemeCount(t.slice(pos, e.start));
    n += e.kind === "url" ? 23 : 1 + graphemeCount(e.username);
    pos = e.end;
  }
  return n + graphemeCount(t.slice(pos));
}
