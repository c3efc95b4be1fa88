/**
 * Mastodon stream names → event-bus channels, with the access rules of Mastodon 4.x streaming:
 * a user token is required for every stream, and a read scope for each (see `STREAM_SCOPES`); a
 * list stream only for the list's owner.
 */
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { BadRequestError, UnauthorizedError } from "../../core/errors.ts";
import { channels } from "../../core/events.ts";
import { ownsList } from "../../core/lists.ts";
import { hasScope } from "../../core/scopes.ts";
import { normalizeHashtag } from "../../core/text/extract.ts";
import type { Account } from "../../store/schema.ts";

export const STREAM_NAMES = [
  "user",
  "user:notification",
  "public",
  "public:media",
  "public:local",
  "public:local:media",
  "public:remote",
  "public:remote:media",
  "hashtag",
  "hashtag:local",
  "list",
  "direct",
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

export interface StreamViewer {
  account: Account;
  /** the account's user: its revocation (deletion, suspension) ends the stream */
  userId: string;
  scopes: string[];
  tokenId: string;
}

/** What one subscription listens to and how its events are shaped and filtered. */
export interface StreamSpec {
  name: StreamName;
  /** the `stream` array of each message: [name] or [name, tag|list] */
  stream: string[];
  channels: string[];
  /** identifies the subscription, so subscribing twice is a no-op and unsubscribe finds it */
  key: string;
  /** which events pass: user:notification takes notifications only, direct conversations only */
  events: ReadonlySet<string>;
  /** public:local / public:remote variants read the public channel and keep one origin */
  origin?: "local" | "remote";
  onlyMedia: boolean;
  /** the filter context whose keyword filters apply to statuses on this stream */
  filterContext: "home" | "public";
}

export const StreamParamsSchema = z.object({
  stream: z.string().max(64).optional(),
  tag: z.string().trim().min(1).max(256).optional(),
  list: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
});
export type StreamParams = z.output<typeof StreamParamsSchema>;

/** Hashtag key as the status writer stores it (channel names use that key). */
export function normalizeStreamTag(tag: string): string {
  return normalizeHashtag(tag.replace(/^#/, ""));
}

/**
 * Any one of these scopes opens the stream (`read` covers each). Public and hashtag streams need
 * one too: a token the REST API would refuse must not read the same posts live (Mastodon's
 * CVE-2025-62176, where they needed none).
 */
function streamScopes(name: StreamName): string[] {
  if (name === "user:notification") return ["read:notifications"];
  if (name === "list") return ["read:lists", "read:statuses"];
  return ["read:statuses"];
}

function canRead(scopes: string[], name: StreamName): boolean {
  return streamScopes(name).some((scope) => hasScope(scopes, scope));
}

const STATUS_EVENTS = new Set(["update", "status.update", "delete"]);

export async function resolveStream(
  ctx: AppContext,
  viewer: StreamViewer,
  rawName: string,
  params: { tag?: string; list?: string },
): Promise<StreamSpec> {
  if (!(STREAM_NAMES as readonly string[]).includes(rawName))
    throw new BadRequestError("Unknown stream type");
  const name = rawName as StreamName;
  if (!canRead(viewer.scopes, name)) {
    throw new UnauthorizedError("Access token does not have the required scopes");
  }
  const me = viewer.account.id;
  const onlyMedia = name.endsWith(":media");
  const base = { name, stream: [name as string], onlyMedia, filterContext: "public" as const };
  switch (name) {
    case "user": {
      const events = new Set([...STATUS_EVENTS, "filters_changed"]);
      if (viewer.scopes.includes("read") || viewer.scopes.includes("read:notifications")) {
        events.add("notification");
        events.add("notifications_merged");
      }
      return { ...base, channels: [channels.user(me)], key: name, events, filterContext: "home" };
    }
    case "user:notification":
      return {
        ...base,
        channels: [channels.user(me)],
        key: name,
        events: new Set(["notification", "notifications_merged"]),
      };
    case "direct":
      return { ...base, channels: [channels.direct(me)], key: name, events: new Set(["conversation"]) };
    case "public":
    case "public:media":
    case "public:remote":
    case "public:remote:media":
      return {
        ...base,
        channels: [channels.public],
        key: name,
        events: STATUS_EVENTS,
        origin: name.startsWith("public:remote") ? "remote" : undefined,
      };
    case "public:local":
    case "public:local:media":
      return { ...base, channels: [channels.publicLocal], key: name, events: STATUS_EVENTS, origin: "local" };
    case "hashtag":
    case "hashtag:local": {
      if (!params.tag) throw new BadRequestError("Missing tag name parameter");
      const tag = normalizeStreamTag(params.tag);
      if (!tag) throw new BadRequestError("Missing tag name parameter");
      const channel = name === "hashtag" ? channels.hashtag(tag) : channels.hashtagLocal(tag);
      return {
        ...base,
        stream: [name, params.tag],
        channels: [channel],
        key: `${name}:${tag}`,
        events: STATUS_EVENTS,
        origin: name === "hashtag:local" ? "local" : undefined,
      };
    }
    case "list": {
      if (!params.list) throw new BadRequestError("Missing list name parameter");
      if (!(await ownsList(ctx, me, params.list)))
        throw new UnauthorizedError("Not authorized to stream this list");
      return {
        ...base,
        stream: [name, params.list],
        channels: [channels.list(params.list)],
        key: `list:${params.list}`,
        events: STATUS_EVENTS,
        filterContext: "home",
      };
    }
  }
}
