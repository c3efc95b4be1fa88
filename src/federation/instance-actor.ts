/**
 * The instance actor: an Application named after the domain at `/actor` (Mastodon's shape), whose
 * key signs what the server does in its own name — fetches of remote objects (servers in
 * "authorized fetch" mode answer only signed requests) and the Flags of forwarded reports. It is no
 * account: its RSA key is an installation secret (server_secrets), made on first use, so every
 * process signs with the same key. Fedify routes only `/users/{identifier}`, so the document and
 * its WebFinger answer are served here.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import type { Context, DocumentLoader, SenderKeyPair } from "@fedify/fedify";
import { Application, CryptographicKey, Endpoints } from "@fedify/fedify/vocab";
import { type AppContext, owned, resourceKey } from "../app.ts";
import { serverSecret } from "../core/auth/secrets.ts";

const SECRET = "federation.instance-actor.rsa";

interface InstanceKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** The context's keys once loaded; a failed load (the database away) is tried again next time. */
const keysKey = resourceKey("federation.instance-actor", () => ({
  keys: null as Promise<InstanceKeys> | null,
}));

async function loadKeys(ctx: AppContext): Promise<InstanceKeys> {
  const der = await serverSecret(ctx, SECRET, () =>
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "der" }),
  );
  const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  return {
    privateKey: key.toCryptoKey(algorithm, true, ["sign"]) as unknown as CryptoKey,
    publicKey: createPublicKey(key).toCryptoKey(algorithm, true, ["verify"]) as unknown as CryptoKey,
  };
}

function instanceKeys(ctx: AppContext): Promise<InstanceKeys> {
  const holder = owned(ctx, keysKey);
  if (!holder.keys) {
    const p = loadKeys(ctx);
    holder.keys = p;
    p.catch(() => {
      if (holder.keys === p) holder.keys = null;
    });
  }
  return holder.keys;
}

/** What Fedify signs with in the instance's name (sendActivity, signed document loaders). */
export async function instanceSender(ctx: AppContext): Promise<SenderKeyPair> {
  const { privateKey } = await instanceKeys(ctx);
  return { keyId: new URL(ctx.uris.instanceActorKey()), privateKey };
}

/** A document loader whose GETs are signed by the instance actor (authorized fetch). */
export async function instanceDocumentLoader(fctx: Context<AppContext>): Promise<DocumentLoader> {
  return fctx.getDocumentLoader(await instanceSender(fctx.data));
}

export async function instanceActor(ctx: AppContext): Promise<Application> {
  const { publicKey } = await instanceKeys(ctx);
  const id = new URL(ctx.uris.instanceActor());
  return new Application({
    id,
    preferredUsername: ctx.config.domain,
    name: ctx.config.domain,
    url: new URL(`${ctx.uris.base}/`),
    // it receives nothing of its own: what is addressed to it lands in the shared inbox
    inbox: new URL(ctx.uris.sharedInbox()),
    outbox: null,
    endpoints: new Endpoints({ sharedInbox: new URL(ctx.uris.sharedInbox()) }),
    manuallyApprovesFollowers: true,
    publicKey: new CryptographicKey({ id: new URL(ctx.uris.instanceActorKey()), owner: id, publicKey }),
  });
}

const AP_TYPES = /application\/(activity\+json|ld\+json)/;

/** GET /actor: the instance actor's JSON-LD (a browser is sent to the front page). */
export async function instanceActorResponse(fctx: Context<AppContext>, request: Request): Promise<Response> {
  const ctx = fctx.data;
  if (!AP_TYPES.test(request.headers.get("accept") ?? "")) return Response.redirect(`${ctx.uris.base}/`, 302);
  const actor = await instanceActor(ctx);
  const json = await actor.toJsonLd({ contextLoader: fctx.contextLoader, format: "compact" });
  return new Response(JSON.stringify(json), {
    headers: { "Content-Type": "application/activity+json", Vary: "Accept" },
  });
}

/**
 * WebFinger for the instance actor: `acct:<domain>@<domain>` (what Mastodon answers) or its URL;
 * null for any other resource (Fedify answers those).
 */
export function instanceWebFinger(ctx: AppContext, resource: string | null): Response | null {
  if (!resource) return null;
  const domain = ctx.config.domain.toLowerCase();
  const uri = ctx.uris.instanceActor();
  if (resource.toLowerCase() !== `acct:${domain}@${domain}` && resource !== uri) return null;
  const body = {
    subject: `acct:${domain}@${domain}`,
    aliases: [uri],
    links: [
      { rel: "self", type: "application/activity+json", href: uri },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: `${ctx.uris.base}/` },
    ],
  };
  return new Response(JSON.stringify(body), {
    headers: { "Content-Type": "application/jrd+json", "Access-Control-Allow-Origin": "*" },
  });
}
