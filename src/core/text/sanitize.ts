/**
 * Remote HTML (a Note's content, an actor's summary, profile field values) → the small subset
 * Torgai stores and serves: paragraphs, line breaks, links, the microformat spans Mastodon marks
 * mentions and hashtags with, emphasis, code, quotes and lists. Everything else is dropped with
 * its content (script, style, forms, embedded documents) or unwrapped (any other element keeps its
 * text). Links keep only absolute http(s) targets and always open in a new tab without referrer
 * or opener and with `nofollow`. The output is a fixed point: sanitising it again returns it
 * unchanged, so stored HTML can be re-sanitised (after a rule change) without drift.
 *
 * sanitize-html is loaded on first use: a server that never receives remote HTML never pays for it.
 */
import { createRequire } from "node:module";
import type SanitizeHtml from "sanitize-html";

const require = createRequire(import.meta.url);
let sanitizeHtml: typeof SanitizeHtml | undefined;

function lib(): typeof SanitizeHtml {
  sanitizeHtml ??= require("sanitize-html") as typeof SanitizeHtml;
  return sanitizeHtml;
}

/** The classes a remote post may carry: Mastodon's microformats for mentions, tags and long links. */
export const ALLOWED_CLASSES = ["h-card", "u-url", "mention", "hashtag", "invisible", "ellipsis"] as const;

const ALLOWED_TAGS = [
  "p",
  "br",
  "a",
  "span",
  "strong",
  "b",
  "em",
  "i",
  "u",
  "s",
  "del",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
];

/** Elements whose text is never shown (dropped with everything inside them, not unwrapped). */
const DROPPED_WITH_CONTENT = [
  "script",
  "style",
  "textarea",
  "option",
  "select",
  "noscript",
  "template",
  "title",
  "head",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "svg",
  "math",
  "audio",
  "video",
  "canvas",
  "button",
  "xmp",
  "noembed",
  "noframes",
  "plaintext",
];

export const LINK_REL = "nofollow noopener noreferrer";

/** An absolute http(s) URL in its normalised form, or null for anything else (javascript:, data:, relative…). */
export function safeHttpUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null; // https://bank.example@evil.example/ misleads readers
  return url.href;
}

let options: SanitizeHtml.IOptions | undefined;

function sanitizeOptions(): SanitizeHtml.IOptions {
  options ??= {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: { a: ["href", "rel", "target", "class"], span: ["class"] },
    allowedClasses: { a: [...ALLOWED_CLASSES], span: [...ALLOWED_CLASSES] },
    allowedSchemes: ["http", "https"],
    allowedSchemesByTag: {},
    allowedSchemesAppliedToAttributes: ["href"],
    allowProtocolRelative: false,
    allowedStyles: {},
    allowVulnerableTags: false,
    disallowedTagsMode: "discard",
    nonTextTags: DROPPED_WITH_CONTENT,
    enforceHtmlBoundary: false,
    parseStyleAttributes: false,
    selfClosing: ["br"],
    transformTags: {
      // a link that cannot be followed safely keeps its text only
      a: (_tag, attribs) => {
        const href = safeHttpUrl(attribs.href ?? "");
        if (!href) return { tagName: "span", attribs: {} };
        const out: Record<string, string> = { href, rel: LINK_REL, target: "_blank" };
        if (attribs.class) out.class = attribs.class;
        return { tagName: "a", attribs: out };
      },
    },
  };
  return options;
}

/** Remote HTML → the allowed subset (see the module comment). Idempotent. */
export function sanitizeRemoteHtml(html: string): string {
  // the empty class attribute sanitize-html leaves after filtering classes is noise: drop it
  return lib()(html, sanitizeOptions()).replace(/ class=""/g, "");
}

const BLOCK_END = /<\/(p|blockquote|pre|li|ul|ol)>/g;

/**
 * The text a reader sees, for search, content warnings, notifications and previews: line breaks
 * and paragraph ends become newlines, tags go, entities are decoded. Accepts any HTML (it is
 * sanitised first, so what hidden or dropped elements held never reaches the text).
 */
export function htmlToPlainText(html: string): string {
  return sanitizeRemoteHtml(html)
    .replace(/<br \/>/g, "\n")
    .replace(BLOCK_END, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(lt|gt|quot|#39|amp);/g, (_m, e: string) =>
      e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : e === "#39" ? "'" : "&",
    )
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
