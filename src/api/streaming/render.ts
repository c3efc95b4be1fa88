/**
 * Turns a bus event (an id) into the message one viewer receives, or null when that viewer must not
 * see it. Rows are loaded and serialised per connection, so visibility, blocks, mutes and filters
 * are those of the reader at the moment of delivery.
 */
import type { AppContext } from "../../app.ts";
import { type ConversationRow, getConversation } from "../../core/conversations.ts";
import type { StreamEvent } from "../../core/events.ts";
import { type ActiveFilter, matchFilters } from "../../core/filters.ts";
import { canView } from "../../core/visibility.ts";
import type { Status } from "../../store/schema.ts";
import { serializeConversations } from "../mastodon/serializers/conversation.ts";
import { serializeNotifications } from "../mastodon/serializers/notification.ts";
import { serializeStatuses } from "../mastodon/serializers/status.ts";
import type { StreamSpec, StreamViewer } from "./streams.ts";

export interface Rendered {
  event: StreamEvent["event"];
  /** JSON text of the entity, a bare id for delete, absent for filters_changed */
  payload?: string;
}

async function loadStatus(ctx: AppContext, id: string): Promise<Status | undefined> {
  return ctx.db.selectFrom("statuses").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Whether the viewer has muted or blocked someone the status involves (its author, the reblogged
 * author, anyone mentioned), as Mastodon's streaming server checks for public and hashtag streams.
 */
async function involvesSilenced(
  ctx: AppContext,
  viewerId: string,
  status: Status,
  original: Status,
): Promise<boolean> {
  const mentioned = await ctx.db
    .selectFrom("mentions")
    .select("account_id")
    .where("status_id", "=", original.id)
    .execute();
  const involved = [
    ...new Set([status.account_id, original.account_id, ...mentioned.map((m) => m.account_id)]),
  ].filter((id) => id !== viewerId);
  if (involved.length === 0) return false;
  const nowIso = ctx.now().toISOString();
  const [block, mute] = await Promise.all([
    ctx.db
      .selectFrom("blocks")
      .select("id")
      .where("account_id", "=", viewerId)
      .where("target_account_id", "in", involved)
      .executeTakeFirst(),
    ctx.db
      .selectFrom("mutes")
      .select("id")
      .where("account_id", "=", viewerId)
      .where("target_account_id", "in", involved)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", nowIso)]))
      .executeTakeFirst(),
  ]);
  return !!(block || mute);
}

async function renderStatus(
  ctx: AppContext,
  viewer: StreamViewer,
  spec: StreamSpec,
  id: string,
  filters: () => Promise<ActiveFilter[]>,
): Promise<string | null> {
  const me = viewer.account.id;
  const status = await loadStatus(ctx, id);
  if (!status) return null;
  if (spec.origin === "local" && !status.local) return null;
  if (spec.origin === "remote" && status.local) return null;
  const original = status.reblog_of_id ? await loadStatus(ctx, status.reblog_of_id) : status;
  if (!original) return null;
  if (!(await canView(ctx, ctx.db, status, me))) return null;
  if (status.account_id !== me && (await involvesSilenced(ctx, me, status, original))) return null;
  const [json] = await serializeStatuses(ctx, [status], viewer.account);
  if (!json) return null;
  if (spec.onlyMedia && (json.reblog ?? json).media_attachments.length === 0) return null;
  if (original.account_id !== me) {
    // every active filter, whatever its context: clients pick the ones for the timeline shown
    const filtered = matchFilters(await filters(), original);
    json.filtered = filtered;
    if (json.reblog) json.reblog.filtered = filtered;
  }
  return JSON.stringify(json);
}

async function renderNotification(ctx: AppContext, viewer: StreamViewer, id: string): Promise<string | null> {
  const n = await ctx.db
    .selectFrom("notifications")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", viewer.account.id)
    .executeTakeFirst();
  if (!n) return null;
  const statuses = new Map<string, Status>();
  if (n.status_id) {
    const row = await loadStatus(ctx, n.status_id);
    if (!row || !(await canView(ctx, ctx.db, row, viewer.account.id))) return null;
    statuses.set(row.id, row);
  }
  const [json] = await serializeNotifications(ctx, [n], statuses, viewer.account);
  return json ? JSON.stringify(json) : null;
}

async function renderConversation(ctx: AppContext, viewer: StreamViewer, id: string): Promise<string | null> {
  let row: ConversationRow;
  try {
    row = await getConversation(ctx, viewer.account.id, id);
  } catch {
    return null;
  }
  if (!(await canView(ctx, ctx.db, row.lastStatus, viewer.account.id))) return null;
  const [json] = await serializeConversations(ctx, [row], viewer.account);
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
    case "update":
    case "status.update": {
      const payload = await renderStatus(ctx, viewer, spec, ev.id, filters);
      return payload ? { event: ev.event, payload } : null;
    }
    case "notification": {
      const payload = await renderNotification(ctx, viewer, ev.id);
      return payload ? { event: "notification", payload } : null;
    }
    case "conversation": {
      const payload = await renderConversation(ctx, viewer, ev.id);
      return payload ? { event: "conversation", payload } : null;
    }
    default:
      return null;
  }
}
