/**
 * NodeInfo 2.0/2.1: what crawlers and other servers read to learn what software this is and how
 * many use it. Discovery documents advertise only what is served (WebFinger and host-meta arrive
 * with the federation endpoints they point to).
 */
import { Hono } from "hono";
import type { HonoEnv } from "../api/context.ts";
import type { AppContext } from "../app.ts";
import { instanceStats, MASTODON_COMPAT_VERSION, SOURCE_URL, TORGAI_VERSION } from "../core/instance.ts";

const VERSIONS = ["2.0", "2.1"] as const;

export function nodeinfoRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const { config } = ctx;
  // host-meta points to WebFinger (served by Fedify, see routes.ts) for clients that discover it
  if (config.federation) {
    const template = `${ctx.uris.webfinger()}?resource={uri}`;
    app.get("/.well-known/host-meta", (c) => {
      c.header("Content-Type", "application/xrd+xml; charset=utf-8");
      return c.body(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${template}"/>\n</XRD>\n`,
      );
    });
    app.get("/.well-known/host-meta.json", (c) => c.json({ links: [{ rel: "lrdd", template }] }));
  }
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
          // megalodon-based clients pick the Mastodon API by this
          metadata: {
            nodeName: config.instanceTitle,
            nodeDescription: config.instanceDescription,
            upstream: { name: "mastodon", version: MASTODON_COMPAT_VERSION.split(" ")[0] },
          },
        }),
      );
    });
  }
  return app;
}
