/** Per-user domain blocks: GET (domains as strings, Link paginated), POST and DELETE by `domain`. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { blockDomain, listDomainBlocks, unblockDomain } from "../../core/domain-blocks.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate } from "../params.ts";

const DomainBody = z.object({ domain: z.string({ error: "domain is required" }).min(1).max(300) });

export function domainBlocksRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/domain_blocks", async (c) => {
    const v = requireUser(c, "read:blocks");
    const query = queryParams(c);
    const page = await listDomainBlocks(appOf(c), v.account.id, parsePage(query, 100, 200));
    setLinkHeader(c, page.cursorIds);
    return c.json(page.domains);
  });

  app.post("/api/v1/domain_blocks", async (c) => {
    const v = requireUser(c, "write:blocks");
    const { domain } = validate(DomainBody, await allParams(c));
    await blockDomain(appOf(c), v.account.id, domain);
    return c.json({});
  });

  app.delete("/api/v1/domain_blocks", async (c) => {
    const v = requireUser(c, "write:blocks");
    const { domain } = validate(DomainBody, await allParams(c));
    await unblockDomain(appOf(c), v.account.id, domain);
    return c.json({});
  });

  return app;
}
