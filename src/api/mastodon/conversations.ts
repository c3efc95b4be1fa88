import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { listConversations, markConversationRead, removeConversation } from "../../core/conversations.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams } from "../params.ts";
import { serializeConversations } from "./present.ts";

export function conversationsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/conversations", async (c) => {
    const viewer = requireUser(c, "read:statuses");
    const ctx = appOf(c);
    const page = await listConversations(ctx, viewer.account.id, parsePage(queryParams(c), 20, 40));
    setLinkHeader(c, page.cursorIds);
    return c.json(await serializeConversations(ctx, page.conversations, viewer.account));
  });

  app.delete("/api/v1/conversations/:id{[0-9]+}", async (c) => {
    const viewer = requireUser(c, "write:conversations");
    await removeConversation(appOf(c), viewer.account.id, c.req.param("id"));
    return c.json({});
  });

  for (const action of ["read", "unread"]) {
    app.post(`/api/v1/conversations/:id{[0-9]+}/${action}`, async (c) => {
      const viewer = requireUser(c, "write:conversations");
      const ctx = appOf(c);
      const row = await markConversationRead(ctx, viewer.account.id, c.req.param("id"), action === "unread");
      const [entity] = await serializeConversations(ctx, [row], viewer.account);
      return c.json(entity);
    });
  }

  return app;
}
