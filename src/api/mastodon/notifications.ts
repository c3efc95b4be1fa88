import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import {
  clearNotifications,
  dismissNotification,
  getNotification,
  listNotifications,
  unreadNotificationCount,
} from "../../core/notifications/query.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate, zBool, zId, zList } from "../params.ts";
import { serializeNotifications } from "./present.ts";

const TypeList = zList(z.string().max(64)).refine((l) => !l || l.length <= 20, "too many types");
const FilterQuery = z.object({
  types: TypeList,
  exclude_types: TypeList,
  account_id: zId.optional(),
  include_filtered: zBool.optional(),
});
const CountQuery = FilterQuery.extend({
  limit: z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : v;
    return typeof n === "number" && !Number.isNaN(n) ? Math.max(1, Math.min(1000, n)) : 100;
  }, z.number()),
});
const DismissBody = z.object({ id: zId });

export function notificationsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/notifications", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const ctx = appOf(c);
    const query = queryParams(c);
    const f = validate(FilterQuery, query);
    const page = await listNotifications(
      ctx,
      viewer.account.id,
      {
        types: f.types,
        excludeTypes: f.exclude_types,
        accountId: f.account_id,
        includeFiltered: f.include_filtered,
      },
      parsePage(query, 40, 80),
    );
    setLinkHeader(c, page.cursorIds);
    return c.json(await serializeNotifications(ctx, page.notifications, page.statuses, viewer.account));
  });

  app.get("/api/v1/notifications/unread_count", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const f = validate(CountQuery, queryParams(c));
    const count = await unreadNotificationCount(
      appOf(c),
      viewer.account.id,
      { types: f.types, excludeTypes: f.exclude_types, accountId: f.account_id },
      f.limit,
    );
    return c.json({ count });
  });

  app.post("/api/v1/notifications/clear", async (c) => {
    const viewer = requireUser(c, "write:notifications");
    await clearNotifications(appOf(c), viewer.account.id);
    return c.json({});
  });

  // the pre-3.1 form, still used by some clients
  app.post("/api/v1/notifications/dismiss", async (c) => {
    const viewer = requireUser(c, "write:notifications");
    const { id } = validate(DismissBody, await allParams(c));
    await dismissNotification(appOf(c), viewer.account.id, id);
    return c.json({});
  });

  app.get("/api/v1/notifications/:id{[0-9]+}", async (c) => {
    const viewer = requireUser(c, "read:notifications");
    const ctx = appOf(c);
    const { notification, status } = await getNotification(ctx, viewer.account.id, c.req.param("id"));
    const statuses = new Map(status ? [[status.id, status]] : []);
    const [entity] = await serializeNotifications(ctx, [notification], statuses, viewer.account);
    if (!entity) return c.json({ error: "Record not found" }, 404);
    return c.json(entity);
  });

  app.post("/api/v1/notifications/:id{[0-9]+}/dismiss", async (c) => {
    const viewer = requireUser(c, "write:notifications");
    await dismissNotification(appOf(c), viewer.account.id, c.req.param("id"));
    return c.json({});
  });

  return app;
}
