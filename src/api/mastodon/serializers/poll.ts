import type { AppContext } from "../../../app.ts";
import type { Db } from "../../../store/db.ts";
import type { Poll } from "../../../store/schema.ts";

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

/** Per-poll data loaded in batch: votes per option and the viewer's own choices. */
export interface PollExtras {
  counts: Map<string, Map<number, number>>;
  ownVotes: Map<string, number[]>;
}

/** Loads option counts and the viewer's votes for many polls with two queries. */
export async function loadPollExtras(
  db: Db,
  pollIds: string[],
  viewerId: string | null,
): Promise<PollExtras> {
  const counts = new Map<string, Map<number, number>>();
  const ownVotes = new Map<string, number[]>();
  if (pollIds.length === 0) return { counts, ownVotes };
  const rows = await db
    .selectFrom("poll_votes")
    .select(["poll_id", "choice", (eb) => eb.fn.countAll<number>().as("n")])
    .where("poll_id", "in", pollIds)
    .groupBy(["poll_id", "choice"])
    .execute();
  for (const r of rows) {
    let m = counts.get(r.poll_id);
    if (!m) {
      m = new Map();
      counts.set(r.poll_id, m);
    }
    m.set(Number(r.choice), Number(r.n));
  }
  if (viewerId) {
    const mine = await db
      .selectFrom("poll_votes")
      .select(["poll_id", "choice"])
      .where("poll_id", "in", pollIds)
      .where("account_id", "=", viewerId)
      .orderBy("choice")
      .execute();
    for (const r of mine) {
      const list = ownVotes.get(r.poll_id) ?? [];
      list.push(Number(r.choice));
      ownVotes.set(r.poll_id, list);
    }
  }
  return { counts, ownVotes };
}

/**
 * Mastodon's Poll entity. Per-option counts are hidden (null) while a hide_totals poll runs, except
 * for its author; voted/own_votes appear only for a signed-in viewer.
 */
export function serializePollWith(
  ctx: AppContext,
  poll: Poll,
  extras: PollExtras,
  viewerId: string | null,
): MastodonPoll {
  const expired = pollExpired(poll, ctx.now());
  const hide = !!poll.hide_totals && !expired && viewerId !== poll.account_id;
  const counts = extras.counts.get(poll.id);
  const out: MastodonPoll = {
    id: poll.id,
    expires_at: poll.expires_at,
    expired,
    multiple: !!poll.multiple,
    votes_count: poll.votes_count,
    voters_count: poll.voters_count,
    options: pollOptions(poll).map((title, i) => ({
      title,
      votes_count: hide ? null : (counts?.get(i) ?? 0),
    })),
    emojis: [],
  };
  if (viewerId) {
    const own = extras.ownVotes.get(poll.id) ?? [];
    out.voted = own.length > 0 || viewerId === poll.account_id;
    out.own_votes = own;
  }
  return out;
}

export async function serializePoll(
  ctx: AppContext,
  poll: Poll,
  viewerId: string | null,
): Promise<MastodonPoll> {
  const extras = await loadPollExtras(ctx.db, [poll.id], viewerId);
  return serializePollWith(ctx, poll, extras, viewerId);
}
