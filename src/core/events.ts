import { EventEmitter } from "node:events";
import { newRedis } from "./redis.ts";

/**
 * Streaming events. Payloads are references (ids), not rendered JSON: each streaming connection
 * loads and serialises for its own viewer, so visibility, blocks and mutes are checked per reader.
 */
export interface StreamEvent {
  event:
    | "update"
    | "status.update"
    | "delete"
    | "notification"
    | "conversation"
    | "filters_changed"
    // a notification request was accepted: clients reload their notifications (id: the account)
    | "notifications_merged"
    // on `channels.revocations` only (src/core/auth/revocations.ts)
    | "token.revoked"
    | "user.revoked";
  /** status id (update, status.update, delete), notification id, account-conversation id, token or user id */
  id: string;
}

/** Channel names shared by publishers (core) and the streaming adapter. */
export const channels = {
  user: (accountId: string) => `user:${accountId}`,
  direct: (accountId: string) => `direct:${accountId}`,
  list: (listId: string) => `list:${listId}`,
  public: "public",
  publicLocal: "public:local",
  hashtag: (name: string) => `hashtag:${name}`,
  hashtagLocal: (name: string) => `hashtag:local:${name}`,
  /** revoked tokens and users: every process drops them from its caches and ends their streams */
  revocations: "revocations",
};

export type EventHandler = (event: StreamEvent) => void;

export interface EventBus {
  publish(channel: string, event: StreamEvent): void;
  subscribe(channel: string, handler: EventHandler): () => void;
  /** resolves once every subscription made so far receives events (Redis confirms asynchronously) */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createLocalEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (channel, event) => {
      emitter.emit(channel, event);
    },
    subscribe: (channel, handler) => {
      emitter.on(channel, handler);
      return () => emitter.off(channel, handler);
    },
    ready: async () => {},
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

/** Redis pub/sub so that web processes see events published by workers and by each other. */
export function createRedisEventBus(url: string, prefix = "torgai:"): EventBus {
  const pub = newRedis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const sub = newRedis(url, { lazyConnect: false });
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const counts = new Map<string, number>();
  const subscribing = new Set<Promise<unknown>>();
  sub.on("message", (channel: string, message: string) => {
    try {
      local.emit(channel.slice(prefix.length), JSON.parse(message) as StreamEvent);
    } catch {
      // a malformed message from another process is dropped, not fatal
    }
  });
  return {
    publish: (channel, event) => {
      pub.publish(prefix + channel, JSON.stringify(event)).catch(() => {});
    },
    subscribe: (channel, handler) => {
      const n = counts.get(channel) ?? 0;
      counts.set(channel, n + 1);
      if (n === 0) {
        const done: Promise<unknown> = sub
          .subscribe(prefix + channel)
          .catch(() => {})
          .finally(() => subscribing.delete(done));
        subscribing.add(done);
      }
      local.on(channel, handler);
      return () => {
        local.off(channel, handler);
        const left = (counts.get(channel) ?? 1) - 1;
        if (left <= 0) {
          counts.delete(channel);
          sub.unsubscribe(prefix + channel).catch(() => {});
        } else counts.set(channel, left);
      };
    },
    ready: async () => {
      await Promise.all(subscribing);
    },
    close: async () => {
      local.removeAllListeners();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
