/**
 * What core accepts from federation: plain data, already checked and sanitised by the converters
 * (`federation/converters/from-as.ts`), so core never sees ActivityStreams or Fedify. Every URL is
 * an absolute string; every HTML string has been through `sanitizeRemoteHtml`; every list is
 * already capped (REMOTE_CAPS).
 */
import type { Visibility } from "../visibility.ts";

/** Limits on what one remote object may carry; beyond them lists are truncated, text refused or cut. */
export const REMOTE_CAPS = {
  /** HTML of a Note's content, in UTF-16 units: a larger Note is refused (Mastodon's cap is 100k too) */
  contentChars: 100_000,
  /** summary / content warning, actor display name: cut */
  summaryChars: 5_000,
  displayNameChars: 500,
  /** actor summary (bio) HTML: cut before sanitising would split a tag, so a larger one is dropped */
  noteChars: 20_000,
  /** username: a longer one is refused (it names the account) */
  usernameChars: 250,
  mentions: 50,
  hashtags: 50,
  emojis: 50,
  pollOptions: 20,
  pollOptionChars: 500,
  attachments: 16,
  attachmentNameChars: 1_500,
  fields: 16,
  fieldChars: 2_000,
  alsoKnownAs: 20,
} as const;

export type ActorType = "Person" | "Service" | "Application" | "Group" | "Organization";

export interface RemoteField {
  name: string;
  /** sanitised HTML */
  value: string;
}

export interface RemoteEmoji {
  /** without colons */
  shortcode: string;
  url: string;
}

export interface RemoteActor {
  uri: string;
  /** the profile page (falls back to the uri) */
  url: string;
  type: ActorType;
  username: string;
  /** lower-cased host (with a port when not the default), from the uri */
  domain: string;
  displayName: string;
  /** sanitised HTML */
  note: string;
  fields: RemoteField[];
  emojis: RemoteEmoji[];
  avatarUrl: string | null;
  headerUrl: string | null;
  /** manuallyApprovesFollowers */
  locked: boolean;
  /** Service and Application actors */
  bot: boolean;
  discoverable: boolean;
  indexable: boolean;
  inbox: string | null;
  sharedInbox: string | null;
  outbox: string | null;
  followers: string | null;
  following: string | null;
  featured: string | null;
  featuredTags: string | null;
  /** the RSA key (draft-cavage signatures) as SPKI PEM, with its key id */
  publicKeyPem: string | null;
  publicKeyId: string | null;
  /** FEP-521a: the Ed25519 key as SPKI PEM, with its key id */
  ed25519PublicKey: string | null;
  ed25519KeyId: string | null;
  alsoKnownAs: string[];
  /** `movedTo` (Mastodon) / `successor`: the account this one moved to */
  movedTo: string | null;
  /** ISO 8601 */
  published: string | null;
}

export interface RemotePollOption {
  title: string;
  votes: number;
}

export interface RemotePoll {
  options: RemotePollOption[];
  /** anyOf (several choices) rather than oneOf */
  multiple: boolean;
  /** ISO 8601 endTime, or the `closed` time when it ended early */
  expiresAt: string | null;
  closed: boolean;
  /** Mastodon's votersCount (for a multiple-choice poll the number of people, not of votes) */
  votersCount: number | null;
}

export interface RemoteAttachment {
  url: string;
  mediaType: string | null;
  /** the alt text (`name`) */
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  /** Mastodon's focal point, x and y in [-1, 1] */
  focalPoint: [number, number] | null;
}

export interface RemoteMention {
  /** the mentioned actor's uri */
  href: string;
  /** as written, e.g. "@alice@example.com" (may be empty) */
  name: string;
}

export interface RemoteNote {
  uri: string;
  /** the post's page (falls back to the uri) */
  url: string;
  actorUri: string;
  type: "Note" | "Article" | "Page" | "Question";
  /** sanitised HTML; an Article's name (title) leads it as a paragraph */
  content: string;
  /** the content warning, as plain text */
  summary: string;
  sensitive: boolean;
  language: string | null;
  /** ISO 8601 */
  published: string;
  updated: string | null;
  inReplyTo: string | null;
  visibility: Visibility;
  mentions: RemoteMention[];
  /** names without '#', as written */
  hashtags: string[];
  emojis: RemoteEmoji[];
  poll: RemotePoll | null;
  attachments: RemoteAttachment[];
  /** FEP-044f `quote`, else `quoteUrl` / `_misskey_quote` / `quoteUri` */
  quote: string | null;
  /** the thread's context (`context` / `conversation`), when given */
  context: string | null;
}

/** Why a remote object was not accepted (the inbox answers 202 and drops it, or logs it). */
export type RemoteRefusal =
  | "origin-mismatch"
  | "attribution-mismatch"
  | "missing-id"
  | "missing-field"
  | "unsupported-type"
  | "too-large";

export class RemoteObjectError extends Error {
  readonly reason: RemoteRefusal;
  constructor(reason: RemoteRefusal, message: string) {
    super(message);
    this.name = "RemoteObjectError";
    this.reason = reason;
  }
}
