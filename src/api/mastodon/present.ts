/**
 * Presenters: a core loader hydrates, a pure serialiser renders (as Mastodon's presenters and
 * serialisers). The routes and streaming call these; nothing here queries the database.
 */
import type { AppContext } from "../../app.ts";
import { hydrateCredentialAccount } from "../../core/accounts/hydrate.ts";
import type { ConversationRow } from "../../core/conversations.ts";
import {
  type HydrateOptions,
  hydratePoll,
  hydrateStatuses,
  hydrateStatusesPartly,
  hydrateWithAccounts,
} from "../../core/statuses/hydrate.ts";
import type { StatusKey } from "../../core/statuses/view.ts";
import type { Account, Notification, Poll, Status, User } from "../../store/schema.ts";
import { type MastodonCredentialAccount, toCredentialAccount } from "./serializers/account.ts";
import { type MastodonConversation, toMastodonConversations } from "./serializers/conversation.ts";
import {
  type MastodonNotification,
  notificationStatusIds,
  toMastodonNotifications,
} from "./serializers/notification.ts";
import { type MastodonPoll, toMastodonPoll } from "./serializers/poll.ts";
import { type MastodonStatus, toMastodonStatuses } from "./serializers/status.ts";
import { cachedPartsHint, statusesJson } from "./serializers/status-json.ts";

export { STATUS_ENTITY_CACHE_MAX, statusEntityCache } from "../../core/statuses/hydrate.ts";
export { STATUS_PARTS_CACHE_MAX, statusPartsCache } from "./serializers/status-json.ts";

/**
 * Mastodon Status entities for `statuses` (already visible to `viewer`), in the same order;
 * statuses whose author (or reblogged original) is missing are dropped.
 */
export async function serializeStatuses(
  ctx: AppContext,
  statuses: readonly StatusKey[],
  viewer: Account | null,
  opts: HydrateOptions = {},
): Promise<MastodonStatus[]> {
  if (statuses.length === 0) return [];
  return toMastodonStatuses(ctx, await hydrateStatuses(ctx, statuses, viewer, opts));
}

export async function serializeStatus(
  ctx: AppContext,
  status: Status,
  viewer: Account | null,
): Promise<MastodonStatus> {
  const [m] = await serializeStatuses(ctx, [status], viewer);
  if (!m) throw new Error(`status ${status.id} cannot be serialised (author or original missing)`);
  return m;
}

/**
 * `JSON.stringify(await serializeStatuses(ctx, statuses, viewer))` as UTF-8 bytes, byte for byte,
 * for list responses: bodies whose rendered parts are cached are neither read nor rendered again.
 */
export async function serializeStatusesJson(
  ctx: AppContext,
  statuses: readonly StatusKey[],
  viewer: Account | null,
): Promise<Uint8Array<ArrayBuffer>> {
  if (statuses.length === 0) return new TextEncoder().encode("[]");
  const hint = cachedPartsHint(ctx);
  const bundle = await hydrateStatusesPartly(ctx, statuses, viewer, { knownText: hint.knownText });
  return statusesJson(ctx, bundle, hint.hits);
}

export async function serializeNotifications(
  ctx: AppContext,
  notifications: Notification[],
  statuses: Map<string, Status>,
  viewer: Account,
): Promise<MastodonNotification[]> {
  if (notifications.length === 0) return [];
  const wanted = notificationStatusIds(notifications)
    .map((id) => statuses.get(id))
    .filter((s): s is Status => !!s);
  const bundle = await hydrateWithAccounts(
    ctx,
    notifications.map((n) => n.from_account_id),
    wanted,
    viewer,
  );
  return toMastodonNotifications(ctx, notifications, bundle);
}

export async function serializeConversations(
  ctx: AppContext,
  rows: ConversationRow[],
  viewer: Account,
): Promise<MastodonConversation[]> {
  if (rows.length === 0) return [];
  const bundle = await hydrateWithAccounts(
    ctx,
    [viewer.id, ...rows.flatMap((r) => r.participantIds)],
    rows.map((r) => r.lastStatus),
    viewer,
  );
  return toMastodonConversations(ctx, rows, bundle, viewer);
}

export async function serializePoll(
  ctx: AppContext,
  poll: Poll,
  viewerId: string | null,
): Promise<MastodonPoll> {
  return toMastodonPoll(ctx, await hydratePoll(ctx, poll, viewerId), viewerId);
}

export async function serializeCredentialAccount(
  ctx: AppContext,
  account: Account,
  user: User,
): Promise<MastodonCredentialAccount> {
  return toCredentialAccount(ctx, await hydrateCredentialAccount(ctx, account, user));
}
