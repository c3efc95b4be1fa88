/**
 * Mounts Fedify on the HTTP app for the paths it serves (actors, their collections and inboxes,
 * our Notes, the shared inbox, WebFinger). Content negotiation: a browser asking for an actor or
 * a post URL falls through to the web pages; only ActivityPub clients get JSON-LD. Every other
 * path never reaches Fedify (nor loads it).
 */
import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "../api/context.ts";
import type { AppContext } from "../app.ts";
import { isDomainSuspended } from "../core/fediverse/instances.ts";

const FEDERATION_PATH = /^\/(?:users\/[^/]+(?:\/.*)?|inbox|actor|\.well-known\/webfinger)$/;

/** The host of the key a request says it is signed with (draft-cavage keyId, RFC 9421 keyid). */
function signerHost(header: string | undefined): string | null {
  const m = header ? /key[iI]d="([^"]+)"/.exec(header) : null;
  return m && URL.canParse(m[1]) ? new URL(m[1]).host : null;
}

function htmlPageOf(ctx: AppContext, url: string): string | null {
  const r = ctx.uris.parse(url);
  if (r?.kind === "actor") return ctx.uris.profile(r.username);
  if (r?.kind === "status") return ctx.uris.post(r.username, r.id);
  return null;
}

export function federationMiddleware(ctx: AppContext): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    if (!ctx.config.federation || !FEDERATION_PATH.test(c.req.path)) return next();
    // a suspended server is refused before its signature is checked (no key is fetched from it)
    if (c.req.method === "POST") {
      const host = signerHost(c.req.header("signature") ?? c.req.header("signature-input"));
      if (host && (await isDomainSuspended(ctx, host))) return c.json({ error: "Forbidden" }, 403);
    }
    const { getFederation } = await import("./federation.ts");
    if (c.req.path === "/actor" || c.req.path === "/.well-known/webfinger") {
      // the instance actor is no Fedify actor (Fedify routes /users/{identifier} only)
      const instance = await import("./instance-actor.ts");
      if (c.req.path === "/actor") {
        if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
        const fctx = getFederation(ctx).createContext(c.req.raw, ctx);
        c.res = await instance.instanceActorResponse(fctx, c.req.raw);
        return;
      }
      const answer = instance.instanceWebFinger(ctx, c.req.query("resource") ?? null);
      if (answer) {
        c.res = answer;
        return;
      }
    }
    let fellThrough = false;
    const response = await getFederation(ctx).fetch(c.req.raw, {
      contextData: ctx,
      onNotFound: async () => {
        fellThrough = true;
        await next();
        return c.res;
      },
      onNotAcceptable: async () => {
        fellThrough = true;
        await next();
        if (c.res.status !== 404) return c.res;
        // a browser following an actor or post id lands on its page
        const page = htmlPageOf(ctx, c.req.url);
        if (page) return Response.redirect(page, 302);
        return new Response("Not acceptable", {
          status: 406,
          headers: { "Content-Type": "text/plain", Vary: "Accept" },
        });
      },
    });
    if (!fellThrough) c.res = response;
    else if (response !== c.res) c.res = response;
  };
}
