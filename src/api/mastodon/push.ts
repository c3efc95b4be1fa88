/**
 * Web Push (/api/v1/push/subscription), as Mastodon: one subscription per access token (scope
 * `push`, a user token). POST makes or replaces it, GET shows it, PUT replaces its `data` (alerts
 * and policy), DELETE removes it. Form (`subscription[keys][p256dh]=…`) and JSON bodies alike.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { UnauthorizedError } from "../../core/errors.ts";
import {
  PUSH_ALERT_TYPES,
  PUSH_POLICIES,
  type PushAlerts,
  type PushData,
  type PushGrant,
  subscribePush,
  subscriptionAlerts,
  tokenPushSubscription,
  unsubscribePush,
  updatePushData,
} from "../../core/push/subscriptions.ts";
import { vapidPublicKey } from "../../core/push/vapid.ts";
import type { PushSubscription } from "../../store/schema.ts";
import { appOf, type Ctx, type HonoEnv, requireUser } from "../context.ts";
import { allParams, validate, zBool } from "../params.ts";

const base64Key = z
  .string({ error: "can't be blank" })
  .trim()
  .min(1, "can't be blank")
  .max(512)
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, "is not base64");

const Alerts = z
  .object(Object.fromEntries(PUSH_ALERT_TYPES.map((t) => [t, zBool.optional()])) as Record<string, z.ZodType>)
  .optional();

const Policy = z.enum(PUSH_POLICIES, { error: `must be one of ${PUSH_POLICIES.join(", ")}` }).optional();

const Data = z.object({ alerts: Alerts, policy: Policy }).optional();

const Create = z.object({
  subscription: z.object(
    {
      endpoint: z.string({ error: "can't be blank" }).trim().min(1, "can't be blank").max(4096),
      keys: z.object({ p256dh: base64Key, auth: base64Key }, { error: "keys are required" }),
      standard: zBool.optional(),
    },
    { error: "subscription is required" },
  ),
  data: Data,
  policy: Policy,
});

const Update = z.object({ data: Data, policy: Policy });

/** `data[policy]` as Mastodon reads it; a top-level `policy` (masto.js offers one) when that is absent. */
function pushData(p: { data?: z.output<typeof Data>; policy?: z.output<typeof Policy> }): PushData {
  const alerts: PushAlerts = {};
  for (const t of PUSH_ALERT_TYPES) if (p.data?.alerts?.[t] === true) alerts[t] = true;
  return { alerts, policy: p.data?.policy ?? p.policy };
}

/** Mastodon's WebPushSubscription entity; every alert key is present (false when off). */
export function serializePushSubscription(sub: PushSubscription, serverKey: string) {
  const on = subscriptionAlerts(sub);
  return {
    id: sub.id,
    endpoint: sub.endpoint,
    standard: sub.standard === 1,
    alerts: Object.fromEntries(PUSH_ALERT_TYPES.map((t) => [t, on[t] === true])),
    policy: sub.policy,
    server_key: serverKey,
  };
}

function pushGrant(c: Ctx): PushGrant {
  const viewer = requireUser(c, "push");
  const accessToken = c.get("accessToken");
  if (!accessToken) throw new UnauthorizedError("The access token is invalid");
  return { tokenId: viewer.grant.tokenId, userId: viewer.user.id, accountId: viewer.account.id, accessToken };
}

export function pushRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const path = "/api/v1/push/subscription";
  const render = async (c: Ctx, sub: PushSubscription) =>
    c.json(serializePushSubscription(sub, await vapidPublicKey(ctx)));

  app.get(path, async (c) => {
    const grant = pushGrant(c);
    const sub = await tokenPushSubscription(appOf(c), grant.tokenId);
    if (!sub) return c.json({ error: "Record not found" }, 404);
    return render(c, sub);
  });

  app.post(path, async (c) => {
    const grant = pushGrant(c);
    const p = validate(Create, await allParams(c));
    const sub = await subscribePush(appOf(c), grant, {
      endpoint: p.subscription.endpoint,
      p256dh: p.subscription.keys.p256dh,
      auth: p.subscription.keys.auth,
      standard: p.subscription.standard ?? false,
      data: pushData(p),
    });
    return render(c, sub);
  });

  app.put(path, async (c) => {
    const grant = pushGrant(c);
    const p = validate(Update, await allParams(c));
    const existing = await tokenPushSubscription(appOf(c), grant.tokenId);
    if (!existing) return c.json({ error: "Record not found" }, 404);
    return render(c, await updatePushData(appOf(c), grant.tokenId, pushData(p)));
  });

  app.delete(path, async (c) => {
    const grant = pushGrant(c);
    await unsubscribePush(appOf(c), grant.tokenId);
    return c.json({});
  });

  return app;
}
