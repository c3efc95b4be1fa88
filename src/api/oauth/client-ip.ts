import { owned, resourceKey } from "../../app.ts";
import type { Ctx } from "../context.ts";
import { clientIp, trustedProxyList } from "../ratelimit.ts";

const TRUSTED_PROXIES = resourceKey("trusted proxies", (ctx) => trustedProxyList(ctx.config.trustedProxies));

/** The client address (trusted-proxy aware) used by the login and sign-up throttles. */
export function requestIp(c: Ctx): string {
  return clientIp(c, owned(c.get("app"), TRUSTED_PROXIES));
}
