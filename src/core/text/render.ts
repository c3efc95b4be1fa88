/**
 * Plain text → the HTML Mastodon stores for a local post: paragraphs split by blank lines, `<br />`
 * for single line breaks, links/mentions/hashtags as Mastodon marks them up, everything else escaped.
 */
import { type Entity, extractEntities, normalizeHashtag } from "./extract.ts";

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

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

function renderInline(text: string, entities: Entity[], opts: RenderOptions): string {
  let out = "";
  let pos = 0;
  for (const e of entities) {
    out += escapeHtml(text.slice(pos, e.start)).replace(/\n/g, "<br />");
    out += entityHtml(text, e, opts);
    pos = e.end;
  }
  return out + escapeHtml(text.slice(pos)).replace(/\n/g, "<br />");
}

export function renderStatusHtml(text: string, opts: RenderOptions): string {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (normalized === "") return "";
  const paragraphs = normalized.split(/\n{2,}/);
  return paragraphs.map((p) => `<p>${renderInline(p, extractEntities(p), opts)}</p>`).join("");
}
