import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { getMarkers, MARKER_TIMELINES, saveMarkers } from "../../core/markers.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { allParams, queryParams, validate, zId, zList } from "../params.ts";
import { serializeMarkers } from "./serializers/marker.ts";

const GetQuery = z.object({ timeline: zList(z.string().max(32)) });
const Position = z.object({ last_read_id: zId }).optional();
const PostBody = z.object({ home: Position, notifications: Position });

export function markersRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/markers", async (c) => {
    const { account } = requireUser(c, "read:statuses");
    const { timeline } = validate(GetQuery, queryParams(c));
    const wanted = MARKER_TIMELINES.filter((t) => timeline?.includes(t));
    return c.json(serializeMarkers(await getMarkers(appOf(c), account.id, wanted)));
  });

  app.post("/api/v1/markers", async (c) => {
    const { account } = requireUser(c, "write:statuses");
    const p = validate(PostBody, await allParams(c));
    const saved = await saveMarkers(appOf(c), account.id, {
      home: p.home?.last_read_id,
      notifications: p.notifications?.last_read_id,
    });
    return c.json(serializeMarkers(saved));
  });

  return app;
}
