import { EventEmitter } from "node:events";
import { newRedis } from "./redis.ts";

/**
 * Streaming events. Payloads are references (ids), not rendered JSON: each streaming connection
 * loads and serialises for its own viewer, so visibility, blocks and mutes are checked per reader.
 */
export interface StreamEvent {
  event: "update" | "status.update" | "delete" | "notification" | "conversation" | "filters_changed";
  /** status id (update, status.update, delete), notification id, or account-conversation id */
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
};

export type EventHandler = (event: StreamEvent) => void;

export interface EventBus {
  publish(channel: string, event: StreamEvent): void;
  subscribe(channel: string, handler: EventHandler): () => void;
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
      if (n === 0) sub.subscribe(prefix + channel).catch(() => {});
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
    close: async () => {
      local.removeAllListeners();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
