/**
 * The notification policy (/api/v2/notifications/policy, and the 4.3 beta's v1 shape some clients
 * still call) and the requests holding what it filtered (/api/v1/notifications/requests).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import type { AccountView } from "../../core/accounts/hydrate.ts";
import {
  type NotificationPolicy,
  POLICY_KEYS,
  policyOf,
  updatePolicy,
} from "../../core/notifications/policy.ts";
import {
  acceptRequests,
  dismissRequests,
  getRequest,
  listRequests,
  policySummary,
  type RequestPage,
} from "../../core/notifications/requests.ts";
import { hydrateWithAccounts } from "../../core/statuses/hydrate.ts";
import type { Account } from "../../store/schema.ts";
import { type Ctx, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate, zBool, zId, zList } from "../params.ts";
import { serializeAccount } from "./serializers/account.ts";
import { toMastodonStatuses } from "./serializers/status.ts";

const Value = z.enum(["accept", "filter", "drop"], {
  error: "Validation failed: Policy must be one of accept, filter or drop",
});
const V2Body = z.object(Object.fromEntries(POLICY_KEYS.map((k) => [k, Value.optional()]))) as z.ZodType<
  Partial<NotificationPolicy>
>;
const V1_KEYS = {
  filter_not_following: "for_not_following",
  filter_not_followers: "for_not_followers",
  filter_new_accounts: "for_new_accounts",
  filter_private_mentions: "for_private_mentions",
} as const;
const V1Body = z.object(
  Object.fromEntries(Object.keys(V1_KEYS).map((k) => [k, zBool.optional()])),
) as z.ZodType<Partial<Record<keyof typeof V1_KEYS, boolean>>>;
// as Mastodon, no ids is a no-op (masto.js calls the bulk forms without any)
const Ids = z.object({ id: zList(zId).pipe(z.array(zId).max(100).optional()) });

async function summary(ctx: AppContext, accountId: string) {
  const s = await policySummary(ctx, accountId);
  return { pending_requests_count: s.pendingRequests, pending_notifications_count: s.pendingNotifications };
}

async function renderV2(ctx: AppContext, accountId: string, policy: NotificationPolicy) {
  return { ...policy, summary: await summary(ctx, accountId) };
}

async function renderV1(ctx: AppContext, accountId: string, policy: NotificationPolicy) {
  const out: Record<string, unknown> = {};
  for (const [v1, v2] of Object.entries(V1_KEYS)) out[v1] = policy[v2] !== "accept";
  return { ...out, summary: await summary(ctx, accountId) };
}

/** NotificationRequest entities: the sender in full and the last status when still visible. */
async function renderRequests(ctx: AppContext, page: RequestPage, viewer: Account) {
  const bundle = await hydrateWithAccounts(
    ctx,
    page.requests.map((r) => r.from_account_id),
    [...page.statuses.values()],
    viewer,
  );
  const statuses = new Map(toMastodonStatuses(ctx, bundle.statuses).map((s) => [s.id, s]));
  return page.requests.flatMap((r) => {
    const account = bundle.accounts.get(r.from_account_id) as AccountView | undefined;
    if (!account || account.suspended_at) return [];
    return [
      {
        id: r.id,
        created_at: r.created_at,
        updated_at: r.updated_at,
        account: serializeAccount(ctx, account),
        // Mastodon sends the count as a string
        notifications_count: String(r.notifications_count),
        last_status: (r.last_status_id && statuses.get(r.last_status_id)) || null,
      },
    ];
  });
}

export function notificationRequestsRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const id = (c: Ctx) => c.req.param("id") as string;

  app.get("/api/v2/notifications/policy", async (c) => {
    const v = requireUser(c, "read:notifications");
    return c.json(await renderV2(ctx, v.account.id, await policyOf(ctx, v.account.id)));
  });
  app.on(["PATCH", "PUT"], "/api/v2/notifications/policy", async (c) => {
    const v = requireUser(c, "write:notifications");
    const changes = validate(V2Body, await allParams(c));
    return c.json(await renderV2(ctx, v.account.id, await updatePolicy(ctx, v.account.id, changes)));
  });
  app.get("/api/v1/notifications/policy", async (c) => {
    const v = requireUser(c, "read:notifications");
    return c.json(await renderV1(ctx, v.account.id, await policyOf(ctx, v.account.id)));
  });
  app.on(["PATCH", "PUT"], "/api/v1/notifications/policy", async (c) => {
    const v = requireUser(c, "write:notifications");
    const body = validate(V1Body, await allParams(c));
    const changes: Partial<NotificationPolicy> = {};
    for (const [v1, v2] of Object.entries(V1_KEYS)) {
      const on = body[v1 as keyof typeof V1_KEYS];
      if (on !== undefined) changes[v2] = on ? "filter" : "accept";
    }
    return c.json(await renderV1(ctx, v.account.id, await updatePolicy(ctx, v.account.id, changes)));
  });

  app.get("/api/v1/notifications/requests", async (c) => {
    const v = requireUser(c, "read:notifications");
    const page = await listRequests(ctx, v.account.id, parsePage(queryParams(c), 40, 80));
    setLinkHeader(c, page.cursorIds);
    return c.json(await renderRequests(ctx, page, v.account));
  });
  // accepting merges at once, so there is never a merge under way
  app.get("/api/v1/notifications/requests/merged", (c) => {
    requireUser(c, "read:notifications");
    return c.json({ merged: true });
  });
  app.get("/api/v1/notifications/requests/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "read:notifications");
    const [entity] = await renderRequests(ctx, await getRequest(ctx, v.account.id, id(c)), v.account);
    if (!entity) return c.json({ error: "Record not found" }, 404);
    return c.json(entity);
  });

  const actions = { accept: acceptRequests, dismiss: dismissRequests };
  for (const [name, action] of Object.entries(actions)) {
    app.post(`/api/v1/notifications/requests/${name}`, async (c) => {
      const v = requireUser(c, "write:notifications");
      await action(ctx, v.account.id, [...new Set(validate(Ids, await allParams(c)).id ?? [])]);
      return c.json({});
    });
    app.post(`/api/v1/notifications/requests/:id{[0-9]+}/${name}`, async (c) => {
      const v = requireUser(c, "write:notifications");
      await action(ctx, v.account.id, [id(c)], { single: true });
      return c.json({});
    });
  }

  return app;
}
