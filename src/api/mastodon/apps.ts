import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { appRedirectUris, appScopes, getApp, registerApp } from "../../core/auth/apps.ts";
import { NotFoundError } from "../../core/errors.ts";
import { vapidPublicKey } from "../../core/push/vapid.ts";
import type { OauthApp } from "../../store/schema.ts";
import { appOf, type HonoEnv, requireToken } from "../context.ts";
import { allParams, validate } from "../params.ts";

/**
 * Mastodon's Application entity; credentials only in the response that created them. `vapid_key`
 * (deprecated by Mastodon for configuration.vapid.public_key, still read by older apps) is the
 * instance's Web Push key.
 */
export function serializeApplication(app: OauthApp, withCredentials: boolean, vapidKey: string) {
  const uris = appRedirectUris(app);
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: appScopes(app),
    redirect_uri: uris.join("\n"),
    redirect_uris: uris,
    vapid_key: vapidKey,
    ...(withCredentials
      ? { client_id: app.client_id, client_secret: app.client_secret, client_secret_expires_at: 0 }
      : {}),
  };
}

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);

const CreateApp = z.object({
  client_name: z.string({ error: "client_name is required" }).min(1, "client_name can't be blank"),
  redirect_uris: z.preprocess(
    // form encoding may deliver redirect_uris[] as an object keyed 0,1,…
    (v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.values(v) : v),
    stringOrList,
  ),
  scopes: z.string().optional(),
  website: z.string().optional().nullable(),
});

export function appsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.post("/api/v1/apps", async (c) => {
    const p = validate(CreateApp, await allParams(c));
    const created = await registerApp(appOf(c), {
      name: p.client_name,
      redirectUris: p.redirect_uris,
      scopes: p.scopes,
      website: p.website,
    });
    return c.json(serializeApplication(created, true, await vapidPublicKey(appOf(c))));
  });

  app.get("/api/v1/apps/verify_credentials", async (c) => {
    const grant = requireToken(c);
    const row = await getApp(appOf(c), grant.appId);
    if (!row) throw new NotFoundError();
    return c.json(serializeApplication(row, false, await vapidPublicKey(appOf(c))));
  });

  return app;
}
