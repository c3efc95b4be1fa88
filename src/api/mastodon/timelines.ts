import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import type { StatusKey } from "../../core/statuses/view.ts";
import {
  accountStatuses,
  homeTimeline,
  listTimeline,
  publicTimeline,
  tagTimeline,
} from "../../core/timelines/queries.ts";
import { appOf, type Ctx, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
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

export function timelinesRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/timelines/home", async (c) => {
    const viewer = requireUser(c, "read:statuses");
    const statuses = await homeTimeline(appOf(c), viewer.account.id, parsePage(queryParams(c)));
    return respond(c, statuses, viewer);
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
    const statuses = await listTimeline(
      appOf(c),
      viewer.account.id,
      c.req.param("id"),
      parsePage(queryParams(c)),
    );
    return respond(c, statuses, viewer);
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
