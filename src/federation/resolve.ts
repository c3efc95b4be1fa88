/**
 * Remote actors and posts, looked up and stored: by URI (what activities name), by handle
 * (WebFinger, for search and remote follows) and by URL (a pasted link). Every fetch goes through
 * Fedify's document loader (the outbound guard); every document is converted by the from-as
 * converters, which refuse objects whose id has another origin than the document's.
 */
import type { Context } from "@fedify/fedify";
import { type Object as APObject, isActor } from "@fedify/fedify/vocab";
import { z } from "zod";
import type { AppContext } from "../app.ts";
import { findAccountByUri, upsertRemoteAccount } from "../core/accounts/remote.ts";
import { TorgaiError } from "../core/errors.ts";
import { isDomainSuspended } from "../core/fediverse/instances.ts";
import { findStatusByUri } from "../core/statuses/remote.ts";
import type { Account, Status } from "../store/schema.ts";
import { isActorObject, isPostObject, toRemoteActor } from "./converters/from-as.ts";
import { guardedFetch } from "./fetch-guard.ts";
import { ingestPost } from "./inbox/posts.ts";
import { instanceDocumentLoader } from "./instance-actor.ts";

/**
 * An object fetched with a GET signed by the instance actor: servers in authorized-fetch mode
 * (Mastodon's secure mode, GoToSocial) answer nothing else.
 */
export async function signedLookup(fctx: Context<AppContext>, uri: string): Promise<APObject | null> {
  return fctx.lookupObject(uri, { documentLoader: await instanceDocumentLoader(fctx) });
}

/** An account whose profile was fetched within this long is not fetched again for an activity. */
const ACTOR_FRESH_MS = 24 * 60 * 60 * 1000;

/** A stored remote actor from an (already fetched or embedded) actor object. */
export async function storeActor(
  ctx: AppContext,
  actor: APObject,
  origin: string | URL,
): Promise<Account | null> {
  if (!isActorObject(actor)) return null;
  const converted = await toRemoteActor(actor, { origin });
  if (!converted.ok) {
    ctx.logger.debug({ uri: actor.id?.href, reason: converted.message }, "remote actor refused");
    return null;
  }
  try {
    return await upsertRemoteAccount(ctx, converted.value);
  } catch (err) {
    if (err instanceof TorgaiError) return null;
    throw err;
  }
}

/**
 * The stored account of an actor URI, fetched when unknown (or stale, when `refresh`). Local
 * actors are ours: never fetched.
 */
export async function actorByUri(
  fctx: Context<AppContext>,
  uri: URL | string,
  /** `true`: fetched again when a day old; `"always"`: fetched again now (a Move's target) */
  opts: { refresh?: boolean | "always" } = {},
): Promise<Account | null> {
  const ctx = fctx.data;
  const href = typeof uri === "string" ? uri : uri.href;
  const known = await findAccountByUri(ctx, href);
  if (known && (known.domain === "" || !opts.refresh)) return known;
  if (known && opts.refresh !== "always" && Date.now() - Date.parse(known.updated_at) < ACTOR_FRESH_MS)
    return known;
  if (new URL(href).origin === new URL(ctx.config.baseUrl).origin) return null;
  if (await isDomainSuspended(ctx, new URL(href).host)) return known?.suspended_at ? null : known;
  let object: APObject | null = null;
  try {
    object = await signedLookup(fctx, href);
  } catch (err) {
    ctx.logger.debug({ err, uri: href }, "remote actor lookup failed");
  }
  if (!object || !isActor(object)) return known;
  return (await storeActor(ctx, object, href)) ?? known;
}

const Jrd = z.object({
  links: z
    .array(z.object({ rel: z.string(), type: z.string().optional(), href: z.string().optional() }).loose())
    .max(100),
});

/**
 * The actor URI WebFinger gives for `user@host`. Over https, as every server serves it; over plain
 * http too when private networks are allowed (test servers on localhost ports have no TLS).
 */
async function webfingerActorUri(ctx: AppContext, handle: string): Promise<string | null> {
  const at = handle.lastIndexOf("@");
  const host = handle.slice(at + 1);
  if (at <= 0 || !/^[a-z0-9.-]+(:\d+)?$/i.test(host)) return null;
  if (await isDomainSuspended(ctx, host)) return null;
  const fetch = guardedFetch(ctx.config);
  for (const scheme of ctx.config.allowPrivateNetwork ? ["https", "http"] : ["https"]) {
    const url = `${scheme}://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${handle}`)}`;
    try {
      const res = await fetch(url, { headers: { accept: "application/jrd+json, application/json" } });
      if (!res.ok) {
        await res.body?.cancel();
        continue;
      }
      const jrd = Jrd.safeParse(await res.json());
      if (!jrd.success) continue;
      const self = jrd.data.links.find(
        (l) => l.rel === "self" && /^application\/(activity\+json|ld\+json)/.test(l.type ?? "") && l.href,
      );
      if (self?.href && URL.canParse(self.href)) return self.href;
    } catch (err) {
      ctx.logger.debug({ err, url }, "WebFinger lookup failed");
    }
  }
  return null;
}

/** `user@domain` resolved by WebFinger to a stored account. */
export async function actorByHandle(
  fctx: Context<AppContext>,
  handle: string,
  opts: { fresh?: boolean } = {},
): Promise<Account | null> {
  const h = handle.replace(/^@/, "").toLowerCase();
  const uri = await webfingerActorUri(fctx.data, h);
  if (!uri) return null;
  // the actor is stored under its own id and origin, whatever server pointed to it
  const account = await actorByUri(fctx, uri, { refresh: opts.fresh ? "always" : true });
  return account && account.domain !== "" ? account : null;
}

export type Resolved = { kind: "account"; account: Account } | { kind: "status"; status: Status };

/** A URL pasted into search: a known post or account, else fetched. */
export async function objectByUrl(fctx: Context<AppContext>, url: string): Promise<Resolved | null> {
  const ctx = fctx.data;
  const status = await findStatusByUri(ctx.db, url);
  if (status) return { kind: "status", status };
  const account = await findAccountByUri(ctx, url);
  if (account) return { kind: "account", account };
  if (URL.canParse(url) && (await isDomainSuspended(ctx, new URL(url).host))) return null;
  let object: APObject | null = null;
  try {
    object = await signedLookup(fctx, url);
  } catch (err) {
    ctx.logger.debug({ err, url }, "remote object lookup failed");
  }
  if (!object?.id) return null;
  if (isActor(object)) {
    const stored = await storeActor(ctx, object, object.id);
    return stored ? { kind: "account", account: stored } : null;
  }
  if (isPostObject(object)) {
    const stored = await ingestPost(fctx, object, object.id, { depth: 0 });
    return stored ? { kind: "status", status: stored } : null;
  }
  return null;
}
