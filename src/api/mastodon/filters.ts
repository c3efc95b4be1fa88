import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import {
  addFilterStatus,
  addKeyword,
  createFilter,
  deleteFilter,
  deleteFilterStatus,
  deleteKeyword,
  FILTER_CONTEXTS,
  type Filter,
  type FilterKeyword,
  getFilter,
  getFilterStatus,
  getKeyword,
  listFilters,
  updateFilter,
  updateKeyword,
} from "../../core/filters.ts";
import { type HonoEnv, requireUser } from "../context.ts";
import { allParams, validate, zBool, zId, zList } from "../params.ts";

const TEN_YEARS = 10 * 366 * 86400;

/** Seconds, or "" / null for "never expires". */
const zExpiresIn = z.preprocess(
  (v) => (v === "" || v === null ? null : typeof v === "string" ? Number(v) : v),
  z.number().int().min(1).max(TEN_YEARS).nullable().optional(),
);
const zKeyword = z.string().trim().min(1).max(512);
const zContext = zList(z.enum(FILTER_CONTEXTS));

const KeywordAttrs = z.object({
  id: zId.optional(),
  keyword: zKeyword.optional(),
  whole_word: zBool.optional(),
  _destroy: zBool.optional(),
});

const FilterBody = z.object({
  title: z.string().trim().max(256).optional(),
  context: zContext,
  filter_action: z.enum(["warn", "hide", "blur"]).optional(),
  expires_in: zExpiresIn,
  keywords_attributes: zList(KeywordAttrs),
});

const KeywordBody = z.object({ keyword: zKeyword, whole_word: zBool.optional() });
const KeywordUpdateBody = z.object({ keyword: zKeyword.optional(), whole_word: zBool.optional() });
const StatusBody = z.object({ status_id: zId });

const V1Body = z.object({
  phrase: zKeyword.optional(),
  context: zContext,
  irreversible: zBool.optional(),
  whole_word: zBool.optional(),
  expires_in: zExpiresIn,
});

function keywordInputs(list: z.output<typeof KeywordAttrs>[] | undefined) {
  return (list ?? []).map((k) => ({
    id: k.id,
    keyword: k.keyword,
    whole_word: k.whole_word,
    destroy: k._destroy,
  }));
}

/** Mastodon v1 Filter: one keyword of a v2 filter, identified by the keyword's id. */
function v1Filter(f: Filter, k: FilterKeyword) {
  return {
    id: k.id,
    phrase: k.keyword,
    context: f.context,
    whole_word: k.whole_word,
    expires_at: f.expires_at,
    irreversible: f.filter_action === "hide",
  };
}

function filterInput(p: z.output<typeof FilterBody>) {
  return {
    title: p.title,
    context: p.context,
    filter_action: p.filter_action,
    expires_in: p.expires_in,
    keywords: keywordInputs(p.keywords_attributes),
  };
}

export function filtersRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  // ---- v2 ----
  app.get("/api/v2/filters", async (c) => {
    const { account } = requireUser(c, "read:filters");
    return c.json(await listFilters(ctx, account.id));
  });

  app.post("/api/v2/filters", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(FilterBody, await allParams(c));
    const filter = await createFilter(ctx, account.id, filterInput(p));
    return c.json(filter);
  });

  app.get("/api/v2/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "read:filters");
    return c.json(await getFilter(ctx, account.id, c.req.param("id")));
  });

  app.put("/api/v2/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(FilterBody, await allParams(c));
    const filter = await updateFilter(ctx, account.id, c.req.param("id"), filterInput(p));
    return c.json(filter);
  });

  app.delete("/api/v2/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:filters");
    await deleteFilter(ctx, account.id, c.req.param("id"));
    return c.json({});
  });

  app.get("/api/v2/filters/:id{[0-9]+}/keywords", async (c) => {
    const { account } = requireUser(c, "read:filters");
    return c.json((await getFilter(ctx, account.id, c.req.param("id"))).keywords);
  });

  app.post("/api/v2/filters/:id{[0-9]+}/keywords", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(KeywordBody, await allParams(c));
    return c.json(await addKeyword(ctx, account.id, c.req.param("id"), p));
  });

  // Mastodon's paths are /api/v2/filters/keywords/:id; /api/v2/filter_keywords/:id is accepted too.
  for (const path of ["/api/v2/filters/keywords/:id{[0-9]+}", "/api/v2/filter_keywords/:id{[0-9]+}"]) {
    app.get(path, async (c) => {
      const { account } = requireUser(c, "read:filters");
      const { filter_id: _, ...k } = await getKeyword(ctx, account.id, c.req.param("id") ?? "");
      return c.json(k);
    });
    app.put(path, async (c) => {
      const { account } = requireUser(c, "write:filters");
      const p = validate(KeywordUpdateBody, await allParams(c));
      return c.json(await updateKeyword(ctx, account.id, c.req.param("id") ?? "", p));
    });
    app.delete(path, async (c) => {
      const { account } = requireUser(c, "write:filters");
      await deleteKeyword(ctx, account.id, c.req.param("id") ?? "");
      return c.json({});
    });
  }

  app.get("/api/v2/filters/:id{[0-9]+}/statuses", async (c) => {
    const { account } = requireUser(c, "read:filters");
    return c.json((await getFilter(ctx, account.id, c.req.param("id"))).statuses);
  });

  app.post("/api/v2/filters/:id{[0-9]+}/statuses", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(StatusBody, await allParams(c));
    return c.json(await addFilterStatus(ctx, account.id, c.req.param("id"), p.status_id));
  });

  for (const path of ["/api/v2/filters/statuses/:id{[0-9]+}", "/api/v2/filter_statuses/:id{[0-9]+}"]) {
    app.get(path, async (c) => {
      const { account } = requireUser(c, "read:filters");
      const { filter_id: _, ...s } = await getFilterStatus(ctx, account.id, c.req.param("id") ?? "");
      return c.json(s);
    });
    app.delete(path, async (c) => {
      const { account } = requireUser(c, "write:filters");
      await deleteFilterStatus(ctx, account.id, c.req.param("id") ?? "");
      return c.json({});
    });
  }

  // ---- v1 (deprecated in Mastodon, still used by older apps): one keyword = one filter ----
  app.get("/api/v1/filters", async (c) => {
    const { account } = requireUser(c, "read:filters");
    const filters = await listFilters(ctx, account.id);
    return c.json(
      filters.flatMap((f) => f.keywords.map((k) => v1Filter(f, k))).sort((a, b) => (a.id < b.id ? 1 : -1)),
    );
  });

  app.get("/api/v1/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "read:filters");
    const k = await getKeyword(ctx, account.id, c.req.param("id"));
    return c.json(v1Filter(await getFilter(ctx, account.id, k.filter_id), k));
  });

  app.post("/api/v1/filters", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(V1Body.extend({ phrase: zKeyword }), await allParams(c));
    const f = await createFilter(ctx, account.id, {
      title: p.phrase,
      context: p.context,
      filter_action: p.irreversible ? "hide" : "warn",
      expires_in: p.expires_in,
      keywords: [{ keyword: p.phrase, whole_word: p.whole_word ?? true }],
    });
    return c.json(v1Filter(f, f.keywords[0]));
  });

  app.put("/api/v1/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const p = validate(V1Body, await allParams(c));
    const k = await getKeyword(ctx, account.id, c.req.param("id"));
    const f = await updateFilter(ctx, account.id, k.filter_id, {
      context: p.context,
      filter_action: p.irreversible === undefined ? undefined : p.irreversible ? "hide" : "warn",
      expires_in: p.expires_in,
      keywords: [{ id: k.id, keyword: p.phrase, whole_word: p.whole_word }],
    });
    const updated = f.keywords.find((x) => x.id === k.id) ?? k;
    return c.json(v1Filter(f, updated));
  });

  app.delete("/api/v1/filters/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:filters");
    const k = await getKeyword(ctx, account.id, c.req.param("id"));
    const f = await getFilter(ctx, account.id, k.filter_id);
    // the last keyword takes its filter with it, as a v1 filter is a single phrase
    if (f.keywords.length <= 1) await deleteFilter(ctx, account.id, f.id);
    else await deleteKeyword(ctx, account.id, k.id);
    return c.json({});
  });

  return app;
}
