/**
 * Revocations as events: whenever tokens are revoked (by a client, by refresh rotation, by a replayed
 * code or refresh token) or a user loses the right to sign in (deletion, and suspension or disabling
 * when an admin does it), the change is announced on the event bus. Every process — through Redis
 * when REDIS_URL is set — drops those tokens from its token cache and ends the streams holding them
 * at once, rather than at its next cache expiry or stream heartbeat (which remain the fallback should
 * a message be lost).
 */
import { type AppContext, owned, resourceKey } from "../../app.ts";
import { channels, type StreamEvent } from "../events.ts";

export interface Revocation {
  /** ids of revoked `oauth_tokens` rows */
  tokenIds: readonly string[];
  /** users none of whose tokens may be used any more */
  userIds: readonly string[];
}

export type RevocationListener = (revoked: Revocation) => void;

function dispatch(listeners: Set<RevocationListener>, revoked: Revocation): void {
  for (const fn of listeners) fn(revoked);
}

function fromEvent(ev: StreamEvent): Revocation | null {
  if (ev.event === "token.revoked") return { tokenIds: [ev.id], userIds: [] };
  if (ev.event === "user.revoked") return { tokenIds: [], userIds: [ev.id] };
  return null;
}

/**
 * Listeners of the context's bus, subscribed to the revocations channel on first use (one bus
 * subscription however many listeners). The server calls it at start, so that it hears revocations
 * before its first stream opens.
 */
const LISTENERS = resourceKey(
  "revocation listeners",
  (ctx) => {
    const listeners = new Set<RevocationListener>();
    const stop = ctx.events.subscribe(channels.revocations, (ev) => {
      const revoked = fromEvent(ev);
      if (revoked) dispatch(listeners, revoked);
    });
    return { listeners, stop };
  },
  ({ stop }) => stop(),
);

export function revocationListeners(ctx: AppContext): Set<RevocationListener> {
  return owned(ctx, LISTENERS).listeners;
}

/** Calls `fn` for every revocation announced by this or (through Redis) any other process. */
export function onRevocation(ctx: AppContext, fn: RevocationListener): () => void {
  const listeners = revocationListeners(ctx);
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Announces revoked tokens and users, after the change is committed (a process that hears of it
 * and reads the database must find it revoked). Applied in this process at once, whatever the
 * bus; listeners must be idempotent, since this process hears its own announcement again.
 */
export function announceRevocation(ctx: AppContext, revoked: Partial<Revocation>): void {
  const full: Revocation = { tokenIds: revoked.tokenIds ?? [], userIds: revoked.userIds ?? [] };
  if (full.tokenIds.length === 0 && full.userIds.length === 0) return;
  dispatch(revocationListeners(ctx), full);
  for (const id of full.tokenIds) ctx.events.publish(channels.revocations, { event: "token.revoked", id });
  for (const id of full.userIds) ctx.events.publish(channels.revocations, { event: "user.revoked", id });
}
