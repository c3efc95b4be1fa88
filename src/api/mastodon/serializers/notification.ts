import type { AccountsAndStatuses } from "../../../core/statuses/hydrate.ts";
import type { Notification } from "../../../store/schema.ts";
import { type MastodonAccount, serializeAccount } from "./account.ts";
import type { RenderContext } from "./context.ts";
import { type MastodonStatus, toMastodonStatuses } from "./status.ts";

export interface MastodonNotification {
  id: string;
  type: string;
  created_at: string;
  group_key: string;
  account: MastodonAccount;
  status?: MastodonStatus;
}

/** The statuses notifications refer to, once each, in the order of their first reference. */
export function notificationStatusIds(notifications: readonly Pick<Notification, "status_id">[]): string[] {
  return [...new Set(notifications.map((n) => n.status_id).filter((id): id is string => !!id))];
}

/**
 * Notification entities from their hydrated accounts and statuses. Entries whose account or
 * (expected) status cannot be shown are dropped.
 */
export function toMastodonNotifications(
  ctx: RenderContext,
  notifications: readonly Notification[],
  bundle: AccountsAndStatuses,
): MastodonNotification[] {
  const byId = new Map(toMastodonStatuses(ctx, bundle.statuses).map((s) => [s.id, s]));
  const out: MastodonNotification[] = [];
  for (const n of notifications) {
    const account = bundle.accounts.get(n.from_account_id);
    if (!account) continue;
    const entry: MastodonNotification = {
      id: n.id,
      type: n.type,
      created_at: n.created_at,
      group_key: n.group_key ?? `ungrouped-${n.id}`,
      account: serializeAccount(ctx, account),
    };
    if (n.status_id) {
      const status = byId.get(n.status_id);
      if (!status) continue;
      entry.status = status;
    }
    out.push(entry);
  }
  return out;
}
