/** The federation port (core/fediverse/port.ts) implemented with Fedify; app.ts loads it lazily. */
import type { AppContext } from "../app.ts";
import type { FederationPort } from "../core/fediverse/port.ts";
import { federationContext, listenToFederationQueue } from "./federation.ts";
import { deliver } from "./outbox.ts";
import { actorByHandle, objectByUrl } from "./resolve.ts";

export function federationService(ctx: AppContext): FederationPort {
  const fctx = () => federationContext(ctx);
  return {
    deliver: (event) => deliver(ctx, event),
    resolveAccount: (acct, opts) => actorByHandle(fctx(), acct, opts),
    resolveUrl: (url) => objectByUrl(fctx(), url),
    listen: () => listenToFederationQueue(ctx),
  };
}
