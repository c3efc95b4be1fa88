/**
 * What core asks of federation, without knowing ActivityPub: the composition root (app.ts) plugs
 * in the Fedify adapter (src/federation/service.ts), loaded on first use so a server that never
 * federates does not pay for it at start.
 */
import type { Account, Status } from "../../store/schema.ts";
import type { OutboundEvent } from "./outbound.ts";

export type ResolvedObject = { kind: "account"; account: Account } | { kind: "status"; status: Status };

export interface FederationPort {
  /** delivers what a local action left to tell (the `federation.outbound` job) */
  deliver(event: OutboundEvent): Promise<void>;
  /**
   * `user@domain` of another server, looked up by WebFinger and stored; null when not found.
   * `fresh`: its actor document is fetched again even when we hold a recent copy (a Move's target).
   */
  resolveAccount(acct: string, opts?: { fresh?: boolean }): Promise<Account | null>;
  /** a remote actor's or post's URL, fetched and stored; null when not found or not allowed */
  resolveUrl(url: string): Promise<ResolvedObject | null>;
  /** makes this process consume the federation's queued tasks (a worker's first such job asks) */
  listen(): Promise<void>;
}

/** A port for contexts without federation (TORGAI_FEDERATION=0): nothing leaves, nothing resolves. */
export const noFederation: FederationPort = {
  deliver: async () => {},
  resolveAccount: async () => null,
  resolveUrl: async () => null,
  listen: async () => {},
};
