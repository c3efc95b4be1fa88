import type { Ctx } from "../context.ts";
import { clientIp, trustedProxyList } from "../ratelimit.ts";

const lists = new WeakMap<readonly string[], ReturnType<typeof trustedProxyList>>();

/** The client address (trusted-proxy aware) used by the login and sign-up throttles. */
export function requestIp(c: Ctx): string {
  const entries = c.get("app").config.trustedProxies;
  let list = lists.get(entries);
  if (!list) {
    list = trustedProxyList(entries);
    lists.set(entries, list);
  }
  return clientIp(c, list);
}
