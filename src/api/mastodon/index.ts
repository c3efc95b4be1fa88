import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import type { HonoEnv } from "../context.ts";
import { accountsRoutes } from "./accounts.ts";
import { appsRoutes } from "./apps.ts";
import { bookmarksRoutes } from "./bookmarks.ts";
import { collectionsRoutes } from "./collections.ts";
import { conversationsRoutes } from "./conversations.ts";
import { directoryRoutes } from "./directory.ts";
import { domainBlocksRoutes } from "./domain-blocks.ts";
import { favouritesRoutes } from "./favourites.ts";
import { filtersRoutes } from "./filters.ts";
import { followRequestsRoutes } from "./follow-requests.ts";
import { instanceRoutes } from "./instance.ts";
import { listsRoutes } from "./lists.ts";
import { markersRoutes } from "./markers.ts";
import { miscRoutes } from "./misc.ts";
import { notificationRequestsRoutes } from "./notification-requests.ts";
import { notificationsRoutes } from "./notifications.ts";
import { notificationsV2Routes } from "./notifications-v2.ts";
import { pollsRoutes } from "./polls.ts";
import { preferencesRoutes } from "./preferences.ts";
import { profileRoutes } from "./profile.ts";
import { pushRoutes } from "./push.ts";
import { relationshipsRoutes } from "./relationships.ts";
import { reportsRoutes } from "./reports.ts";
import { scheduledStatusesRoutes } from "./scheduled-statuses.ts";
import { searchRoutes } from "./search.ts";
import { statusesRoutes } from "./statuses.ts";
import { streamingRoutes } from "./streaming.ts";
import { tagsRoutes } from "./tags.ts";
import { timelinesRoutes } from "./timelines.ts";

/** Mastodon client API. Id parameters are declared `:id{[0-9]+}` so fixed paths never collide. */
export function mastodonRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  for (const routes of [
    appsRoutes,
    relationshipsRoutes,
    accountsRoutes,
    preferencesRoutes,
    followRequestsRoutes,
    statusesRoutes,
    scheduledStatusesRoutes,
    pollsRoutes,
    bookmarksRoutes,
    favouritesRoutes,
    timelinesRoutes,
    listsRoutes,
    notificationsRoutes,
    markersRoutes,
    conversationsRoutes,
    instanceRoutes,
    filtersRoutes,
    streamingRoutes,
    // Mastodon 4.3 conformance: grouped notifications, search, tags, blocks, reports, directory…
    // before the v2 routes, whose /api/v2/notifications/:group_key would take "policy"
    notificationRequestsRoutes,
    notificationsV2Routes,
    searchRoutes,
    tagsRoutes,
    domainBlocksRoutes,
    reportsRoutes,
    directoryRoutes,
    pushRoutes,
    // Mastodon 4.6 profile API and collections
    profileRoutes,
    collectionsRoutes,
    miscRoutes,
  ]) {
    app.route("/", routes(ctx));
  }
  return app;
}
