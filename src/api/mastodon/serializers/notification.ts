import type { AppContext } from "../../../app.ts";
import type { Account, Notification, Status } from "../../../store/schema.ts";
import { loadAccountsById, type MastodonAccount, serializeAccount } from "./account.ts";
import { type MastodonStatus, serializeStatuses } from "./status.ts";

export interface MastodonNotification {
  id: string;
  type: string;
  created_at: string;
  group_key: string;
  account: MastodonAccount;
  status?: MastodonStatus;
}

/**
 * Notification entities, batched: one query for the accounts, one serializeStatuses call. Entries
 * whose account or (expected) status cannot be shown are dropped.
 */
export async function serializeNotifications(
  ctx: AppContext,
  notifications: Notification[],
  statuses: Map<string, Status>,
  viewer: Account,
): Promise<MastodonNotification[]> {
  if (notifications.length === 0) return [];
  const accounts = await loadAccountsById(
    ctx,
    notifications.map((n) => n.from_account_id),
  );
  const wanted = [...new Set(notifications.map((n) => n.status_id).filter((id): id is string => !!id))]
    .map((id) => statuses.get(id))
    .filter((s): s is Status => !!s);
  const serialized = await serializeStatuses(ctx, wanted, viewer);
  const byId = new Map(serialized.map((s) => [s.id, s]));
  const out: MastodonNotification[] = [];
  for (const n of notifications) {
    const account = accounts.get(n.from_account_id);
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
