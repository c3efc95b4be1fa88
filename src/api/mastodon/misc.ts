/**
 * Endpoints of Mastodon 4.3 features Torgai does not offer (yet), answered the way Mastodon answers
 * when there is nothing to show, so clients that call them at start-up keep working: identity
 * proofs, annual reports, media uploads (until the media issue).
 */
import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { getAccount } from "../../core/accounts/lookup.ts";
import { INSTANCE_LANGUAGES } from "../../core/instance.ts";
import { appOf, type HonoEnv, optionalUser, requireUser } from "../context.ts";

export const MEDIA_UNAVAILABLE = "Media uploads are not available on this server yet";

const LANGUAGE_NAMES: Record<string, string> = { kk: "Kazakh", ru: "Russian", en: "English" };

export function miscRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const notFound = { error: "Record not found" };

  app.get("/api/v1/accounts/:id{[0-9]+}/identity_proofs", async (c) => {
    optionalUser(c, "read:accounts");
    await getAccount(appOf(c), c.req.param("id"));
    return c.json([]);
  });

  // annual reports ("Wrapstodon"): Torgai runs no campaign, so no account is eligible and asking
  // for one does nothing, as Mastodon answers for a year that is not its campaign's
  app.get("/api/v1/annual_reports", (c) => {
    requireUser(c, "read:accounts");
    return c.json({ annual_reports: [], accounts: [], statuses: [] });
  });
  app.get("/api/v1/annual_reports/:year{[0-9]{4}}/state", (c) => {
    requireUser(c, "read:accounts");
    return c.json({ state: "ineligible" });
  });
  app.post("/api/v1/annual_reports/:year{[0-9]{4}}/generate", (c) => {
    requireUser(c, "write:accounts");
    return c.json({});
  });
  app.get("/api/v1/annual_reports/:year{[0-9]{4}}", (c) => {
    requireUser(c, "read:accounts");
    return c.json(notFound, 404);
  });
  app.post("/api/v1/annual_reports/:year{[0-9]{4}}/read", (c) => {
    requireUser(c, "write:accounts");
    return c.json(notFound, 404);
  });

  app.get("/api/v1/instance/languages", (c) =>
    c.json(INSTANCE_LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] ?? code }))),
  );

  // media arrives with its own issue; until then an upload fails with a reason instead of a 404
  for (const path of ["/api/v1/media", "/api/v2/media"]) {
    app.post(path, (c) => {
      requireUser(c, "write:media");
      return c.json({ error: MEDIA_UNAVAILABLE }, 422);
    });
  }
  app.on(["GET", "PUT", "DELETE"], "/api/v1/media/:id{[0-9]+}", (c) => {
    requireUser(c, c.req.method === "GET" ? "read:statuses" : "write:media");
    return c.json(notFound, 404);
  });

  // configuration.translation.enabled is false; a client that asks anyway learns why
  app.post("/api/v1/statuses/:id{[0-9]+}/translate", (c) => {
    requireUser(c, "read:statuses");
    return c.json({ error: "Translation is not available on this server" }, 503);
  });

  // no server-wide domain blocks exist yet
  app.get("/api/v1/instance/domain_blocks", (c) => c.json([]));

  // the admin API is not offered; Mastodon answers 403 to a role without the permission
  app.all("/api/v1/admin/*", (c) => {
    requireUser(c, "admin:read");
    return c.json({ error: "This action is not allowed" }, 403);
  });

  return app;
}
