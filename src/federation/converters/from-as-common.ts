/**
 * What the ActivityStreams → core converters share: options, the result type, the origin rule,
 * text and URL helpers over Fedify's vocabulary values.
 */
import type { DocumentLoader } from "@fedify/fedify/runtime";
import { preloadedContexts } from "@fedify/fedify/runtime";
import { type Object as APObject, type Emoji, Image, Link } from "@fedify/fedify/vocab";
import { REMOTE_CAPS, type RemoteEmoji, type RemoteRefusal } from "../../core/remote/types.ts";
import { safeHttpUrl } from "../../core/text/sanitize.ts";

export interface FromAsOptions {
  /**
   * Where the document came from: the URL it was fetched from, or — for an object embedded in a
   * delivered activity — the origin of the activity's (verified) actor. An object whose id has
   * another origin is refused: a server speaks only for its own objects.
   */
  origin: string | URL;
  /**
   * Loads linked documents that are not embedded (a key, an icon given by URL). By default
   * nothing is fetched: only what the document embeds is read. The caller's loader must go
   * through the fetch guard.
   */
  documentLoader?: DocumentLoader;
  /** JSON-LD contexts; by default only Fedify's preloaded ones (never the network) */
  contextLoader?: DocumentLoader;
}

export type Converted<T> = { ok: true; value: T } | { ok: false; reason: RemoteRefusal; message: string };

export function refuse<T>(reason: RemoteRefusal, message: string): Converted<T> {
  return { ok: false, reason, message };
}

/** A loader that serves only the JSON-LD contexts Fedify ships with, and refuses anything else. */
export const offlineLoader: DocumentLoader = async (url: string) => {
  // GoToSocial writes "http://schema.org", which Fedify preloads as "http://schema.org/"
  const document = preloadedContexts[url] ?? preloadedContexts[`${url}/`];
  if (document === undefined) throw new Error(`not fetched (offline converter): ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};

/** The loader options every Fedify getter receives: errors suppressed, cross-origin objects ignored. */
export function getterOptions(opts: FromAsOptions) {
  return {
    documentLoader: opts.documentLoader ?? offlineLoader,
    contextLoader: opts.contextLoader ?? offlineLoader,
    suppressError: true,
    crossOrigin: "ignore" as const,
  };
}

export function originOf(u: string | URL): string | null {
  try {
    return (typeof u === "string" ? new URL(u) : u).origin;
  } catch {
    return null;
  }
}

/** Whether `id` has the same origin as `origin` (both must parse). */
export function sameOrigin(id: string | URL, origin: string | URL): boolean {
  const a = originOf(id);
  return a !== null && a !== "null" && a === originOf(origin);
}

/** A plain string from a Fedify string-or-LanguageString value. */
export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

/** Cuts a string to `max` UTF-16 units without splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s[max - 1] ?? "") ? max - 1 : max;
  return s.slice(0, end);
}

/** The href of a URL or Link value, when it is a safe http(s) URL. */
export function hrefOf(v: URL | Link | null | undefined): string | null {
  if (!v) return null;
  if (v instanceof URL) return safeHttpUrl(v.href);
  return v.href ? safeHttpUrl(v.href.href) : null;
}

/** The first http(s) URL among `urls` (a profile or post page), preferring text/html links. */
export function pageUrl(urls: (URL | Link)[]): string | null {
  const html = urls.find((u) => u instanceof Link && (u.mediaType ?? "").startsWith("text/html"));
  for (const u of html ? [html, ...urls] : urls) {
    const h = hrefOf(u);
    if (h) return h;
  }
  return null;
}

/** An image's URL (icon, header, emoji). */
export function imageUrl(img: Image | APObject | null): string | null {
  if (!img) return null;
  if (img instanceof Image || "url" in img) return pageUrl((img as Image).urls);
  return null;
}

export function isoOf(t: { epochMilliseconds: number } | null | undefined): string | null {
  if (!t) return null;
  return new Date(t.epochMilliseconds).toISOString();
}

const SHORTCODE = /^:?([a-zA-Z0-9_]+):?$/;

/** A custom emoji tag as core stores it, or null (bad shortcode, no safe image). */
export async function toRemoteEmoji(tag: Emoji, opts: FromAsOptions): Promise<RemoteEmoji | null> {
  const m = SHORTCODE.exec(str(tag.name) ?? "");
  if (!m?.[1] || m[1].length > 100) return null;
  const url = imageUrl(await tag.getIcon(getterOptions(opts)));
  return url ? { shortcode: m[1], url } : null;
}

/** Emojis among tags, deduplicated by shortcode and capped. */
export async function collectEmojis(tags: Emoji[], opts: FromAsOptions): Promise<RemoteEmoji[]> {
  const out = new Map<string, RemoteEmoji>();
  for (const t of tags) {
    if (out.size >= REMOTE_CAPS.emojis) break;
    const e = await toRemoteEmoji(t, opts);
    if (e && !out.has(e.shortcode)) out.set(e.shortcode, e);
  }
  return [...out.values()];
}
