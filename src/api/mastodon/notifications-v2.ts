/**
 * Grouped notifications (/api/v2/notifications, Mastodon 4.3). The notification policy and requests
 * are in notification-requests.ts.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { type AccountView, loadAccountsById } from "../../core/accounts/hydrate.ts";
import {
  dismissNotificationGroup,
  getNotificationGroup,
  listNotificationGroups,
  type NotificationGroup,
  notificationGroupAccountIds,
  unreadGroupCount,
} from "../../core/notifications/groups.ts";
import { type AccountsAndStatuses, hydrateWithAccounts } from "../../core/statuses/hydrate.ts";
import type { Account, Status } from "../../store/schema.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams, validate, zBool, zId, zList } from "../params.ts";
import { serializeAccount } from "./serializers/account.ts";
import { toMastodonStatuses } from "./serializers/status.ts";

const TypeList = zList(z.string().max(64)).refine((l) => !l || l.length <= 20, "too many types");
const GroupQuery = z.object({
  types: TypeList,
  exclude_types: TypeList,
  grouped_types: TypeList,
  account_id: zId.optional(),
  include_filtered: zBool.optional(),
  expand_accounts: z
    .enum(["full", "partial_avatars"], {
      error: "Invalid value for 'expand_accounts', allowed values are 'full' and 'partial_avatars'",
    })
    .optional(),
});
const CountQuery = GroupQuery.extend({
  limit: z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : v;
    return typeof n === "number" && !Number.isNaN(n) ? Math.max(1, Math.min(1000, n)) : 100;
  }, z.number()),
});
const GroupKey = z.string().min(1).max(200);
const STATUS_TYPES = new Set(["favourite", "reblog", "status", "mention", "poll", "update"]);

/** The DedupNotificationGroup body: groups plus the accounts and statuses they refer to, once each. */
async function groupedBody(
  ctx: AppContext,
  groups: NotificationGroup[],
  statuses: Map<string, Status>,
  viewer: Account,
  expand: "full" | "partial_avatars",
) {
  const wanted = [...new Set(groups.map((g) => g.statusId).filter((id): id is string => !!id))]
    .map((id) => statuses.get(id))
    .filter((s): s is Status => !!s);
  const bundle = await hydrateWithAccounts(
    ctx,
    groups.flatMap((g) => g.sampleAccountIds),
    wanted,
    viewer,
  );
  return renderGroupedBody(ctx, groups, bundle, expand);
}

function renderGroupedBody(
  ctx: AppContext,
  groups: NotificationGroup[],
  bundle: AccountsAndStatuses,
  expand: "full" | "partial_avatars",
) {
  const { accounts } = bundle;
  const serializedStatuses = toMastodonStatuses(ctx, bundle.statuses);
  const shown = new Set(serializedStatuses.map((s) => s.id));
  const notificationGroups = [];
  for (const g of groups) {
    const sample = g.sampleAccountIds.filter((id) => accounts.has(id) && !accounts.get(id)?.suspended_at);
    if (sample.length === 0) continue;
    if (STATUS_TYPES.has(g.type) && (!g.statusId || !shown.has(g.statusId))) continue;
    notificationGroups.push({
      group_key: g.groupKey,
      notifications_count: g.notificationsCount,
      type: g.type,
      most_recent_notification_id: g.mostRecentNotificationId,
      page_min_id: g.pageMinId,
      page_max_id: g.pageMaxId,
      latest_page_notification_at: g.latestPageNotificationAt,
      sample_account_ids: sample,
      ...(STATUS_TYPES.has(g.type) ? { status_id: g.statusId } : {}),
    });
  }
  // with partial_avatars only each group's newest account is sent in full (Mastodon's presenter)
  const full = new Set<string>();
  const partial = new Set<string>();
  for (const g of notificationGroups) {
    g.sample_account_ids.forEach((id, i) => {
      (expand === "full" || i === 0 ? full : partial).add(id);
    });
  }
  for (const id of full) partial.delete(id);
  const body: Record<string, unknown> = {
    accounts: [...full].map((id) => serializeAccount(ctx, accounts.get(id) as AccountView)),
    statuses: serializedStatuses,
    notification_groups: notificationGroups,
  };
  if (expand === "partial_avatars") {
    body.partial_accounts = [...partial].map((id) => {
      const a = serializeAccount(ctx, accounts.get(id) as AccountView);
      return {
        id: a.id,
        acct: a.acct,
        locked: a.locked,
        bot: a.bot,
        url: a.url,
        avatar: a.avatar,
        avatar_static: a.avatar_static,
      };
    });
  }
  return body;
}

export function notificationsV2Routes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v2/notifications", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const ctx = appOf(c);
    const query = queryParams(c);
    const f = validate(GroupQuery, query);
    const page = await listNotificationGroups(
      ctx,
      viewer.account.id,
      {
        types: f.types,
        excludeTypes: f.exclude_types,
        accountId: f.account_id,
        groupedTypes: f.grouped_types,
        includeFiltered: f.include_filtered,
      },
      parsePage(query, 40, 80),
    );
    setLinkHeader(c, page.cursorIds);
    return c.json(
      await groupedBody(ctx, page.groups, page.statuses, viewer.account, f.expand_accounts ?? "full"),
    );
  });

  app.get("/api/v2/notifications/unread_count", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const f = validate(CountQuery, queryParams(c));
    const count = await unreadGroupCount(
      appOf(c),
      viewer.account.id,
      {
        types: f.types,
        excludeTypes: f.exclude_types,
        accountId: f.account_id,
        groupedTypes: f.grouped_types,
      },
      f.limit,
    );
    return c.json({ count });
  });

  app.get("/api/v2/notifications/:group_key/accounts", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const ctx = appOf(c);
    const key = validate(GroupKey, c.req.param("group_key"));
    const ids = await notificationGroupAccountIds(ctx, viewer.account.id, key);
    const accounts = await loadAccountsById(ctx, ids);
    return c.json(
      ids
        .map((id) => accounts.get(id))
        .filter((a): a is AccountView => !!a && !a.suspended_at)
        .map((a) => serializeAccount(ctx, a)),
    );
  });

  app.post("/api/v2/notifications/:group_key/dismiss", async (c) => {
    const viewer = requireUser(c, "write:notifications");
    await dismissNotificationGroup(appOf(c), viewer.account.id, validate(GroupKey, c.req.param("group_key")));
    return c.json({});
  });

  app.get("/api/v2/notifications/:group_key", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const ctx = appOf(c);
    const key = validate(GroupKey, c.req.param("group_key"));
    const { group, statuses } = await getNotificationGroup(ctx, viewer.account.id, key);
    const body = await groupedBody(ctx, [group], statuses, viewer.account, "full");
    if ((body.notification_groups as unknown[]).length === 0)
      return c.json({ error: "Record not found" }, 404);
    return c.json(body);
  });

  return app;
}
