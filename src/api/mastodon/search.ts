/** /api/v2/search (accounts, hashtags; statuses by URL until full-text search lands). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { UnauthorizedError } from "../../core/errors.ts";
import { search } from "../../core/search.ts";
import { tagViews } from "../../core/tags.ts";
import { appOf, type HonoEnv, optionalUser } from "../context.ts";
import { queryParams, validate, zBool, zId } from "../params.ts";
import { serializeStatuses } from "./present.ts";
import { serializeAccounts } from "./serializers/account.ts";
import { serializeTag } from "./tags.ts";

const SearchQuery = z.object({
  q: z.string({ error: "q is required" }).max(500),
  type: z.enum(["accounts", "hashtags", "statuses"]).optional().catch(undefined),
  resolve: zBool.optional().catch(undefined),
  following: zBool.optional().catch(undefined),
  exclude_unreviewed: zBool.optional().catch(undefined),
  account_id: zId.optional(),
  // Mastodon clamps limit to 1..40 (default 20)
  limit: z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : v;
    return typeof n === "number" && !Number.isNaN(n) ? Math.max(1, Math.min(40, n)) : 20;
  }, z.number()),
  offset: z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : v;
    return typeof n === "number" && !Number.isNaN(n) ? Math.max(0, Math.min(10_000, n)) : 0;
  }, z.number()),
});

export function searchRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v2/search", async (c) => {
    const v = optionalUser(c, "read:search");
    const p = validate(SearchQuery, queryParams(c));
    if (!v && p.offset > 0)
      throw new UnauthorizedError("Search queries pagination is not supported without authentication");
    if (!v && p.resolve)
      throw new UnauthorizedError(
        "Search queries that resolve remote resources are not supported without authentication",
      );
    const ctx = appOf(c);
    const viewerId = v?.account.id ?? null;
    const found = await search(ctx, viewerId, {
      q: p.q,
      type: p.type,
      following: p.following,
      accountId: p.account_id,
      limit: p.limit,
      offset: p.offset,
      resolve: p.resolve,
    });
    const [statuses, tags] = await Promise.all([
      serializeStatuses(ctx, found.statuses, v?.account ?? null),
      tagViews(ctx, found.hashtags, viewerId),
    ]);
    return c.json({
      accounts: serializeAccounts(ctx, found.accounts),
      statuses,
      hashtags: tags.map((t) => serializeTag(ctx, t, !!v)),
    });
  });

  return app;
}
