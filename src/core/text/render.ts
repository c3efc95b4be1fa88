/**
 * Plain text → the HTML Mastodon stores for a local post: paragraphs split by blank lines, `<br />`
 * for single line breaks, links/mentions/hashtags as Mastodon marks them up, everything else escaped.
 */

import { escapeHtml } from "./escape.ts";
import { type Entity, normalizeHashtag, type TokenizedText, tokenize } from "./extract.ts";

export interface MentionTarget {
  username: string;
  url: string;
}

export interface RenderOptions {
  baseUrl: string;
  /** resolves a mention to a known account; unknown mentions stay plain text */
  resolveMention: (username: string, domain: string | null) => MentionTarget | undefined;
}

/** Mastodon's link display: scheme (and www.) hidden, the rest cut after 30 characters. */
export function linkHtml(url: string): string {
  const prefix = /^(https?:\/\/(www\.)?)/i.exec(url)?.[0] ?? "";
  const rest = url.slice(prefix.length);
  const display = rest.slice(0, 30);
  const suffix = rest.slice(30);
  const cut = rest.length > 30;
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${cut ? "ellipsis" : ""}">${escapeHtml(display)}</span>` +
    `<span class="invisible">${escapeHtml(suffix)}</span></a>`
  );
}

export function hashtagUrl(baseUrl: string, tag: string): string {
  return `${baseUrl}/tags/${encodeURIComponent(normalizeHashtag(tag))}`;
}

function entityHtml(text: string, e: Entity, opts: RenderOptions): string {
  const raw = text.slice(e.start, e.end);
  if (e.kind === "url") return linkHtml(e.url);
  if (e.kind === "hashtag") {
    return `<a href="${escapeHtml(hashtagUrl(opts.baseUrl, e.hashtag))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(e.hashtag)}</span></a>`;
  }
  const target = opts.resolveMention(e.username, e.domain);
  if (!target) return escapeHtml(raw);
  return `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`;
}

/** Plain text between entities: escaped, blank lines end a paragraph, a line break is `<br />`. */
function plainHtml(s: string): string {
  return escapeHtml(s)
    .replace(/\n{2,}/g, "</p><p>")
    .replace(/\n/g, "<br />");
}

/**
 * Renders from the post's one tokenisation: entities never hold whitespace, so paragraph breaks and
 * the trimmed ends always fall in the plain text between them.
 */
export function renderStatusHtml(text: string | TokenizedText, opts: RenderOptions): string {
  const t = typeof text === "string" ? tokenize(text) : text;
  const start = t.text.length - t.text.trimStart().length;
  const end = t.text.trimEnd().length;
  if (end <= start) return "";
  let out = "<p>";
  let pos = start;
  for (const e of t.entities) {
    if (e.start < start || e.end > end) continue;
    out += plainHtml(t.text.slice(pos, e.start));
    out += entityHtml(t.text, e, opts);
    pos = e.end;
  }
  return `${out}${plainHtml(t.text.slice(pos, end))}</p>`;
}
