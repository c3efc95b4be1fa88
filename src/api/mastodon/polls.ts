import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { getPoll, votePoll } from "../../core/statuses/polls.ts";
import { type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { allParams, validate, zInt, zList } from "../params.ts";
import { serializePoll } from "./present.ts";

const VoteSchema = z.object({
  choices: zList(zInt(0, 1000)).pipe(z.array(z.number()).min(1, "can't be blank")),
});

export function pollsRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.get("/api/v1/polls/:id{[0-9]+}", async (c) => {
    const v = optionalUser(c, "read:statuses");
    const viewerId = v?.account.id ?? null;
    const poll = await getPoll(ctx, c.req.param("id") as string, viewerId);
    return c.json(await serializePoll(ctx, poll, viewerId));
  });
  app.post("/api/v1/polls/:id{[0-9]+}/votes", async (c) => {
    const v = requireUser(c, "write:statuses");
    const p = validate(VoteSchema, await allParams(c));
    const poll = await votePoll(ctx, v.account, c.req.param("id") as string, p.choices);
    return c.json(await serializePoll(ctx, poll, v.account.id));
  });
  return app;
}
