/** Collections (Mastodon 4.6): featured lists of accounts, and the items in them. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { loadAccountsById } from "../../core/accounts/hydrate.ts";
import {
  addCollectionItem,
  type CollectionItemView,
  type CollectionView,
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  removeCollectionItem,
  revokeCollectionItem,
  updateCollection,
} from "../../core/collections.ts";
import { appOf, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { allParams, queryParams, validate, zBool, zId, zInt, zList } from "../params.ts";
import { serializeAccounts } from "./serializers/account.ts";

const Fields = {
  description: z.string().max(10_000).optional(),
  language: z.string().max(16).optional().nullable(),
  tag_name: z.string().max(200).optional().nullable(),
  sensitive: zBool.optional(),
  discoverable: zBool.optional(),
};
const Create = z.object({
  name: z.string({ error: "name is required" }).max(10_000),
  ...Fields,
  account_ids: zList(zId),
});
const Update = z.object({ name: z.string().max(10_000).optional(), ...Fields });
const Page = z.object({ limit: zInt(1, 40).optional(), offset: zInt(0, 10_000).optional() });

function serializeItem(i: CollectionItemView) {
  return { id: i.id, account_id: i.account_id, state: i.state, created_at: i.created_at };
}

function serializeCollection(ctx: AppContext, c: CollectionView) {
  return {
    id: c.id,
    account_id: c.account_id,
    uri: ctx.uris.collection(c.username, c.id),
    url: null,
    name: c.name,
    description: c.description,
    language: c.language,
    local: true,
    sensitive: c.sensitive,
    discoverable: c.discoverable,
    tag: c.tag ? { name: c.tag, url: ctx.uris.tag(c.tag) } : null,
    created_at: c.created_at,
    updated_at: c.updated_at,
    item_count: c.items.length,
    items: c.items.map(serializeItem),
  };
}

export function collectionsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.post("/api/v1/collections", async (c) => {
    const v = requireUser(c, "write:accounts");
    const p = validate(Create, await allParams(c));
    const ctx = appOf(c);
    const created = await createCollection(ctx, v.account, {
      name: p.name,
      description: p.description,
      language: p.language,
      tagName: p.tag_name,
      sensitive: p.sensitive,
      discoverable: p.discoverable,
      accountIds: p.account_ids,
    });
    return c.json({ collection: serializeCollection(ctx, created) });
  });

  app.get("/api/v1/collections/:id{[0-9]+}", async (c) => {
    const v = optionalUser(c, "read:accounts");
    const ctx = appOf(c);
    const found = await getCollection(ctx, c.req.param("id"), v?.account.id ?? null);
    const accounts = await loadAccountsById(
      ctx,
      found.items.map((i) => i.account_id),
    );
    return c.json({
      collection: serializeCollection(ctx, found),
      accounts: serializeAccounts(
        ctx,
        found.items.flatMap((i) => accounts.get(i.account_id) ?? []),
      ),
    });
  });

  app.on(["PUT", "PATCH"], "/api/v1/collections/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:accounts");
    const p = validate(Update, await allParams(c));
    const ctx = appOf(c);
    const updated = await updateCollection(ctx, v.account.id, c.req.param("id"), {
      name: p.name,
      description: p.description,
      language: p.language,
      tagName: p.tag_name,
      sensitive: p.sensitive,
      discoverable: p.discoverable,
    });
    return c.json({ collection: serializeCollection(ctx, updated) });
  });

  app.delete("/api/v1/collections/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:accounts");
    await deleteCollection(appOf(c), v.account.id, c.req.param("id"));
    return c.json({});
  });

  app.post("/api/v1/collections/:id{[0-9]+}/items", async (c) => {
    const v = requireUser(c, "write:accounts");
    const { account_id } = validate(z.object({ account_id: zId }), await allParams(c));
    const item = await addCollectionItem(appOf(c), v.account.id, c.req.param("id"), account_id);
    return c.json({ collection_item: serializeItem(item) });
  });

  app.delete("/api/v1/collections/:id{[0-9]+}/items/:item{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:accounts");
    await removeCollectionItem(appOf(c), v.account.id, c.req.param("id"), c.req.param("item"));
    return c.json({});
  });

  app.post("/api/v1/collections/:id{[0-9]+}/items/:item{[0-9]+}/revoke", async (c) => {
    const v = requireUser(c, "write:accounts");
    await revokeCollectionItem(appOf(c), v.account.id, c.req.param("id"), c.req.param("item"));
    return c.json({});
  });

  for (const [path, featuring] of [
    ["collections", false],
    ["in_collections", true],
  ] as const) {
    app.get(`/api/v1/accounts/:id{[0-9]+}/${path}`, async (c) => {
      const v = optionalUser(c, "read:accounts");
      const p = validate(Page, queryParams(c));
      const ctx = appOf(c);
      const list = await listCollections(ctx, c.req.param("id"), v?.account.id ?? null, {
        featuring,
        limit: p.limit ?? 40,
        offset: p.offset ?? 0,
      });
      return c.json({ collections: list.map((x) => serializeCollection(ctx, x)) });
    });
  }

  return app;
}
