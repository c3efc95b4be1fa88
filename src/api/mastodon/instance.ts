/**
 * Instance metadata (v1 and v2), custom emojis, announcements and trends (NodeInfo, a discovery
 * document of the federation, is in src/federation/nodeinfo.ts).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { LIMITS as PROFILE } from "../../core/accounts/profile.ts";
import {
  contactAccount,
  INSTANCE_LANGUAGES,
  instancePeers,
  instanceStats,
  localCustomEmojis,
  MASTODON_API_VERSION,
  MASTODON_COMPAT_VERSION,
  SOURCE_URL,
  trendingTags,
  weeklyActivity,
} from "../../core/instance.ts";
import { vapidPublicKey } from "../../core/push/vapid.ts";
import { MAX_PINS } from "../../core/statuses/pin.ts";
import { POLL_OPTION_MAX_CHARS } from "../../core/statuses/polls.ts";
import { MAX_FEATURED_TAGS } from "../../core/tags.ts";
import { escapeHtml } from "../../core/text/escape.ts";
import type { Ctx, HonoEnv } from "../context.ts";
import { queryParams, validate, zInt } from "../params.ts";
import { serializeAccount } from "./serializers/account.ts";

const MEDIA_CONFIG = {
  supported_mime_types: [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
    "video/webm",
    "video/mp4",
    "video/quicktime",
    "video/ogg",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/x-pn-wave",
    "audio/vnd.wave",
    "audio/ogg",
    "audio/vorbis",
    "audio/mpeg",
    "audio/mp3",
    "audio/webm",
    "audio/flac",
    "audio/aac",
    "audio/m4a",
    "audio/x-m4a",
    "audio/mp4",
    "audio/3gpp",
    "video/x-ms-asf",
  ],
  description_limit: 1500,
  image_size_limit: 16 * 1024 * 1024,
  image_matrix_limit: 33_177_600,
  video_size_limit: 99 * 1024 * 1024,
  video_frame_rate_limit: 120,
  video_matrix_limit: 8_294_400,
};

const TrendsQuery = z.object({ limit: zInt(1, 20).optional(), offset: zInt(0, 1000).optional() });

function streamingUrl(ctx: AppContext): string {
  return ctx.config.baseUrl.replace(/^http/, "ws");
}

function limits(ctx: AppContext) {
  return {
    // the profile limits as Mastodon 4.6 advertises them (the ones the profile API enforces)
    accounts: {
      max_featured_tags: MAX_FEATURED_TAGS,
      max_pinned_statuses: MAX_PINS,
      max_display_name_length: PROFILE.displayName,
      max_note_length: PROFILE.note,
      max_avatar_description_length: PROFILE.imageDescription,
      max_header_description_length: PROFILE.imageDescription,
      max_profile_fields: PROFILE.fields,
      profile_field_name_limit: PROFILE.fieldName,
      profile_field_value_limit: PROFILE.fieldValue,
    },
    statuses: {
      max_characters: ctx.config.maxStatusChars,
      max_media_attachments: 4,
      characters_reserved_per_url: 23,
    },
    media_attachments: MEDIA_CONFIG,
    polls: {
      max_options: ctx.config.maxPollOptions,
      max_characters_per_option: POLL_OPTION_MAX_CHARS,
      min_expiration: 300,
      max_expiration: 2_629_746,
    },
  };
}

export function instanceRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const { config } = ctx;
  const thumbnail = ctx.uris.static("thumbnail.png");

  app.get("/api/v1/instance", async (c) => {
    const [stats, contact] = await Promise.all([instanceStats(ctx), contactAccount(ctx)]);
    return c.json({
      uri: config.domain,
      title: config.instanceTitle,
      short_description: config.instanceDescription,
      description: config.instanceDescription,
      email: config.contactEmail,
      version: MASTODON_COMPAT_VERSION,
      urls: { streaming_api: streamingUrl(ctx) },
      stats: {
        user_count: stats.userCount,
        status_count: stats.statusCount,
        domain_count: stats.domainCount,
      },
      thumbnail,
      languages: INSTANCE_LANGUAGES,
      registrations: config.registrations !== "closed",
      approval_required: config.registrations === "approval",
      invites_enabled: false,
      configuration: limits(ctx),
      contact_account: contact ? serializeAccount(ctx, contact) : null,
      rules: [],
    });
  });

  app.get("/api/v2/instance", async (c) => {
    const [stats, contact, vapidKey] = await Promise.all([
      instanceStats(ctx),
      contactAccount(ctx),
      vapidPublicKey(ctx),
    ]);
    return c.json({
      domain: config.domain,
      title: config.instanceTitle,
      version: MASTODON_COMPAT_VERSION,
      source_url: SOURCE_URL,
      description: config.instanceDescription,
      usage: { users: { active_month: stats.activeMonth } },
      thumbnail: { url: thumbnail },
      icon: [],
      languages: INSTANCE_LANGUAGES,
      configuration: {
        urls: { streaming: streamingUrl(ctx), status: null },
        vapid: { public_key: vapidKey },
        ...limits(ctx),
        translation: { enabled: false },
      },
      registrations: {
        enabled: config.registrations !== "closed",
        approval_required: config.registrations === "approval",
        message: null,
        url: null,
      },
      api_versions: { mastodon: MASTODON_API_VERSION },
      contact: { email: config.contactEmail, account: contact ? serializeAccount(ctx, contact) : null },
      rules: [],
    });
  });

  app.get("/api/v1/instance/peers", async (c) => {
    return c.json(await instancePeers(ctx));
  });
  app.get("/api/v1/instance/activity", async (c) => c.json(await weeklyActivity(ctx)));
  app.get("/api/v1/instance/rules", (c) => c.json([]));
  app.get("/api/v1/instance/translation_languages", (c) => c.json({}));
  // as Mastodon with no extended description set: empty content, no date; otherwise the operator's
  // text as paragraphs (the date it was written is not known: a configuration has none)
  const extended = config.instanceExtendedDescription
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, "<br>")}</p>`)
    .join("");
  app.get("/api/v1/instance/extended_description", (c) => c.json({ updated_at: null, content: extended }));
  app.get("/api/v1/custom_emojis", async (c) => c.json(await localCustomEmojis(ctx)));
  app.get("/api/v1/announcements", (c) => c.json([]));

  const tags = async (c: Ctx) => {
    const q = validate(TrendsQuery, queryParams(c));
    const list = await trendingTags(ctx, q.limit ?? 10, q.offset ?? 0);
    return c.json(
      list.map((t) => ({
        name: t.name,
        url: ctx.uris.tag(t.name),
        history: t.history,
      })),
    );
  };
  app.get("/api/v1/trends", tags);
  app.get("/api/v1/trends/tags", tags);
  app.get("/api/v1/trends/statuses", (c) => c.json([]));
  app.get("/api/v1/trends/links", (c) => c.json([]));

  return app;
}
