import type { AppContext } from "../../../app.ts";
import type { StatusView } from "../../../core/statuses/view.ts";
import type { Account, Status } from "../../../store/schema.ts";
import type { MastodonAccount } from "./account.ts";
import { type MastodonPoll, serializePollWith } from "./poll.ts";
import { type Batch, filterResults, loadBatch, renderedAccount } from "./status-batch.ts";

export { STATUS_ENTITY_CACHE_MAX, statusEntityCache } from "./status-batch.ts";
export { STATUS_PARTS_CACHE_MAX, serializeStatusesJson, statusPartsCache } from "./status-json.ts";

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
  ctx: AppContext,
  s: StatusView,
  b: Batch,
  viewer: Account | null,
  depth = 0,
): MastodonStatus | null {
  const account = b.accounts.get(s.account_id);
  if (!account) return null;
  let reblog: MastodonStatus | null = null;
  if (s.reblog_of_id) {
    const original = b.originals.get(s.reblog_of_id);
    reblog = original && depth === 0 ? build(ctx, original, b, viewer, 1) : null;
    if (!reblog) return null; // a reblog whose original is gone is not shown
  }
  const poll = s.poll_id ? b.polls.get(s.poll_id) : undefined;
  const out: MastodonStatus = {
    id: s.id,
    created_at: s.created_at,
    in_reply_to_id: s.in_reply_to_id,
    in_reply_to_account_id: s.in_reply_to_account_id,
    sensitive: !!s.sensitive,
    spoiler_text: s.spoiler_text,
    visibility: s.visibility,
    language: s.language,
    uri: s.uri,
    url: s.url || null,
    replies_count: s.replies_count,
    reblogs_count: s.reblogs_count,
    favourites_count: s.favourites_count,
    edited_at: s.edited_at,
    content: s.content,
    reblog,
    account: renderedAccount(ctx, b, account),
    media_attachments: [],
    mentions: b.entities.get(s.id)?.mentions ?? [],
    tags: b.entities.get(s.id)?.tags ?? [],
    emojis: [],
    card: null,
    poll: poll ? serializePollWith(ctx, poll, b.pollExtras, viewer?.id ?? null) : null,
  };
  if (viewer) {
    out.filtered = reblog ? (reblog.filtered ?? []) : filterResults(b, s, viewer);
    out.favourited = b.favourited.has(s.id);
    out.reblogged = b.reblogged.has(s.id);
    out.muted = !!s.conversation_id && b.mutedConversations.has(s.conversation_id);
    out.bookmarked = b.bookmarked.has(s.id);
    if (s.account_id === viewer.id) {
      // Mastodon: `pinned` only where the viewer could pin; the application only to its author
      if (!s.reblog_of_id && s.visibility !== "direct") out.pinned = b.pinned.has(s.id);
      out.application = s.application_id ? (b.apps.get(s.application_id) ?? null) : null;
    }
  }
  return out;
}

/**
 * Mastodon Status entities for `statuses`, in the same order, as seen by `viewer`. The caller has
 * already applied visibility; statuses whose author (or reblogged original) is missing are dropped.
 * Related rows are loaded with a fixed number of queries whatever the number of statuses.
 */
export async function serializeStatuses(
  ctx: AppContext,
  statuses: StatusView[],
  viewer: Account | null,
): Promise<MastodonStatus[]> {
  if (statuses.length === 0) return [];
  const batch = await loadBatch(ctx, statuses, viewer);
  const out: MastodonStatus[] = [];
  for (const s of statuses) {
    const m = build(ctx, s, batch, viewer);
    if (m) out.push(m);
  }
  return out;
}

export async function serializeStatus(
  ctx: AppContext,
  status: StatusView,
  viewer: Account | null,
): Promise<MastodonStatus> {
  const [m] = await serializeStatuses(ctx, [status], viewer);
  if (!m) throw new Error(`status ${status.id} cannot be serialised (author or original missing)`);
  return m;
}
