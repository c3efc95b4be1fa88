/**
 * Local accounts and statuses as ActivityStreams objects (pure: data in, vocab objects out). The
 * addressing follows Mastodon's, which every other server reads: public → to Public, cc followers;
 * unlisted → to followers, cc Public; followers-only → to followers; direct → to the mentioned.
 */

import {
  Collection,
  type CryptographicKey,
  Endpoints,
  Hashtag,
  Image,
  LanguageString,
  Mention,
  type Multikey,
  Note,
  Person,
  PropertyValue,
  PUBLIC_COLLECTION,
  Question,
  Service,
} from "@fedify/fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { NoteData } from "../../core/fediverse/objects.ts";
import type { LocalUris } from "../../core/uris.ts";
import type { Account } from "../../store/schema.ts";

const instant = (iso: string) => Temporal.Instant.from(iso);

function imageOf(url: string | null): Image | null {
  if (!url) return null;
  const ext = /\.(png|jpe?g|gif|webp|avif)(?:$|\?)/i.exec(url)?.[1]?.toLowerCase();
  const mediaType = ext ? `image/${ext === "jpg" ? "jpeg" : ext}` : null;
  return new Image({ url: new URL(url), mediaType });
}

export interface ActorKeys {
  cryptographicKey: CryptographicKey;
  multikey: Multikey;
}

/** What an actor document names besides the account row: the account it moved to. */
export interface ActorExtras {
  movedToUri?: string | null;
}

/** A local account as its actor document (Person, or Service for a bot). */
export function toActor(
  uris: LocalUris,
  account: Account,
  keys: ActorKeys[],
  extras: ActorExtras = {},
): Person | Service {
  const u = account.username;
  if (account.suspended_at) return toGoneActor(uris, account, keys);
  let fields: { name: string; value: string }[] = [];
  try {
    fields = JSON.parse(account.fields || "[]");
  } catch {
    fields = [];
  }
  const values = {
    id: new URL(uris.actor(u)),
    preferredUsername: u,
    name: account.display_name || null,
    summary: account.note || null,
    url: new URL(uris.profile(u)),
    inbox: new URL(uris.inbox(u)),
    outbox: new URL(uris.outbox(u)),
    followers: new URL(uris.followers(u)),
    following: new URL(uris.following(u)),
    featured: new URL(uris.featured(u)),
    featuredTags: new URL(uris.featuredTags(u)),
    endpoints: new Endpoints({ sharedInbox: new URL(uris.sharedInbox()) }),
    manuallyApprovesFollowers: !!account.locked,
    discoverable: !!account.discoverable,
    indexable: !!account.indexable,
    published: instant(account.created_at),
    icon: imageOf(account.avatar_url),
    image: imageOf(account.header_url),
    attachments: fields.map((f) => new PropertyValue({ name: f.name, value: f.value })),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
    // the accounts this one is also known as (a Move to here is checked against them)
    aliases: aliasUrls(account.also_known_as),
    // Mastodon's `movedTo`
    successor: extras.movedToUri ? new URL(extras.movedToUri) : null,
  };
  return account.bot ? new Service(values) : new Person(values);
}

function aliasUrls(json: string | undefined): URL[] {
  try {
    const list = JSON.parse(json ?? "[]") as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter((u): u is string => typeof u === "string" && URL.canParse(u)).map((u) => new URL(u));
  } catch {
    return [];
  }
}

/**
 * A deleted (or suspended) account's actor: no profile, only what verifies its last activities
 * (the Delete of itself and retried deliveries are checked against its key).
 */
function toGoneActor(uris: LocalUris, account: Account, keys: ActorKeys[]): Person {
  const u = account.username;
  return new Person({
    id: new URL(uris.actor(u)),
    preferredUsername: u,
    url: new URL(uris.profile(u)),
    inbox: new URL(uris.inbox(u)),
    endpoints: new Endpoints({ sharedInbox: new URL(uris.sharedInbox()) }),
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  });
}

/** to/cc of a status by its visibility (Mastodon's addressing). */
export function addressing(
  uris: LocalUris,
  username: string,
  visibility: string,
  mentionUris: string[],
): { tos: URL[]; ccs: URL[] } {
  const followers = new URL(uris.followers(username));
  const mentioned = mentionUris.map((m) => new URL(m));
  switch (visibility) {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followers, ...mentioned] };
    case "unlisted":
      return { tos: [followers], ccs: [PUBLIC_COLLECTION, ...mentioned] };
    case "private":
      return { tos: [followers], ccs: mentioned };
    default:
      return { tos: mentioned, ccs: [] };
  }
}

/** A local status as a Note (or a Question when it carries a poll). */
export function toNote(uris: LocalUris, data: NoteData): Note | Question {
  const { status, author } = data;
  const { tos, ccs } = addressing(
    uris,
    author.username,
    status.visibility,
    data.mentions.map((m) => m.uri),
  );
  const mentionTags = data.mentions.map(
    (m) =>
      new Mention({
        href: new URL(m.uri),
        name: `@${m.acct.includes("@") ? m.acct : `${m.acct}@${new URL(uris.base).host}`}`,
      }),
  );
  const hashtagTags = data.tags.map(
    (t) => new Hashtag({ href: new URL(uris.tag(t.toLowerCase())), name: `#${t}` }),
  );
  const common = {
    id: new URL(status.uri),
    url: new URL(status.url),
    attribution: new URL(author.uri),
    // content, plus contentMap in the post's language (Mastodon's shape)
    contents: status.language
      ? [status.content, new LanguageString(status.content, status.language)]
      : [status.content],
    summary: status.spoiler_text || null,
    sensitive: !!status.sensitive,
    published: instant(status.created_at),
    updated: status.edited_at ? instant(status.edited_at) : null,
    replyTarget: data.inReplyToUri ? new URL(data.inReplyToUri) : null,
    tos,
    ccs,
    tags: [...mentionTags, ...hashtagTags],
  };
  if (data.poll) {
    const { poll, options, counts } = data.poll;
    const choices = options.map(
      (name, i) => new Note({ name, replies: new Collection({ totalItems: counts[i] ?? 0 }) }),
    );
    return new Question({
      ...common,
      ...(poll.multiple ? { inclusiveOptions: choices } : { exclusiveOptions: choices }),
      endTime: poll.expires_at ? instant(poll.expires_at) : null,
      closed: poll.expires_at && Date.parse(poll.expires_at) <= Date.now() ? instant(poll.expires_at) : null,
      voters: poll.voters_count,
    });
  }
  return new Note(common);
}
