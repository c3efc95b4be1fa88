/**
 * ActivityStreams (Fedify 2.3 vocabulary objects) → the plain types core accepts
 * (`core/remote/types.ts`). Pure apart from Fedify's own getters, which read embedded values and
 * fetch only through the caller's document loader (none by default); errors inside a getter are
 * suppressed and treated as "absent".
 *
 * The origin rule (the inbox relies on it): an object whose id's origin differs from the
 * document's origin (`opts.origin`) is refused, and so is a post attributed to an actor on another
 * origin than the post's id. Caps (REMOTE_CAPS): content over the limit is refused ("too-large");
 * summaries and names are cut; mentions, hashtags, emojis, poll options, attachments beyond their
 * cap are dropped (the first ones are kept, in document order).
 */
import {
  Article,
  Audio,
  Document,
  Emoji,
  Hashtag,
  Image,
  Link,
  Mention,
  Note,
  Page,
  PUBLIC_COLLECTION,
  Question,
  Video,
} from "@fedify/fedify/vocab";
import {
  REMOTE_CAPS,
  type RemoteAttachment,
  type RemoteMention,
  type RemoteNote,
  type RemotePoll,
} from "../../core/remote/types.ts";
import { escapeHtml } from "../../core/text/escape.ts";
import { htmlToPlainText, safeHttpUrl, sanitizeRemoteHtml } from "../../core/text/sanitize.ts";
import type { Visibility } from "../../core/visibility.ts";
import {
  type Converted,
  collectEmojis,
  cut,
  type FromAsOptions,
  getterOptions,
  isoOf,
  pageUrl,
  refuse,
  sameOrigin,
  str,
} from "./from-as-common.ts";

export { type ActorObject, domainOf, isActorObject, toRemoteActor } from "./from-as-actor.ts";
export { type Converted, type FromAsOptions, offlineLoader, sameOrigin } from "./from-as-common.ts";

export type PostObject = Note | Article | Page | Question;

export function isPostObject(o: unknown): o is PostObject {
  return o instanceof Note || o instanceof Article || o instanceof Page || o instanceof Question;
}

export interface NoteOptions extends FromAsOptions {
  /** the author's followers collection, when known (decides "private"; see noteVisibility) */
  followersUrl?: string | null;
  /** the time a post without `published` is dated at (default: now) */
  now?: Date;
  /**
   * The compacted JSON the object was read from, when the caller has it: Mastodon's `blurhash`
   * and `focalPoint` on attachments are not in Fedify's vocabulary and are read from it.
   */
  raw?: unknown;
}

const PUBLIC = PUBLIC_COLLECTION.href;

/**
 * Mastodon's reading of an audience: the Public collection in `to` → public, in `cc` → unlisted;
 * the author's followers collection → private; otherwise → direct (addressed to accounts only).
 * When the followers collection is not known, any addressee that is not a mentioned actor is taken
 * for it (Mastodon's "limited" posts, addressed to others without mentions, become private too —
 * never more visible than sent).
 */
export function noteVisibility(
  to: string[],
  cc: string[],
  mentionHrefs: string[],
  followersUrl: string | null | undefined,
): Visibility {
  const isPublic = (u: string) => u === PUBLIC || u === "as:Public" || u === "Public";
  if (to.some(isPublic)) return "public";
  if (cc.some(isPublic)) return "unlisted";
  const all = [...to, ...cc];
  if (followersUrl) return all.includes(followersUrl) ? "private" : "direct";
  const mentioned = new Set(mentionHrefs);
  return all.some((u) => !mentioned.has(u)) ? "private" : "direct";
}

/** A locale's language as core stores it ("kk"), or null for "und" and malformed tags. */
function languageOf(locale: Intl.Locale | undefined): string | null {
  const lang = locale?.language?.toLowerCase();
  return lang && lang !== "und" && /^[a-z]{2,3}$/.test(lang) ? lang : null;
}

type Tagged = string & { locale?: Intl.Locale };

/**
 * Content and language, GoToSocial's rule: the contentMap entry whose text is `content` gives the
 * language; with no plain `content`, the first tagged entry is the post. A context's
 * `@language: "und"` (Pleroma) tags the plain content with no language.
 */
function contentAndLanguage(post: PostObject): { html: string; language: string | null } {
  const values = post.contents as Tagged[];
  const plain = values.find((v) => !languageOf(v.locale));
  const tagged = values.filter((v) => !!languageOf(v.locale));
  const match = plain !== undefined ? tagged.find((t) => String(t) === String(plain)) : tagged[0];
  return { html: String(plain ?? tagged[0] ?? ""), language: languageOf(match?.locale) };
}

function rawAttachments(raw: unknown): Record<string, unknown>[] {
  if (!raw || typeof raw !== "object") return [];
  const r = raw as Record<string, unknown>;
  const a = r.attachment ?? (r.object as Record<string, unknown> | undefined)?.attachment;
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.filter((x): x is Record<string, unknown> => !!x && typeof x === "object");
}

function rawUrl(a: Record<string, unknown>): string | null {
  const u = a.url;
  if (typeof u === "string") return u;
  if (Array.isArray(u)) {
    const first = u[0] as unknown;
    if (typeof first === "string") return first;
    if (first && typeof first === "object") return String((first as Record<string, unknown>).href ?? "");
  }
  if (u && typeof u === "object") return String((u as Record<string, unknown>).href ?? "");
  return null;
}

function focal(v: unknown): [number, number] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [x, y] = v.map(Number) as [number, number];
  if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 1 || Math.abs(y) > 1) return null;
  return [x, y];
}

async function attachments(post: PostObject, opts: NoteOptions): Promise<RemoteAttachment[]> {
  const out: RemoteAttachment[] = [];
  const raws = rawAttachments(opts.raw);
  let seen = 0;
  for await (const a of post.getAttachments(getterOptions(opts))) {
    if (++seen > REMOTE_CAPS.attachments * 4 || out.length >= REMOTE_CAPS.attachments) break;
    let url: string | null = null;
    let mediaType: string | null = null;
    let name: string | null = null;
    let width: number | null = null;
    let height: number | null = null;
    if (a instanceof Document || a instanceof Image || a instanceof Video || a instanceof Audio) {
      url = pageUrl(a.urls);
      mediaType = a.mediaType;
      name = str(a.name);
      width = a.width;
      height = a.height;
    } else if (a instanceof Link) {
      url = a.href ? safeHttpUrl(a.href.href) : null;
      mediaType = a.mediaType;
      name = str(a.name);
      width = a.width;
      height = a.height;
    }
    if (!url) continue;
    const raw = raws.find((r) => rawUrl(r) === url);
    const blurhash = typeof raw?.blurhash === "string" && raw.blurhash.length <= 100 ? raw.blurhash : null;
    out.push({
      url,
      mediaType: mediaType && mediaType.length <= 100 ? mediaType : null,
      description: name ? cut(name, REMOTE_CAPS.attachmentNameChars) : null,
      blurhash,
      width: width && width > 0 ? Math.floor(width) : null,
      height: height && height > 0 ? Math.floor(height) : null,
      focalPoint: focal(raw?.focalPoint),
    });
  }
  return out;
}

async function poll(q: Question, opts: NoteOptions): Promise<RemotePoll | null> {
  const g = getterOptions(opts);
  const options: RemotePoll["options"] = [];
  const multiple = q.inclusiveOptionIds.length > 0 || (await hasAny(q.getInclusiveOptions(g)));
  const iter = multiple ? q.getInclusiveOptions(g) : q.getExclusiveOptions(g);
  let seen = 0;
  for await (const o of iter) {
    if (++seen > REMOTE_CAPS.pollOptions || options.length >= REMOTE_CAPS.pollOptions) break;
    const title = cut(htmlToPlainText(str(o.name) ?? "").trim(), REMOTE_CAPS.pollOptionChars);
    if (!title) continue;
    const replies = await o.getReplies(g);
    const votes = replies?.totalItems ?? 0;
    options.push({ title, votes: Number.isFinite(votes) && votes > 0 ? Math.floor(votes) : 0 });
  }
  if (options.length < 1) return null;
  const closed = q.closed;
  const closedAt = closed && typeof closed === "object" ? isoOf(closed) : null;
  const voters = q.voters;
  return {
    options,
    multiple,
    expiresAt: isoOf(q.endTime) ?? closedAt,
    closed: closed === true || closedAt !== null,
    votersCount: voters !== null && Number.isFinite(voters) && voters >= 0 ? Math.floor(voters) : null,
  };
}

async function hasAny(it: AsyncIterable<unknown>): Promise<boolean> {
  for await (const _ of it) return true;
  return false;
}

/**
 * A Note, Article, Page or Question → RemoteNote, or why not (see the module comment). The
 * content is sanitised; an Article's or Page's title leads it as a bold paragraph.
 */
export async function toRemoteNote(post: PostObject, opts: NoteOptions): Promise<Converted<RemoteNote>> {
  const id = post.id;
  if (!id) return refuse("missing-id", "post without an id");
  if (!sameOrigin(id, opts.origin))
    return refuse("origin-mismatch", `post ${id.href} not served from its own origin`);
  const actorIds = post.attributionIds;
  const actor = actorIds[0];
  if (!actor) return refuse("missing-field", "post without attributedTo");
  if (actorIds.length > 1 || !sameOrigin(actor, id))
    return refuse("attribution-mismatch", `post ${id.href} attributed to ${actor.href} on another origin`);

  const { html, language } = contentAndLanguage(post);
  if (html.length > REMOTE_CAPS.contentChars) return refuse("too-large", `post ${id.href} content too long`);
  let content = sanitizeRemoteHtml(html);
  const title = str(post.name);
  if ((post instanceof Article || post instanceof Page) && title) {
    const heading = escapeHtml(cut(htmlToPlainText(title), REMOTE_CAPS.summaryChars));
    content = `<p><strong>${heading}</strong></p>${content}`;
  }

  const g = getterOptions(opts);
  const mentions: RemoteMention[] = [];
  const hashtags = new Map<string, string>();
  const emojiTags: Emoji[] = [];
  let seen = 0;
  const tagBudget = (REMOTE_CAPS.mentions + REMOTE_CAPS.hashtags + REMOTE_CAPS.emojis) * 2;
  for await (const t of post.getTags(g)) {
    if (++seen > tagBudget) break;
    if (t instanceof Mention) {
      const href = t.href ? safeHttpUrl(t.href.href) : null;
      if (!href || mentions.length >= REMOTE_CAPS.mentions || mentions.some((m) => m.href === href)) continue;
      mentions.push({ href, name: cut(str(t.name) ?? "", 300) });
    } else if (t instanceof Hashtag) {
      const name = (str(t.name) ?? "").replace(/^#/, "").trim();
      if (!name || name.length > 100 || /[\s#<>&"]/.test(name)) continue;
      const key = name.toLowerCase();
      if (hashtags.size < REMOTE_CAPS.hashtags && !hashtags.has(key)) hashtags.set(key, name);
    } else if (t instanceof Emoji) {
      if (emojiTags.length < REMOTE_CAPS.emojis) emojiTags.push(t);
    }
  }

  const to = post.toIds.map((u) => u.href);
  const cc = post.ccIds.map((u) => u.href);
  const visibility = noteVisibility(
    to,
    cc,
    mentions.map((m) => m.href),
    opts.followersUrl,
  );
  const quote = post instanceof Page ? null : (post.quoteId ?? post.quoteUrl ?? null);
  const context = post.contextIds[0] ?? null;
  const summary = cut(htmlToPlainText(str(post.summary) ?? ""), REMOTE_CAPS.summaryChars);
  const value: RemoteNote = {
    uri: id.href,
    url: pageUrl(post.urls) ?? id.href,
    actorUri: actor.href,
    type:
      post instanceof Question
        ? "Question"
        : post instanceof Article
          ? "Article"
          : post instanceof Page
            ? "Page"
            : "Note",
    content,
    summary,
    // Mastodon marks a post with a content warning sensitive whatever the flag says
    sensitive: post.sensitive === true || summary !== "",
    language,
    published: isoOf(post.published) ?? (opts.now ?? new Date()).toISOString(),
    updated: isoOf(post.updated),
    inReplyTo: post.replyTargetId ? safeHttpUrl(post.replyTargetId.href) : null,
    visibility,
    mentions,
    hashtags: [...hashtags.values()],
    emojis: await collectEmojis(emojiTags, opts),
    poll: post instanceof Question ? await poll(post, opts) : null,
    attachments: await attachments(post, opts),
    quote: quote ? safeHttpUrl(quote.href) : null,
    context: context ? context.href : null,
  };
  return { ok: true, value };
}
