import type { PollView } from "../../../core/statuses/hydrate.ts";
import type { Poll } from "../../../store/schema.ts";
import type { RenderContext } from "./context.ts";

export interface MastodonPollOption {
  title: string;
  votes_count: number | null;
}

export interface MastodonPoll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  options: MastodonPollOption[];
  emojis: unknown[];
  voted?: boolean;
  own_votes?: number[];
}

export function pollOptions(poll: Pick<Poll, "options">): string[] {
  try {
    const v = JSON.parse(poll.options) as unknown;
    return Array.isArray(v) ? v.map((o) => String(o)) : [];
  } catch {
    return [];
  }
}

export function pollExpired(poll: Pick<Poll, "expires_at">, now: Date): boolean {
  return !!poll.expires_at && poll.expires_at <= now.toISOString();
}

/**
 * Mastodon's Poll entity. Per-option counts are hidden (null) while a hide_totals poll runs, except
 * for its author; voted/own_votes appear only for a signed-in viewer.
 */
export function toMastodonPoll(ctx: RenderContext, view: PollView, viewerId: string | null): MastodonPoll {
  const { poll, counts } = view;
  const expired = pollExpired(poll, ctx.now());
  const hide = !!poll.hide_totals && !expired && viewerId !== poll.account_id;
  const out: MastodonPoll = {
    id: poll.id,
    expires_at: poll.expires_at,
    expired,
    multiple: !!poll.multiple,
    votes_count: poll.votes_count,
    voters_count: poll.voters_count,
    options: pollOptions(poll).map((title, i) => ({
      title,
      votes_count: hide ? null : (counts.get(i) ?? 0),
    })),
    emojis: [],
  };
  if (viewerId) {
    const own = view.ownVotes ?? [];
    out.voted = own.length > 0 || viewerId === poll.account_id;
    out.own_votes = own;
  }
  return out;
}
