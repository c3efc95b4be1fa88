/** /api/v1/scheduled_statuses: list, show, move and cancel the viewer's scheduled posts. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import {
  cancelScheduledStatus,
  getScheduledStatus,
  listScheduledStatuses,
  rescheduleStatus,
} from "../../core/statuses/scheduled.ts";
import { type Ctx, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate } from "../params.ts";
import { toMastodonScheduledStatus } from "./serializers/scheduled-status.ts";

/** A datetime as Mastodon parses `scheduled_at` (anything Date understands); 422 otherwise. */
export const zScheduledAt = z
  .string()
  .max(100)
  .transform((v, c) => {
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      c.addIssue({ code: "custom", message: "Scheduled at is not a valid date" });
      return z.NEVER;
    }
    return d;
  });

const UpdateSchema = z.object({
  scheduled_at: z.preprocess((v) => (v === "" || v === null ? undefined : v), zScheduledAt.optional()),
});

export function scheduledStatusesRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const id = (c: Ctx) => c.req.param("id") as string;

  app.get("/api/v1/scheduled_statuses", async (c) => {
    const v = requireUser(c, "read:statuses");
    const rows = await listScheduledStatuses(ctx, v.account.id, parsePage(queryParams(c), 20, 40));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
    );
    return c.json(rows.map(toMastodonScheduledStatus));
  });

  app.get("/api/v1/scheduled_statuses/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "read:statuses");
    return c.json(toMastodonScheduledStatus(await getScheduledStatus(ctx, v.account.id, id(c))));
  });

  app.put("/api/v1/scheduled_statuses/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:statuses");
    const p = validate(UpdateSchema, await allParams(c));
    return c.json(
      toMastodonScheduledStatus(await rescheduleStatus(ctx, v.account.id, id(c), p.scheduled_at)),
    );
  });

  app.delete("/api/v1/scheduled_statuses/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:statuses");
    await cancelScheduledStatus(ctx, v.account.id, id(c));
    return c.json({});
  });

  return app;
}
