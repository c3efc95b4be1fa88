import type { AccountView } from "../../../core/accounts/hydrate.ts";
import type { ConversationRow } from "../../../core/conversations.ts";
import type { AccountsAndStatuses } from "../../../core/statuses/hydrate.ts";
import { type MastodonAccount, serializeAccount } from "./account.ts";
import type { RenderContext } from "./context.ts";
import { type MastodonStatus, toMastodonStatuses } from "./status.ts";

export interface MastodonConversation {
  id: string;
  unread: boolean;
  accounts: MastodonAccount[];
  last_status: MastodonStatus | null;
}

/** Conversation entities; `accounts` are the other participants (oneself when alone, as Mastodon). */
export function toMastodonConversations(
  ctx: RenderContext,
  rows: readonly ConversationRow[],
  bundle: AccountsAndStatuses,
  viewer: AccountView,
): MastodonConversation[] {
  const byId = new Map(toMastodonStatuses(ctx, bundle.statuses).map((s) => [s.id, s]));
  return rows.map((r) => {
    const others = r.participantIds.map((id) => bundle.accounts.get(id)).filter((a): a is AccountView => !!a);
    return {
      id: r.id,
      unread: r.unread,
      accounts: (others.length ? others : [viewer]).map((a) => serializeAccount(ctx, a)),
      last_status: byId.get(r.lastStatus.id) ?? null,
    };
  });
}
