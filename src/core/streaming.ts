/**
 * What one streaming viewer receives for a bus event (an id): the rows are loaded and checked per
 * reader at delivery time (visibility, blocks, mutes), then hydrated by the same loader as the REST
 * API (core/statuses/hydrate.ts), so a streamed entity is the one a timeline page would show.
 */
import type { AppContext } from "../app.ts";
import type { Notification, Status } from "../store/schema.ts";
import { type ConversationRow, getConversation } from "./conversations.ts";
import type { ActiveFilter } from "./filters.ts";
import {
  type AccountsAndStatuses,
  hydrateStatuses,
  hydrateWithAccounts,
  type StatusBundle,
} from "./statuses/hydrate.ts";
import { findStatus } from "./statuses/load.ts";
import { canView } from "./visibility.ts";

/**
 * Whether the viewer has muted or blocked someone the status involves (its author, the reblogged
 * author, anyone mentioned), as Mastodon's streaming server checks for public and hashtag streams.
 */
async function involvesSilenced(
  ctx: AppContext,
  viewerId: string,
  status: Status,
  original: Status,
): Promise<boolean> {
  const mentioned = await ctx.db
    .selectFrom("mentions")
    .select("account_id")
    .where("status_id", "=", original.id)
    .execute();
  const involved = [
    ...new Set([status.account_id, original.account_id, ...mentioned.map((m) => m.account_id)]),
  ].filter((id) => id !== viewerId);
  if (involved.length === 0) return false;
  const nowIso = ctx.now().toISOString();
  const [block, mute] = await Promise.all([
    ctx.db
      .selectFrom("blocks")
      .select("id")
      .where("account_id", "=", viewerId)
      .where("target_account_id", "in", involved)
      .executeTakeFirst(),
    ctx.db
      .selectFrom("mutes")
      .select("id")
      .where("account_id", "=", viewerId)
      .where("target_account_id", "in", involved)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", nowIso)]))
      .executeTakeFirst(),
  ]);
  return !!(block || mute);
}

export interface StreamedStatusOptions {
  /** public:local / public:remote keep statuses of one origin */
  origin?: "local" | "remote";
  /** the viewer's active filters (a connection holds them until filters_changed) */
  filters: readonly ActiveFilter[];
}

/** The status `id` hydrated for the viewer, or null when it must not reach them. */
export async function streamedStatus(
  ctx: AppContext,
  id: string,
  viewer: { id: string },
  opts: StreamedStatusOptions,
): Promise<StatusBundle | null> {
  const me = viewer.id;
  const status = await findStatus(ctx.db, id);
  if (!status) return null;
  if (opts.origin === "local" && !status.local) return null;
  if (opts.origin === "remote" && status.local) return null;
  const original = status.reblog_of_id ? await findStatus(ctx.db, status.reblog_of_id) : status;
  if (!original) return null;
  if (!(await canView(ctx, ctx.db, status, me))) return null;
  if (status.account_id !== me && (await involvesSilenced(ctx, me, status, original))) return null;
  const bundle = await hydrateStatuses(ctx, [status], viewer, { filters: opts.filters });
  return bundle.statuses.length ? bundle : null;
}

/** The viewer's notification `id` with what it refers to, or null when it cannot be shown. */
export async function streamedNotification(
  ctx: AppContext,
  id: string,
  viewer: { id: string },
  filters: readonly ActiveFilter[],
): Promise<{ notification: Notification; bundle: AccountsAndStatuses } | null> {
  const notification = await ctx.db
    .selectFrom("notifications")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", viewer.id)
    .executeTakeFirst();
  if (!notification) return null;
  const statuses: Status[] = [];
  if (notification.status_id) {
    const row = await findStatus(ctx.db, notification.status_id);
    if (!row || !(await canView(ctx, ctx.db, row, viewer.id))) return null;
    statuses.push(row);
  }
  const bundle = await hydrateWithAccounts(ctx, [notification.from_account_id], statuses, viewer, {
    filters,
  });
  return { notification, bundle };
}

/** The viewer's conversation `id` with its participants and last status, or null. */
export async function streamedConversation(
  ctx: AppContext,
  id: string,
  viewer: { id: string },
  filters: readonly ActiveFilter[],
): Promise<{ conversation: ConversationRow; bundle: AccountsAndStatuses } | null> {
  let conversation: ConversationRow;
  try {
    conversation = await getConversation(ctx, viewer.id, id);
  } catch {
    return null;
  }
  if (!(await canView(ctx, ctx.db, conversation.lastStatus, viewer.id))) return null;
  const bundle = await hydrateWithAccounts(
    ctx,
    [viewer.id, ...conversation.participantIds],
    [conversation.lastStatus],
    viewer,
    { filters },
  );
  return { conversation, bundle };
}
