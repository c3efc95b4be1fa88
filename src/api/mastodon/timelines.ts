import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { cachedResponse } from "../../core/response-cache.ts";
import type { StatusKey } from "../../core/statuses/view.ts";
import {
  accountStatuses,
  homeTimeline,
  listTimeline,
  publicTimeline,
  tagTimeline,
} from "../../core/timelines/queries.ts";
import { appOf, type Ctx, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { linkHeader, parsePage, setLinkHeader } from "../pagination.ts";
import { queryParams, validate, zBool, zList } from "../params.ts";
import { serializeStatusesJson } from "./present.ts";

const PublicQuery = z.object({
  local: zBool.optional().catch(undefined),
  remote: zBool.optional().catch(undefined),
  only_media: zBool.optional().catch(undefined),
});

const TagList = zList(z.string().max(100)).refine((l) => !l || l.length <= 4, "at most 4 tags");
const TagQuery = PublicQuery.extend({ any: TagList, all: TagList, none: TagList });

const AccountStatusesQuery = z.object({
  exclude_replies: zBool.optional().catch(undefined),
  exclude_reblogs: zBool.optional().catch(undefined),
  only_media: zBool.optional().catch(undefined),
  pinned: zBool.optional().catch(undefined),
  tagged: z.string().max(100).optional(),
});

/** Serialises a page and sets the Link header from the page's status ids. */
async function respond(c: Ctx, statuses: StatusKey[], viewer: ReturnType<typeof optionalUser>) {
  setLinkHeader(
    c,
    statuses.map((s) => s.id),
  );
  // the same bytes as c.json(await serializeStatuses(…)), built from cached per-status parts
  const body = await serializeStatusesJson(appOf(c), statuses, viewer?.account ?? null);
  return c.body(body, 200, { "content-type": "application/json" });
}

/**
 * `respond` for a signed-in viewer's own feeds (home, lists), through the response cache
 * (core/response-cache.ts): called after the token and scope checks, keyed by viewer and request.
 */
async function respondCached(
  c: Ctx,
  viewer: ReturnType<typeof requireUser>,
  load: () => Promise<StatusKey[]>,
) {
  const ctx = appOf(c);
  const url = c.req.url;
  const request = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  const res = await cachedResponse(ctx, viewer.account.id, request, async () => {
    const statuses = await load();
    const link = linkHeader(
      c,
      statuses.map((s) => s.id),
    );
    const body = await serializeStatusesJson(ctx, statuses, viewer.account);
    const headers: Record<string, string> = link ? { Link: link } : {};
    return { body, headers };
  });
  return c.body(res.body, 200, { ...res.headers, "content-type": "application/json" });
}

export function timelinesRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/timelines/home", async (c) => {
    const viewer = requireUser(c, "read:statuses");
    return respondCached(c, viewer, () =>
      homeTimeline(appOf(c), viewer.account.id, parsePage(queryParams(c))),
    );
  });

  app.get("/api/v1/timelines/public", async (c) => {
    const viewer = optionalUser(c, "read:statuses");
    const query = queryParams(c);
    const p = validate(PublicQuery, query);
    const statuses = await publicTimeline(
      appOf(c),
      viewer?.account.id ?? null,
      { local: p.local, remote: p.remote, onlyMedia: p.only_media },
      parsePage(query),
    );
    return respond(c, statuses, viewer);
  });

  app.get("/api/v1/timelines/tag/:hashtag", async (c) => {
    const viewer = optionalUser(c, "read:statuses");
    const query = queryParams(c);
    const p = validate(TagQuery, query);
    const statuses = await tagTimeline(
      appOf(c),
      viewer?.account.id ?? null,
      c.req.param("hashtag").slice(0, 100),
      { any: p.any, all: p.all, none: p.none, local: p.local, remote: p.remote, onlyMedia: p.only_media },
      parsePage(query),
    );
    return respond(c, statuses, viewer);
  });

  app.get("/api/v1/timelines/list/:id{[0-9]+}", async (c) => {
    const viewer = requireUser(c, "read:lists");
    return respondCached(c, viewer, () =>
      listTimeline(appOf(c), viewer.account.id, c.req.param("id"), parsePage(queryParams(c))),
    );
  });

  app.get("/api/v1/accounts/:id{[0-9]+}/statuses", async (c) => {
    const viewer = optionalUser(c, "read:statuses");
    const query = queryParams(c);
    const p = validate(AccountStatusesQuery, query);
    const statuses = await accountStatuses(
      appOf(c),
      viewer?.account.id ?? null,
      c.req.param("id"),
      {
        excludeReplies: p.exclude_replies,
        excludeReblogs: p.exclude_reblogs,
        onlyMedia: p.only_media,
        pinned: p.pinned,
        tagged: p.tagged,
      },
      parsePage(query),
    );
    return respond(c, statuses, viewer);
  });

  return app;
}
