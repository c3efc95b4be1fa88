/** Profile directory and follow suggestions (v1: accounts; v2: {source, sources, account}). */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { getAccount } from "../../core/accounts/lookup.ts";
import { directory, followSuggestions } from "../../core/directory.ts";
import { appOf, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { queryParams, validate, zBool } from "../params.ts";
import { serializeAccounts } from "./serializers/account.ts";

const clamp = (dflt: number, min: number, max: number) =>
  z.preprocess((v) => {
    const n = typeof v === "string" ? Number.parseInt(v, 10) : v;
    return typeof n === "number" && !Number.isNaN(n) ? Math.max(min, Math.min(max, n)) : dflt;
  }, z.number());

const DirectoryQuery = z.object({
  order: z.enum(["active", "new"]).optional().catch(undefined),
  local: zBool.optional().catch(undefined),
  offset: clamp(0, 0, 10_000),
  limit: clamp(40, 1, 80),
});
const SuggestionsQuery = z.object({ limit: clamp(40, 1, 80) });

export function directoryRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/directory", async (c) => {
    const v = optionalUser(c, "read:accounts");
    const p = validate(DirectoryQuery, queryParams(c));
    const ctx = appOf(c);
    const list = await directory(ctx, v?.account.id ?? null, {
      order: p.order ?? "active",
      local: p.local ?? false,
      offset: p.offset,
      limit: p.limit,
    });
    return c.json(serializeAccounts(ctx, list));
  });

  app.get("/api/v1/suggestions", async (c) => {
    const v = requireUser(c, "read:accounts");
    const ctx = appOf(c);
    const { limit } = validate(SuggestionsQuery, queryParams(c));
    return c.json(serializeAccounts(ctx, await followSuggestions(ctx, v.account.id, limit)));
  });

  app.get("/api/v2/suggestions", async (c) => {
    const v = requireUser(c, "read:accounts");
    const ctx = appOf(c);
    const { limit } = validate(SuggestionsQuery, queryParams(c));
    const list = serializeAccounts(ctx, await followSuggestions(ctx, v.account.id, limit));
    return c.json(list.map((account) => ({ source: "global", sources: ["most_followed"], account })));
  });

  // suggestions are computed, not stored, so there is nothing to dismiss
  app.delete("/api/v1/suggestions/:id{[0-9]+}", async (c) => {
    requireUser(c, "write:accounts");
    await getAccount(appOf(c), c.req.param("id"));
    return c.json({});
  });

  return app;
}
