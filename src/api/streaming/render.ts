/**
 * Turns a bus event (an id) into the message one viewer receives, or null when that viewer must not
 * see it. Core loads, checks and hydrates per connection (core/streaming.ts), so visibility, blocks,
 * mutes and filters are those of the reader at the moment of delivery; this renders the bundle.
 */
import type { AppContext } from "../../app.ts";
import type { StreamEvent } from "../../core/events.ts";
import type { ActiveFilter } from "../../core/filters.ts";
import { streamedConversation, streamedNotification, streamedStatus } from "../../core/streaming.ts";
import { toMastodonConversations } from "../mastodon/serializers/conversation.ts";
import { toMastodonNotifications } from "../mastodon/serializers/notification.ts";
import { toMastodonStatuses } from "../mastodon/serializers/status.ts";
import type { StreamSpec, StreamViewer } from "./streams.ts";

export interface Rendered {
  event: StreamEvent["event"];
  /** JSON text of the entity, a bare id for delete, absent for filters_changed */
  payload?: string;
}

async function renderStatus(
  ctx: AppContext,
  viewer: StreamViewer,
  spec: StreamSpec,
  id: string,
  filters: () => Promise<ActiveFilter[]>,
): Promise<string | null> {
  const bundle = await streamedStatus(ctx, id, viewer.account, {
    origin: spec.origin,
    filters: await filters(),
  });
  if (!bundle) return null;
  const [json] = toMastodonStatuses(ctx, bundle);
  if (!json) return null;
  if (spec.onlyMedia && (json.reblog ?? json).media_attachments.length === 0) return null;
  return JSON.stringify(json);
}

async function renderNotification(
  ctx: AppContext,
  viewer: StreamViewer,
  id: string,
  filters: () => Promise<ActiveFilter[]>,
): Promise<string | null> {
  const found = await streamedNotification(ctx, id, viewer.account, await filters());
  if (!found) return null;
  const [json] = toMastodonNotifications(ctx, [found.notification], found.bundle);
  return json ? JSON.stringify(json) : null;
}

async function renderConversation(
  ctx: AppContext,
  viewer: StreamViewer,
  id: string,
  filters: () => Promise<ActiveFilter[]>,
): Promise<string | null> {
  const found = await streamedConversation(ctx, id, viewer.account, await filters());
  if (!found) return null;
  const [json] = toMastodonConversations(ctx, [found.conversation], found.bundle, viewer.account);
  return json ? JSON.stringify(json) : null;
}

export async function renderEvent(
  ctx: AppContext,
  viewer: StreamViewer,
  spec: StreamSpec,
  ev: StreamEvent,
  filters: () => Promise<ActiveFilter[]>,
): Promise<Rendered | null> {
  if (!spec.events.has(ev.event)) return null;
  switch (ev.event) {
    case "delete":
      return { event: "delete", payload: ev.id };
    case "filters_changed":
      return { event: "filters_changed" };
    case "notifications_merged":
      // Mastodon's payload is the string "1"
      return { event: "notifications_merged", payload: "1" };
    case "update":
    case "status.update": {
      const payload = await renderStatus(ctx, viewer, spec, ev.id, filters);
      return payload ? { event: ev.event, payload } : null;
    }
    case "notification": {
      const payload = await renderNotification(ctx, viewer, ev.id, filters);
      return payload ? { event: "notification", payload } : null;
    }
    case "conversation": {
      const payload = await renderConversation(ctx, viewer, ev.id, filters);
      return payload ? { event: "conversation", payload } : null;
    }
    default:
      return null;
  }
}
