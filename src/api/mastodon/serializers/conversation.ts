import type { AppContext } from "../../../app.ts";
import type { ConversationRow } from "../../../core/conversations.ts";
import type { Account } from "../../../store/schema.ts";
import { loadAccountsById, type MastodonAccount, serializeAccount } from "./account.ts";
import { type MastodonStatus, serializeStatuses } from "./status.ts";

export interface MastodonConversation {
  id: string;
  unread: boolean;
  accounts: MastodonAccount[];
  last_status: MastodonStatus | null;
}

/** Conversation entities; `accounts` are the other participants (oneself when alone, as Mastodon). */
export async function serializeConversations(
  ctx: AppContext,
  rows: ConversationRow[],
  viewer: Account,
): Promise<MastodonConversation[]> {
  if (rows.length === 0) return [];
  const accounts = await loadAccountsById(ctx, [viewer.id, ...rows.flatMap((r) => r.participantIds)]);
  const statuses = await serializeStatuses(
    ctx,
    rows.map((r) => r.lastStatus),
    viewer,
  );
  const byId = new Map(statuses.map((s) => [s.id, s]));
  return rows.map((r) => {
    const others = r.participantIds.map((id) => accounts.get(id)).filter((a): a is Account => !!a);
    return {
      id: r.id,
      unread: r.unread,
      accounts: (others.length ? others : [viewer]).map((a) => serializeAccount(ctx, a)),
      last_status: byId.get(r.lastStatus.id) ?? null,
    };
  });
}
