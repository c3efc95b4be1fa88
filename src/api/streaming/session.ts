/**
 * One streaming connection (WebSocket or server-sent events): its viewer, its subscriptions and an
 * ordered delivery queue. Transport-agnostic: the transport gives a sink and calls subscribe /
 * unsubscribe / close.
 */
import { type AppContext, owned, resourceKey } from "../../app.ts";
import { onRevocation } from "../../core/auth/revocations.ts";
import { BadRequestError } from "../../core/errors.ts";
import { channels, type StreamEvent } from "../../core/events.ts";
import { type ActiveFilter, loadActiveFilters } from "../../core/filters.ts";
import { renderEvent } from "./render.ts";
import { resolveStream, type StreamSpec, type StreamViewer } from "./streams.ts";

export interface StreamSink {
  send(stream: string[], event: string, payload: string | undefined): void;
}

interface Subscription {
  spec: StreamSpec;
  offs: (() => void)[];
}

/**
 * Subscriptions one connection may hold. Mastodon's streaming server has no cap; each costs about
 * 1.6 KB and a bus listener, so an uncapped socket could hold megabytes. A client needs a handful
 * (home, notifications, a few lists and tags).
 */
export const MAX_SUBSCRIPTIONS = 100;

/**
 * Every open session of a context (the server closes them on shutdown), with a listener that ends,
 * at once, the sessions of a token or user revoked in any process.
 */
const SESSIONS = resourceKey(
  "stream sessions",
  (ctx) => {
    const sessions = new Set<StreamSession>();
    const stop = onRevocation(ctx, ({ tokenIds, userIds }) => {
      for (const session of [...sessions]) {
        const { tokenId, userId } = session.viewer;
        if (tokenIds.includes(tokenId) || userIds.includes(userId)) session.close("revoked");
      }
    });
    return { sessions, stop };
  },
  ({ sessions, stop }) => {
    stop();
    for (const session of [...sessions]) session.close();
  },
);

export function sessionsOf(ctx: AppContext): Set<StreamSession> {
  return owned(ctx, SESSIONS).sessions;
}

/** Why a session ended: its token or user was revoked, or it simply ended (reader left, shutdown). */
export type CloseReason = "revoked" | "closed";

export class StreamSession {
  readonly ctx: AppContext;
  readonly viewer: StreamViewer;
  readonly #sink: StreamSink;
  readonly #subs = new Map<string, Subscription>();
  readonly #offSystem: () => void;
  readonly #onClose: ((reason: CloseReason) => void)[] = [];
  #queue: Promise<void> = Promise.resolve();
  #filters: Promise<ActiveFilter[]> | null = null;
  #closed = false;

  constructor(ctx: AppContext, viewer: StreamViewer, sink: StreamSink) {
    this.ctx = ctx;
    this.viewer = viewer;
    this.#sink = sink;
    // Like Mastodon's system channel: whatever the streams, a filter change reloads the filters.
    this.#offSystem = ctx.events.subscribe(channels.user(viewer.account.id), (ev) => {
      if (ev.event === "filters_changed") this.#filters = null;
    });
    sessionsOf(ctx).add(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscription keys, for tests and diagnostics. */
  get streams(): string[] {
    return [...this.#subs.keys()];
  }

  /** Throws a TorgaiError (unknown stream, missing scope, foreign list, too many) without subscribing. */
  async subscribe(name: string, params: { tag?: string; list?: string }): Promise<StreamSpec> {
    const spec = await resolveStream(this.ctx, this.viewer, name, params);
    if (this.#closed || this.#subs.has(spec.key)) return spec;
    if (this.#subs.size >= MAX_SUBSCRIPTIONS) {
      throw new BadRequestError(`Too many subscriptions (at most ${MAX_SUBSCRIPTIONS} per connection)`);
    }
    const offs = spec.channels.map((channel) =>
      this.ctx.events.subscribe(channel, (ev) => this.#enqueue(spec, ev)),
    );
    this.#subs.set(spec.key, { spec, offs });
    return spec;
  }

  async unsubscribe(name: string, params: { tag?: string; list?: string }): Promise<void> {
    const spec = await resolveStream(this.ctx, this.viewer, name, params);
    this.#drop(spec.key);
  }

  onClose(fn: (reason: CloseReason) => void): void {
    this.#onClose.push(fn);
  }

  close(reason: CloseReason = "closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const key of [...this.#subs.keys()]) this.#drop(key);
    this.#offSystem();
    sessionsOf(this.ctx).delete(this);
    for (const fn of this.#onClose) {
      try {
        fn(reason);
      } catch {
        // a transport already torn down
      }
    }
  }

  #drop(key: string): void {
    const sub = this.#subs.get(key);
    if (!sub) return;
    for (const off of sub.offs) off();
    this.#subs.delete(key);
  }

  #loadFilters = (): Promise<ActiveFilter[]> => {
    this.#filters ??= loadActiveFilters(this.ctx, this.viewer.account.id).catch(() => []);
    return this.#filters;
  };

  // Rendering is async (database reads), so a queue keeps messages in publication order.
  #enqueue(spec: StreamSpec, ev: StreamEvent): void {
    this.#queue = this.#queue
      .then(async () => {
        if (this.#closed || !this.#subs.has(spec.key)) return;
        const out = await renderEvent(this.ctx, this.viewer, spec, ev, this.#loadFilters);
        if (out && !this.#closed) this.#sink.send(spec.stream, out.event, out.payload);
      })
      .catch((err: unknown) => {
        this.ctx.logger.warn({ err, event: ev.event, id: ev.id }, "streaming event dropped");
      });
  }

  /** Resolves when every event received so far has been delivered (tests). */
  idle(): Promise<void> {
    return this.#queue;
  }
}
