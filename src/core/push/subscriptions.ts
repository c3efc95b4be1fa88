/**
 * Web Push subscriptions as Mastodon keeps them: one per access token, holding the push endpoint,
 * the browser's keys, which notification types to push (`alerts`) and from whom (`policy`). Made,
 * replaced and removed by the token's holder; removed with the token (revocation, see
 * forgetPushSubscriptions) and by the push service (404/410, see deliver.ts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { PushSubscription } from "../../store/schema.ts";
import { serverSecret } from "../auth/secrets.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { plausibleEndpoint } from "./endpoint-guard.ts";
import { fromBase64, validSubscriptionKeys } from "./web-push-crypto.ts";

/** The alert keys Mastodon 4.5 accepts (its Notification::TYPES clients subscribe to). */
export const PUSH_ALERT_TYPES = [
  "mention",
  "status",
  "reblog",
  "follow",
  "follow_request",
  "favourite",
  "poll",
  "update",
  "admin.sign_up",
  "admin.report",
  "quote",
  "quoted_update",
] as const;
export type PushAlertType = (typeof PUSH_ALERT_TYPES)[number];
export type PushAlerts = Partial<Record<PushAlertType, boolean>>;

export const PUSH_POLICIES = ["all", "followed", "follower", "none"] as const;
export type PushPolicy = (typeof PUSH_POLICIES)[number];

export interface PushData {
  alerts?: PushAlerts;
  policy?: PushPolicy;
}

/** The token a request came with: its row id, its owner and the bearer string itself. */
export interface PushGrant {
  tokenId: string;
  userId: string;
  accountId: string;
  accessToken: string;
}

export interface NewPushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
  standard: boolean;
  data: PushData;
}

export function subscriptionAlerts(sub: Pick<PushSubscription, "alerts">): PushAlerts {
  try {
    const parsed = JSON.parse(sub.alerts) as Record<string, unknown>;
    const out: PushAlerts = {};
    for (const t of PUSH_ALERT_TYPES) if (parsed[t] === true) out[t] = true;
    return out;
  } catch {
    return {};
  }
}

function storedAlerts(alerts: PushAlerts | undefined): string {
  const out: PushAlerts = {};
  for (const t of PUSH_ALERT_TYPES) if (alerts?.[t]) out[t] = true;
  return JSON.stringify(out);
}

// The bearer token rides in the payload (clients use it to fetch the notification and to tell
// accounts apart) but oauth_tokens keeps only its hash, so the subscription keeps it sealed.
const SEAL_SECRET = "push_token_seal";

export function pushSealKey(ctx: AppContext): Promise<Buffer> {
  return serverSecret(ctx, SEAL_SECRET);
}

async function seal(ctx: AppContext, token: string): Promise<string> {
  return sealWith(await pushSealKey(ctx), token);
}

function sealWith(key: Buffer, token: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([c.update(token, "utf8"), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]).toString("base64url");
}

export async function unsealAccessToken(ctx: AppContext, sealed: string): Promise<string | null> {
  try {
    const key = await serverSecret(ctx, SEAL_SECRET);
    const raw = Buffer.from(sealed, "base64url");
    const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
  } catch {
    return null;
  }
}

function checkEndpoint(ctx: AppContext, endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ValidationError("Validation failed: Endpoint is not a valid URL");
  }
  if (!plausibleEndpoint(ctx, url)) {
    throw new ValidationError("Validation failed: Endpoint must be a public https URL");
  }
}

/**
 * Subscribes the token, replacing its previous subscription (Mastodon's POST). Keys are checked as
 * a browser made them: p256dh a P-256 point, auth present.
 */
export async function subscribePush(
  ctx: AppContext,
  grant: PushGrant,
  input: NewPushSubscription,
): Promise<PushSubscription> {
  checkEndpoint(ctx, input.endpoint);
  if (!validSubscriptionKeys({ p256dh: fromBase64(input.p256dh), auth: fromBase64(input.auth) })) {
    throw new ValidationError("Validation failed: Invalid key");
  }
  const nowIso = ctx.now().toISOString();
  const row: PushSubscription = {
    id: ctx.ids(),
    access_token_id: grant.tokenId,
    user_id: grant.userId,
    account_id: grant.accountId,
    endpoint: input.endpoint,
    key_p256dh: input.p256dh,
    key_auth: input.auth,
    standard: input.standard ? 1 : 0,
    alerts: storedAlerts(input.data.alerts),
    policy: input.data.policy ?? "all",
    access_token_sealed: await seal(ctx, grant.accessToken),
    created_at: nowIso,
    updated_at: nowIso,
  };
  // one statement, so two requests racing with one token leave one subscription, never an error
  const { access_token_id: _, ...replacement } = row;
  await ctx.db
    .insertInto("push_subscriptions")
    .values(row)
    .onConflict((oc) => oc.column("access_token_id").doUpdateSet(replacement))
    .execute();
  return row;
}

export async function tokenPushSubscription(
  ctx: AppContext,
  tokenId: string,
): Promise<PushSubscription | null> {
  const row = await ctx.db
    .selectFrom("push_subscriptions")
    .selectAll()
    .where("access_token_id", "=", tokenId)
    .executeTakeFirst();
  return row ?? null;
}

/** Mastodon's PUT: `data` replaces the alerts and policy (what is not sent is off, policy "all"). */
export async function updatePushData(
  ctx: AppContext,
  tokenId: string,
  data: PushData,
): Promise<PushSubscription> {
  const alerts = storedAlerts(data.alerts);
  const policy = data.policy ?? "all";
  const updatedAt = ctx.now().toISOString();
  const res = await ctx.db
    .updateTable("push_subscriptions")
    .set({ alerts, policy, updated_at: updatedAt })
    .where("access_token_id", "=", tokenId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError();
  const row = await tokenPushSubscription(ctx, tokenId);
  if (!row) throw new NotFoundError();
  return row;
}

export async function unsubscribePush(ctx: AppContext, tokenId: string): Promise<void> {
  await ctx.db.deleteFrom("push_subscriptions").where("access_token_id", "=", tokenId).execute();
}

/**
 * A revoked token's subscription goes with it (called by every revocation path; the delivery job
 * also refuses a subscription whose token is no longer live, in case a process died in between).
 */
export async function forgetPushSubscriptions(
  ctx: AppContext,
  revoked: { tokenIds?: readonly string[]; userIds?: readonly string[] },
): Promise<void> {
  if (revoked.tokenIds?.length) {
    await ctx.db
      .deleteFrom("push_subscriptions")
      .where("access_token_id", "in", [...revoked.tokenIds])
      .execute();
  }
  if (revoked.userIds?.length) {
    await ctx.db
      .deleteFrom("push_subscriptions")
      .where("user_id", "in", [...revoked.userIds])
      .execute();
  }
}

/**
 * A refreshed token keeps its subscription: the new token takes it over in the rotation's
 * transaction (Mastodon has no rotation; an app that refreshes must not lose push, and no delivery
 * may find the old token revoked with the subscription still on it). `sealKey` from pushSealKey,
 * read before the transaction.
 */
export async function movePushSubscription(
  ctx: AppContext,
  trx: Db,
  fromTokenId: string,
  to: { tokenId: string; accessToken: string },
  sealKey: Buffer,
): Promise<void> {
  await trx
    .updateTable("push_subscriptions")
    .set({
      access_token_id: to.tokenId,
      access_token_sealed: sealWith(sealKey, to.accessToken),
      updated_at: ctx.now().toISOString(),
    })
    .where("access_token_id", "=", fromTokenId)
    .execute();
}
