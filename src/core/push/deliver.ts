/**
 * The `push.deliver` job: one notification to one subscription, as Mastodon's
 * Web::PushNotificationWorker sends it — the JSON of payload.ts encrypted for the subscription
 * (aes128gcm when it was made `standard`, else the legacy aesgcm), a VAPID token for the push
 * service's origin, TTL 48 h, Urgency normal.
 *
 * Outcomes: 2xx delivered; 404/410 the subscription has expired and is removed (RFC 8030 §7.3);
 * 408, 429 and 5xx (and network errors) are thrown, so the queue retries with backoff; any other
 * 4xx means this message cannot be taken and is dropped with a warning.
 */
import type { AppContext } from "../../app.ts";
import { EndpointRefusedError, pushFetch } from "./endpoint-guard.ts";
import { pushable } from "./notify.ts";
import { type PushMessage, pushBody, pushTitle } from "./payload.ts";
import { unsealAccessToken } from "./subscriptions.ts";
import { vapidKeys, vapidSubject } from "./vapid.ts";
import {
  encryptAes128gcm,
  encryptAesgcm,
  fromBase64,
  MAX_PLAINTEXT_BYTES,
  toBase64Url,
  vapidJwt,
} from "./web-push-crypto.ts";

/** How long the push service keeps an undelivered message (Mastodon: 48 hours). */
const TTL_SECONDS = 48 * 3600;
/** VAPID tokens last 12 hours (push services refuse more than 24). */
const JWT_LIFETIME_MS = 12 * 3600_000;

export class PushRetryError extends Error {}

async function loadDelivery(ctx: AppContext, subscriptionId: string, notificationId: string) {
  const nowIso = ctx.now().toISOString();
  const sub = await ctx.db
    .selectFrom("push_subscriptions as s")
    .innerJoin("oauth_tokens as t", "t.id", "s.access_token_id")
    .innerJoin("users as u", "u.id", "s.user_id")
    .selectAll("s")
    .select(["u.locale", "u.disabled", "t.revoked_at", "t.expires_at"])
    .where("s.id", "=", subscriptionId)
    .executeTakeFirst();
  if (!sub) return null;
  // revocation removes the subscription too; one made with a token revoked meanwhile (another
  // process's token cache may accept it a few seconds longer) is removed here
  if (sub.revoked_at) {
    await ctx.db.deleteFrom("push_subscriptions").where("id", "=", sub.id).execute();
    return null;
  }
  if ((sub.expires_at && sub.expires_at <= nowIso) || sub.disabled) return null;
  const n = await ctx.db
    .selectFrom("notifications as n")
    .innerJoin("accounts as a", "a.id", "n.from_account_id")
    .leftJoin("statuses as s", "s.id", "n.status_id")
    .leftJoin("statuses as o", "o.id", "s.reblog_of_id")
    .select([
      "n.id",
      "n.type",
      "n.account_id",
      "n.from_account_id",
      "a.username",
      "a.display_name",
      "a.avatar_url",
      "a.note",
      "s.spoiler_text",
      "s.content",
      "o.spoiler_text as original_spoiler_text",
      "o.content as original_content",
    ])
    .where("n.id", "=", notificationId)
    .executeTakeFirst();
  if (!n || n.account_id !== sub.account_id) return null;
  return { sub, n };
}

export async function deliverPush(
  ctx: AppContext,
  subscriptionId: string,
  notificationId: string,
): Promise<void> {
  const found = await loadDelivery(ctx, subscriptionId, notificationId);
  if (!found) return;
  const { sub, n } = found;
  if (!(await pushable(ctx.db, sub, { recipientId: n.account_id, fromId: n.from_account_id, type: n.type })))
    return;
  const accessToken = await unsealAccessToken(ctx, sub.access_token_sealed);
  if (!accessToken) {
    ctx.logger.warn({ subscriptionId }, "push subscription token cannot be unsealed; removing it");
    await ctx.db.deleteFrom("push_subscriptions").where("id", "=", sub.id).execute();
    return;
  }
  const reblogged = n.original_content !== null;
  const message: PushMessage = {
    access_token: accessToken,
    preferred_locale: sub.locale,
    notification_id: n.id,
    notification_type: n.type,
    icon: n.avatar_url ?? ctx.uris.defaultImage("avatar"),
    title: pushTitle(sub.locale, n.type, n.display_name.trim() || n.username),
    body: pushBody({
      spoilerText: reblogged ? n.original_spoiler_text : n.spoiler_text,
      contentHtml: reblogged ? n.original_content : n.content,
      noteHtml: n.note,
    }),
  };
  const endpoint = new URL(sub.endpoint);
  const keys = { p256dh: fromBase64(sub.key_p256dh), auth: fromBase64(sub.key_auth) };
  const vapid = await vapidKeys(ctx);
  const jwt = vapidJwt(
    vapid,
    endpoint.origin,
    new Date(ctx.now().getTime() + JWT_LIFETIME_MS),
    vapidSubject(ctx),
  );
  const publicKey = toBase64Url(vapid.publicKey);
  let plaintext = Buffer.from(JSON.stringify(message), "utf8");
  // a remote avatar URL is the one unbounded part: without it the message always fits
  if (plaintext.length > MAX_PLAINTEXT_BYTES)
    plaintext = Buffer.from(JSON.stringify({ ...message, icon: "" }));
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    ctx.logger.warn({ subscriptionId, bytes: plaintext.length }, "push message too long; not sent");
    return;
  }
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    ttl: String(TTL_SECONDS),
    urgency: "normal",
  };
  let body: Buffer;
  if (sub.standard) {
    body = encryptAes128gcm(plaintext, keys);
    headers["content-encoding"] = "aes128gcm";
    // Mastodon's exact form (no space after the comma): relays written against it parse this
    headers.authorization = `vapid t=${jwt},k=${publicKey}`;
  } else {
    const legacy = encryptAesgcm(plaintext, keys);
    body = legacy.body;
    headers["content-encoding"] = "aesgcm";
    headers.encryption = `salt=${toBase64Url(legacy.salt)}`;
    headers["crypto-key"] = `dh=${toBase64Url(legacy.senderPublicKey)};p256ecdsa=${publicKey}`;
    headers.authorization = `WebPush ${jwt}`;
  }

  let res: Response;
  try {
    res = await pushFetch(ctx, endpoint, { method: "POST", headers, body: new Uint8Array(body) });
  } catch (err) {
    if (err instanceof EndpointRefusedError) {
      ctx.logger.warn({ subscriptionId, reason: err.message }, "push endpoint refused");
      return;
    }
    throw err; // network error or timeout: retried with backoff
  }
  await res.body?.cancel();
  if (res.status >= 200 && res.status < 300) return;
  if (res.status === 404 || res.status === 410) {
    await ctx.db.deleteFrom("push_subscriptions").where("id", "=", sub.id).execute();
    return;
  }
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    throw new PushRetryError(`push service answered ${res.status}`);
  }
  ctx.logger.warn({ subscriptionId, status: res.status }, "push service refused the message");
}
