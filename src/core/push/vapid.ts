/**
 * The instance's VAPID key pair (RFC 8292): generated once, on first use, and kept in
 * server_secrets so every process and every restart signs with the same key — a subscription is
 * bound to the public key it was made with (browsers pass it as applicationServerKey), so a new key
 * would silently orphan every subscription.
 */
import type { AppContext } from "../../app.ts";
import { serverSecret } from "../auth/secrets.ts";
import { generateVapidPrivateKey, toBase64Url, type VapidKeys, vapidKeysFrom } from "./web-push-crypto.ts";

const VAPID_SECRET = "vapid_private_key";

export async function vapidKeys(ctx: AppContext): Promise<VapidKeys> {
  return vapidKeysFrom(await serverSecret(ctx, VAPID_SECRET, generateVapidPrivateKey));
}

/** base64url of the uncompressed public key: `configuration.vapid.public_key`, `vapid_key`, `server_key`. */
export async function vapidPublicKey(ctx: AppContext): Promise<string> {
  return toBase64Url((await vapidKeys(ctx)).publicKey);
}

/** Who push services may contact about our traffic: the admin's address, else the instance. */
export function vapidSubject(ctx: AppContext): string {
  const email = ctx.config.contactEmail.trim();
  return email ? `mailto:${email}` : ctx.config.baseUrl;
}
