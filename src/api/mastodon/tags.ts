/** Hashtags: the Tag entity, following tags, and featured tags on profiles. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { getAccount } from "../../core/accounts/lookup.ts";
import {
  type FeaturedTagView,
  featuredTagSuggestions,
  featuredTags,
  featureTag,
  followedTags,
  followTag,
  getTag,
  type TagView,
  unfeatureTag,
  unfeatureTagNamed,
  unfollowTag,
} from "../../core/tags.ts";
import type { Account } from "../../store/schema.ts";
import { appOf, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate } from "../params.ts";

const TagParam = z.string().min(1).max(200);
const FeatureBody = z.object({ name: z.string({ error: "name is required" }).min(1).max(200) });

export function serializeTag(ctx: AppContext, t: TagView, withViewer: boolean) {
  return {
    ...(t.id ? { id: t.id } : {}),
    name: t.name,
    url: ctx.uris.tag(t.name),
    history: t.history,
    ...(withViewer ? { following: t.following, featuring: t.featuring } : {}),
  };
}

export function serializeFeaturedTag(account: Pick<Account, "url">, f: FeaturedTagView) {
  return {
    id: f.id,
    name: f.name,
    url: `${account.url}/tagged/${encodeURIComponent(f.name)}`,
    statuses_count: String(f.statusesCount),
    last_status_at: f.lastStatusAt,
  };
}

export function tagsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/followed_tags", async (c) => {
    const v = requireUser(c, "read:follows");
    const ctx = appOf(c);
    const query = queryParams(c);
    const page = await followedTags(ctx, v.account.id, parsePage(query, 100, 200));
    setLinkHeader(c, page.cursorIds);
    return c.json(page.tags.map((t) => serializeTag(ctx, t, true)));
  });

  app.get("/api/v1/tags/:name", async (c) => {
    const v = optionalUser(c, "read:follows");
    const ctx = appOf(c);
    const tag = await getTag(ctx, validate(TagParam, c.req.param("name")), v?.account.id ?? null);
    return c.json(serializeTag(ctx, tag, !!v));
  });

  app.post("/api/v1/tags/:name/follow", async (c) => {
    const v = requireUser(c, "write:follows");
    const ctx = appOf(c);
    const tag = await followTag(ctx, v.account.id, validate(TagParam, c.req.param("name")));
    return c.json(serializeTag(ctx, tag, true));
  });

  app.post("/api/v1/tags/:name/unfollow", async (c) => {
    const v = requireUser(c, "write:follows");
    const ctx = appOf(c);
    const tag = await unfollowTag(ctx, v.account.id, validate(TagParam, c.req.param("name")));
    return c.json(serializeTag(ctx, tag, true));
  });

  // Mastodon 4.4's shortcut for featuring from the hashtag page
  app.post("/api/v1/tags/:name/feature", async (c) => {
    const v = requireUser(c, "write:accounts");
    const ctx = appOf(c);
    const name = validate(TagParam, c.req.param("name"));
    await featureTag(ctx, v.account.id, name);
    return c.json(serializeTag(ctx, await getTag(ctx, name, v.account.id), true));
  });
  app.post("/api/v1/tags/:name/unfeature", async (c) => {
    const v = requireUser(c, "write:accounts");
    const ctx = appOf(c);
    const name = validate(TagParam, c.req.param("name"));
    await unfeatureTagNamed(ctx, v.account.id, name);
    return c.json(serializeTag(ctx, await getTag(ctx, name, v.account.id), true));
  });

  app.get("/api/v1/featured_tags", async (c) => {
    const v = requireUser(c, "read:accounts");
    const list = await featuredTags(appOf(c), v.account.id);
    return c.json(list.map((f) => serializeFeaturedTag(v.account, f)));
  });

  app.get("/api/v1/featured_tags/suggestions", async (c) => {
    const v = requireUser(c, "read:accounts");
    const ctx = appOf(c);
    const list = await featuredTagSuggestions(ctx, v.account.id);
    return c.json(list.map((t) => serializeTag(ctx, t, true)));
  });

  app.post("/api/v1/featured_tags", async (c) => {
    const v = requireUser(c, "write:accounts");
    const { name } = validate(FeatureBody, await allParams(c));
    const f = await featureTag(appOf(c), v.account.id, name);
    return c.json(serializeFeaturedTag(v.account, f));
  });

  app.delete("/api/v1/featured_tags/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:accounts");
    await unfeatureTag(appOf(c), v.account.id, c.req.param("id"));
    return c.json({});
  });

  app.get("/api/v1/accounts/:id{[0-9]+}/featured_tags", async (c) => {
    optionalUser(c, "read:accounts");
    const ctx = appOf(c);
    const account = await getAccount(ctx, c.req.param("id"));
    const list = await featuredTags(ctx, account.id);
    return c.json(list.map((f) => serializeFeaturedTag(account, f)));
  });

  return app;
}
