import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { favouritesOf } from "../../core/statuses/lists.ts";
import { type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams } from "../params.ts";
import { serializeStatuses } from "./present.ts";

export function favouritesRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.get("/api/v1/favourites", async (c) => {
    const v = requireUser(c, "read:favourites");
    const rows = await favouritesOf(ctx, v.account, parsePage(queryParams(c), 20, 40));
    setLinkHeader(
      c,
      rows.map((r) => r.key),
    );
    return c.json(
      await serializeStatuses(
        ctx,
        rows.map((r) => r.item),
        v.account,
      ),
    );
  });
  return app;
}
