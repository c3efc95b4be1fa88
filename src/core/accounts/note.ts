import * as linkify from "linkifyjs";
import { escapeHtml } from "../text/escape.ts";

/** Escapes text and turns http(s) URLs into links, the way Mastodon shows them. */
export function linkifyText(text: string): string {
  let out = "";
  let pos = 0;
  for (const m of linkify.find(text, "url")) {
    if (!/^https?:\/\//i.test(m.value)) continue;
    out += escapeHtml(text.slice(pos, m.start));
    const href = escapeHtml(m.href);
    const shown = m.value.replace(/^https?:\/\/(www\.)?/i, "");
    const display = shown.length > 30 ? `${shown.slice(0, 30)}…` : shown;
    out += `<a href="${href}" target="_blank" rel="nofollow noopener noreferrer" translate="no">${escapeHtml(display)}</a>`;
    pos = m.end;
  }
  return out + escapeHtml(text.slice(pos));
}

/**
 * Renders a profile bio: escaped, URLs linked, blank lines → paragraphs, single newlines → <br />.
 * Returns "" for an empty bio (Mastodon sends an empty note, not "<p></p>").
 */
export function renderNote(source: string): string {
  const text = source.replace(/\r\n?/g, "\n").trim();
  if (!text) return "";
  return text
    .split(/\n{2,}/)
    .map((para) => `<p>${para.split("\n").map(linkifyText).join("<br />")}</p>`)
    .join("");
}
