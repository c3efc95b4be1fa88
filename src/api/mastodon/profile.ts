/**
 * The profile API of Mastodon 4.6: GET/PATCH /api/v1/profile answer the Profile entity (the raw
 * text the owner typed, image descriptions, which tabs to show), and DELETE …/avatar|header.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import {
  type ProfileUpdate,
  removeProfileImage,
  sourceFields,
  updateProfile,
} from "../../core/accounts/profile.ts";
import { featuredTags } from "../../core/tags.ts";
import type { Account } from "../../store/schema.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { allParams, validate, zBool } from "../params.ts";
import { ProfileFields } from "./accounts.ts";
import { serializeCredentialAccount } from "./present.ts";
import { serializeFeaturedTag } from "./tags.ts";

const UpdateProfile = z.object({
  display_name: z.string().max(10_000).optional(),
  note: z.string().max(100_000).optional(),
  avatar_description: z.string().max(10_000).optional(),
  header_description: z.string().max(10_000).optional(),
  locked: zBool.optional(),
  bot: zBool.optional(),
  discoverable: zBool.optional(),
  indexable: zBool.optional(),
  show_media: zBool.optional(),
  show_media_replies: zBool.optional(),
  show_featured: zBool.optional(),
  fields_attributes: ProfileFields,
  // avatar and header files come with the media issue; hide_collections and attribution_domains
  // are not offered yet and are ignored, as unknown parameters are
});

async function serializeProfile(ctx: AppContext, a: Account) {
  const tags = await featuredTags(ctx, a.id);
  const flag = (v: number) => v === 1;
  return {
    id: a.id,
    display_name: a.display_name,
    note: a.note_source,
    fields: sourceFields(a),
    // unlike Account, null when none is set (the defaults are not the owner's images)
    avatar: a.avatar_url,
    avatar_static: a.avatar_url,
    avatar_description: a.avatar_description,
    header: a.header_url,
    header_static: a.header_url,
    header_description: a.header_description,
    locked: flag(a.locked),
    bot: flag(a.bot),
    hide_collections: false,
    discoverable: flag(a.discoverable),
    indexable: flag(a.indexable),
    show_media: flag(a.show_media),
    show_media_replies: flag(a.show_media_replies),
    show_featured: flag(a.show_featured),
    attribution_domains: [],
    featured_tags: tags.map((t) => serializeFeaturedTag(a, t)),
  };
}

export function profileRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/profile", async (c) => {
    const v = requireUser(c, "read:accounts");
    return c.json(await serializeProfile(appOf(c), v.account));
  });

  app.on(["PATCH", "PUT"], "/api/v1/profile", async (c) => {
    const v = requireUser(c, "write:accounts");
    const p = validate(UpdateProfile, await allParams(c));
    const input: ProfileUpdate = {
      displayName: p.display_name,
      note: p.note,
      locked: p.locked,
      bot: p.bot,
      discoverable: p.discoverable,
      indexable: p.indexable,
      fields: p.fields_attributes,
      avatarDescription: p.avatar_description,
      headerDescription: p.header_description,
      showMedia: p.show_media,
      showMediaReplies: p.show_media_replies,
      showFeatured: p.show_featured,
    };
    const ctx = appOf(c);
    const { account } = await updateProfile(ctx, v.account.id, input);
    return c.json(await serializeProfile(ctx, account));
  });

  for (const kind of ["avatar", "header"] as const) {
    app.delete(`/api/v1/profile/${kind}`, async (c) => {
      const v = requireUser(c, "write:accounts");
      const ctx = appOf(c);
      const { account, user } = await removeProfileImage(ctx, v.account.id, kind);
      return c.json(await serializeCredentialAccount(ctx, account, user));
    });
  }

  return app;
}
