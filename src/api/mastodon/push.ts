/**
 * Web Push (/api/v1/push/subscription). Torgai does not deliver Web Push yet: the instance
 * advertises an empty VAPID key (configuration.vapid.public_key), so well-behaved clients skip
 * push; the ones that try get Mastodon's answers for "no subscription" rather than a 404 route.
 */
import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { appOf, type HonoEnv, requireToken } from "../context.ts";

export const PUSH_UNAVAILABLE = "Web Push notifications are not available on this server";

export function pushRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const path = "/api/v1/push/subscription";

  app.get(path, (c) => {
    requireToken(c, "push");
    return c.json({ error: "Record not found" }, 404);
  });
  app.on(["POST", "PUT"], path, (c) => {
    requireToken(c, "push");
    appOf(c).logger.debug({ path }, "push subscription refused: Web Push not available");
    return c.json({ error: PUSH_UNAVAILABLE }, 422);
  });
  app.delete(path, (c) => {
    requireToken(c, "push");
    return c.json({});
  });

  return app;
}
