import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { bookmarksOf } from "../../core/statuses/lists.ts";
import { type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams } from "../params.ts";
import { serializeStatuses } from "./present.ts";

export function bookmarksRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.get("/api/v1/bookmarks", async (c) => {
    const v = requireUser(c, "read:bookmarks");
    const rows = await bookmarksOf(ctx, v.account, parsePage(queryParams(c), 20, 40));
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
