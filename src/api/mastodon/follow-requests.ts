import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { getRelationship } from "../../core/follows/relationships.ts";
import {
  authorizeFollowRequest,
  listFollowRequests,
  rejectFollowRequest,
} from "../../core/follows/requests.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams } from "../params.ts";
import { serializeAccounts } from "./serializers/account.ts";
import { serializeRelationship } from "./serializers/relationship.ts";

/** Follow requests to the signed-in (locked) account; `:id` is the requesting account's id. */
export function followRequestsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/follow_requests", async (c) => {
    const { account } = requireUser(c, "read:follows");
    const ctx = appOf(c);
    const res = await listFollowRequests(ctx, account.id, parsePage(queryParams(c), 40, 80));
    setLinkHeader(c, res.cursorIds);
    return c.json(serializeAccounts(ctx, res.accounts));
  });

  for (const action of ["authorize", "reject"] as const) {
    app.post(`/api/v1/follow_requests/:id{[0-9]+}/${action}`, async (c) => {
      const { account } = requireUser(c, "write:follows");
      const ctx = appOf(c);
      const requesterId = c.req.param("id");
      if (action === "authorize") await authorizeFollowRequest(ctx, account.id, requesterId);
      else await rejectFollowRequest(ctx, account.id, requesterId);
      return c.json(serializeRelationship(await getRelationship(ctx, account.id, requesterId)));
    });
  }

  return app;
}
