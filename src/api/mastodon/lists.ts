import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import {
  addListMembers,
  createList,
  deleteList,
  getList,
  getLists,
  listMembers,
  listsContaining,
  removeListMembers,
  updateList,
} from "../../core/lists.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate, zBool, zId, zList } from "../params.ts";
import { serializeAccounts } from "./serializers/account.ts";
import { serializeList } from "./serializers/list.ts";

const ListBody = z.object({
  title: z.string().max(1000).optional(),
  replies_policy: z.enum(["followed", "list", "none"]).optional(),
  exclusive: zBool.optional(),
});

const MembersBody = z.object({
  account_ids: zList(zId).refine((l) => !l || l.length <= 100, "too many accounts"),
});

export function listsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/lists", async (c) => {
    const { account } = requireUser(c, "read:lists");
    return c.json((await getLists(appOf(c), account.id)).map(serializeList));
  });

  app.post("/api/v1/lists", async (c) => {
    const { account } = requireUser(c, "write:lists");
    const p = validate(ListBody, await allParams(c));
    const list = await createList(appOf(c), account.id, {
      title: p.title,
      repliesPolicy: p.replies_policy,
      exclusive: p.exclusive,
    });
    return c.json(serializeList(list));
  });

  app.get("/api/v1/lists/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "read:lists");
    return c.json(serializeList(await getList(appOf(c), account.id, c.req.param("id"))));
  });

  app.put("/api/v1/lists/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:lists");
    const p = validate(ListBody, await allParams(c));
    const list = await updateList(appOf(c), account.id, c.req.param("id"), {
      title: p.title,
      repliesPolicy: p.replies_policy,
      exclusive: p.exclusive,
    });
    return c.json(serializeList(list));
  });

  app.delete("/api/v1/lists/:id{[0-9]+}", async (c) => {
    const { account } = requireUser(c, "write:lists");
    await deleteList(appOf(c), account.id, c.req.param("id"));
    return c.json({});
  });

  app.get("/api/v1/lists/:id{[0-9]+}/accounts", async (c) => {
    const { account } = requireUser(c, "read:lists");
    const ctx = appOf(c);
    const query = queryParams(c);
    // limit=0 returns every member, as on Mastodon
    const all = query.limit === "0";
    const members = await listMembers(
      ctx,
      account.id,
      c.req.param("id"),
      all ? null : parsePage(query, 40, 80),
    );
    if (!all)
      setLinkHeader(
        c,
        members.map((a) => a.id),
      );
    return c.json(serializeAccounts(ctx, members));
  });

  app.post("/api/v1/lists/:id{[0-9]+}/accounts", async (c) => {
    const { account } = requireUser(c, "write:lists");
    const p = validate(MembersBody, await allParams(c));
    await addListMembers(appOf(c), account.id, c.req.param("id"), p.account_ids ?? []);
    return c.json({});
  });

  app.delete("/api/v1/lists/:id{[0-9]+}/accounts", async (c) => {
    const { account } = requireUser(c, "write:lists");
    const p = validate(MembersBody, await allParams(c));
    await removeListMembers(appOf(c), account.id, c.req.param("id"), p.account_ids ?? []);
    return c.json({});
  });

  app.get("/api/v1/accounts/:id{[0-9]+}/lists", async (c) => {
    const { account } = requireUser(c, "read:lists");
    return c.json((await listsContaining(appOf(c), account.id, c.req.param("id"))).map(serializeList));
  });

  return app;
}
