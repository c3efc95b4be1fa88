import type { HydratedStatus, StatusBundle } from "../../../core/statuses/hydrate.ts";
import type { Status } from "../../../store/schema.ts";
import type { MastodonAccount } from "./account.ts";
import type { RenderContext } from "./context.ts";
import { type MastodonPoll, toMastodonPoll } from "./poll.ts";
import { RenderedAccounts, toMastodonMentions, toMastodonTags } from "./status-batch.ts";

export interface MastodonMention {
  id: string;
  username: string;
  url: string;
  acct: string;
}

export interface MastodonTag {
  name: string;
  url: string;
}

export interface MastodonApplication {
  name: string;
  website: string | null;
}

export interface MastodonStatus {
  id: string;
  created_at: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  sensitive: boolean;
  spoiler_text: string;
  visibility: Status["visibility"];
  language: string | null;
  uri: string;
  url: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  edited_at: string | null;
  favourited?: boolean;
  reblogged?: boolean;
  muted?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  content?: string;
  filtered?: unknown[];
  reblog: MastodonStatus | null;
  application?: MastodonApplication | null;
  account: MastodonAccount;
  media_attachments: unknown[];
  mentions: MastodonMention[];
  tags: MastodonTag[];
  emojis: unknown[];
  card: null;
  poll: MastodonPoll | null;
  /** only in the response to DELETE (source for redraft), which has no `content` */
  text?: string;
}

function build(
  ctx: RenderContext,
  h: HydratedStatus,
  viewerId: string | null,
  accounts: RenderedAccounts,
): MastodonStatus {
  const s = h.row;
  const v = h.body.view;
  const reblog = h.reblog ? build(ctx, h.reblog, viewerId, accounts) : null;
  const out: MastodonStatus = {
    id: s.id,
    created_at: v.created_at,
    in_reply_to_id: v.in_reply_to_id,
    in_reply_to_account_id: v.in_reply_to_account_id,
    sensitive: !!v.sensitive,
    spoiler_text: v.spoiler_text,
    visibility: s.visibility,
    language: v.language,
    uri: v.uri,
    url: v.url || null,
    replies_count: s.replies_count,
    reblogs_count: s.reblogs_count,
    favourites_count: s.favourites_count,
    edited_at: v.edited_at,
    content: v.content,
    reblog,
    account: accounts.get(h.account),
    media_attachments: [],
    mentions: toMastodonMentions(h.body.mentions),
    tags: toMastodonTags(ctx, h.body.tags),
    emojis: [],
    card: null,
    poll: h.poll ? toMastodonPoll(ctx, h.poll, viewerId) : null,
  };
  if (h.viewer && viewerId) {
    out.filtered = h.filtered;
    out.favourited = h.viewer.favourited;
    out.reblogged = h.viewer.reblogged;
    out.muted = h.viewer.muted;
    out.bookmarked = h.viewer.bookmarked;
    if (s.account_id === viewerId) {
      // Mastodon: `pinned` only where the viewer could pin; the application only to its author
      if (!s.reblog_of_id && s.visibility !== "direct") out.pinned = h.viewer.pinned;
      out.application = h.application;
    }
  }
  return out;
}

/**
 * Mastodon Status entities for a bundle's statuses, in its order, as its viewer sees them (the
 * bundle already left out what cannot be shown).
 */
export function toMastodonStatuses(ctx: RenderContext, bundle: StatusBundle): MastodonStatus[] {
  const accounts = new RenderedAccounts(ctx);
  return bundle.statuses.map((h) => build(ctx, h, bundle.viewerId, accounts));
}
