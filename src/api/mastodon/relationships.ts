import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { blockAccount, listBlocks, unblockAccount } from "../../core/follows/blocks.ts";
import { endorseAccount, listEndorsements, unendorseAccount } from "../../core/follows/endorsements.ts";
import { followAccount, unfollowAccount } from "../../core/follows/follow.ts";
import { listMutes, muteAccount, unmuteAccount } from "../../core/follows/mutes.ts";
import {
  familiarFollowers,
  getRelationship,
  getRelationships,
  listFollows,
  setAccountNote,
} from "../../core/follows/relationships.ts";
import { removeFromFollowers } from "../../core/follows/requests.ts";
import { appOf, type Ctx, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate, zBool, zId, zInt, zList } from "../params.ts";
import { serializeAccount, serializeAccounts } from "./serializers/account.ts";
import { serializeRelationship } from "./serializers/relationship.ts";

const FollowBody = z.object({
  reblogs: zBool.optional(),
  notify: zBool.optional(),
  languages: zList(z.string().max(16)).refine((l) => !l || l.length <= 100, "too many languages"),
});

const MuteBody = z.object({
  notifications: zBool.optional(),
  duration: zInt(0, 2_147_483_647).optional(),
});

const NoteBody = z.object({ comment: z.string().max(2000).optional().nullable() });

const IdsQuery = z.object({ id: zList(zId) });

async function relationshipOf(c: Ctx, viewerId: string, targetId: string) {
  return c.json(serializeRelationship(await getRelationship(appOf(c), viewerId, targetId)));
}

/** Follows, blocks, mutes, relationships, notes, followers/following (Mastodon accounts API, graph part). */
export function relationshipsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.post("/api/v1/accounts/:id{[0-9]+}/follow", async (c) => {
    const { account } = requireUser(c, "write:follows");
    const p = validate(FollowBody, await allParams(c));
    await followAccount(appOf(c), account.id, c.req.param("id"), {
      reblogs: p.reblogs,
      notify: p.notify,
      languages: p.languages,
    });
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/unfollow", async (c) => {
    const { account } = requireUser(c, "write:follows");
    await unfollowAccount(appOf(c), account.id, c.req.param("id"));
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/remove_from_followers", async (c) => {
    const { account } = requireUser(c, "write:follows");
    await removeFromFollowers(appOf(c), account.id, c.req.param("id"));
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  // the featured tab (Mastodon 4.4 named endorse/unendorse; pin/unpin remain as aliases)
  for (const action of ["endorse", "pin"]) {
    app.post(`/api/v1/accounts/:id{[0-9]+}/${action}`, async (c) => {
      const { account } = requireUser(c, "write:accounts");
      await endorseAccount(appOf(c), account.id, c.req.param("id"));
      return relationshipOf(c, account.id, c.req.param("id"));
    });
  }
  for (const action of ["unendorse", "unpin"]) {
    app.post(`/api/v1/accounts/:id{[0-9]+}/${action}`, async (c) => {
      const { account } = requireUser(c, "write:accounts");
      await unendorseAccount(appOf(c), account.id, c.req.param("id"));
      return relationshipOf(c, account.id, c.req.param("id"));
    });
  }

  app.get("/api/v1/endorsements", async (c) => {
    const { account } = requireUser(c, "read:accounts");
    const ctx = appOf(c);
    const res = await listEndorsements(ctx, account.id, account.id, parsePage(queryParams(c), 40, 80));
    setLinkHeader(c, res.cursorIds);
    return c.json(serializeAccounts(ctx, res.accounts));
  });

  app.get("/api/v1/accounts/:id{[0-9]+}/endorsements", async (c) => {
    const viewer = optionalUser(c, "read:accounts");
    const ctx = appOf(c);
    const page = parsePage(queryParams(c), 40, 80);
    const res = await listEndorsements(ctx, c.req.param("id"), viewer?.account.id ?? null, page);
    setLinkHeader(c, res.cursorIds);
    return c.json(serializeAccounts(ctx, res.accounts));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/block", async (c) => {
    const { account } = requireUser(c, "write:blocks");
    await blockAccount(appOf(c), account.id, c.req.param("id"));
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/unblock", async (c) => {
    const { account } = requireUser(c, "write:blocks");
    await unblockAccount(appOf(c), account.id, c.req.param("id"));
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/mute", async (c) => {
    const { account } = requireUser(c, "write:mutes");
    const p = validate(MuteBody, await allParams(c));
    await muteAccount(appOf(c), account.id, c.req.param("id"), p);
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/unmute", async (c) => {
    const { account } = requireUser(c, "write:mutes");
    await unmuteAccount(appOf(c), account.id, c.req.param("id"));
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.post("/api/v1/accounts/:id{[0-9]+}/note", async (c) => {
    const { account } = requireUser(c, "write:accounts");
    const p = validate(NoteBody, await allParams(c));
    await setAccountNote(appOf(c), account.id, c.req.param("id"), p.comment ?? "");
    return relationshipOf(c, account.id, c.req.param("id"));
  });

  app.get("/api/v1/accounts/relationships", async (c) => {
    const { account } = requireUser(c, "read:follows");
    const { id } = validate(IdsQuery, queryParams(c));
    const rels = await getRelationships(appOf(c), account.id, id ?? []);
    return c.json(rels.map(serializeRelationship));
  });

  app.get("/api/v1/accounts/familiar_followers", async (c) => {
    const { account } = requireUser(c, "read:follows");
    const { id } = validate(IdsQuery, queryParams(c));
    const ctx = appOf(c);
    const rows = await familiarFollowers(ctx, account.id, id ?? []);
    return c.json(rows.map((r) => ({ id: r.id, accounts: serializeAccounts(ctx, r.accounts) })));
  });

  for (const direction of ["followers", "following"] as const) {
    app.get(`/api/v1/accounts/:id{[0-9]+}/${direction}`, async (c) => {
      const viewer = optionalUser(c, "read:accounts");
      const ctx = appOf(c);
      const page = parsePage(queryParams(c), 40, 80);
      const res = await listFollows(ctx, c.req.param("id"), direction, viewer?.account.id ?? null, page);
      setLinkHeader(c, res.cursorIds);
      return c.json(serializeAccounts(ctx, res.accounts));
    });
  }

  app.get("/api/v1/blocks", async (c) => {
    const { account } = requireUser(c, "read:blocks");
    const ctx = appOf(c);
    const res = await listBlocks(ctx, account.id, parsePage(queryParams(c), 40, 80));
    setLinkHeader(c, res.cursorIds);
    return c.json(serializeAccounts(ctx, res.accounts));
  });

  app.get("/api/v1/mutes", async (c) => {
    const { account } = requireUser(c, "read:mutes");
    const ctx = appOf(c);
    const res = await listMutes(ctx, account.id, parsePage(queryParams(c), 40, 80));
    setLinkHeader(c, res.cursorIds);
    return c.json(
      res.accounts.map(({ mute_expires_at, ...a }) => ({ ...serializeAccount(ctx, a), mute_expires_at })),
    );
  });

  return app;
}
