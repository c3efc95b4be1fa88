/** The federation port (core/federation/port.ts) implemented with Fedify; app.ts loads it lazily. */
import type { AppContext } from "../app.ts";
import type { FederationPort } from "../core/federation/port.ts";
import { getFederation } from "./federation.ts";
import { deliver } from "./outbox.ts";
import { actorByHandle, objectByUrl } from "./resolve.ts";

export function federationService(ctx: AppContext): FederationPort {
  const fctx = () => getFederation(ctx).createContext(new URL(ctx.config.baseUrl), ctx);
  return {
    deliver: (event) => deliver(ctx, event),
    resolveAccount: (acct) => actorByHandle(fctx(), acct),
    resolveUrl: (url) => objectByUrl(fctx(), url),
  };
}
