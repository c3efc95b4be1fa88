/**
 * NodeInfo 2.0/2.1: what crawlers and other servers read to learn what software this is and how
 * many use it. Discovery documents advertise only what is served (WebFinger and host-meta arrive
 * with the federation endpoints they point to).
 */
import { Hono } from "hono";
import type { HonoEnv } from "../api/context.ts";
import type { AppContext } from "../app.ts";
import { instanceStats, SOURCE_URL, TORGAI_VERSION } from "../core/instance.ts";

const VERSIONS = ["2.0", "2.1"] as const;

export function nodeinfoRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const { config } = ctx;
  app.get("/.well-known/nodeinfo", (c) =>
    c.json({
      links: VERSIONS.map((v) => ({
        rel: `http://nodeinfo.diaspora.software/ns/schema/${v}`,
        href: ctx.uris.nodeinfo(v),
      })),
    }),
  );
  for (const v of VERSIONS) {
    app.get(`/nodeinfo/${v}`, async (c) => {
      const stats = await instanceStats(ctx);
      c.header(
        "Content-Type",
        `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${v}#"`,
      );
      return c.body(
        JSON.stringify({
          version: v,
          software: {
            name: "torgai",
            version: TORGAI_VERSION,
            ...(v === "2.1" ? { repository: SOURCE_URL, homepage: SOURCE_URL } : {}),
          },
          protocols: ["activitypub"],
          services: { outbound: [], inbound: [] },
          usage: {
            users: {
              total: stats.userCount,
              activeMonth: stats.activeMonth,
              activeHalfyear: stats.activeHalfyear,
            },
            localPosts: stats.statusCount,
          },
          openRegistrations: config.registrations === "open",
          metadata: { nodeName: config.instanceTitle, nodeDescription: config.instanceDescription },
        }),
      );
    });
  }
  return app;
}
