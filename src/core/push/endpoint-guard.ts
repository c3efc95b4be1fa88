/**
 * Push endpoints are URLs chosen by clients, so a request to one must not become a way into the
 * server's own network. Every push request goes through `pushFetch`; until the federation fetch
 * guard (src/federation/fetch-guard.ts) lands, the check lives here, in one function the lead can
 * repoint: `assertPublicEndpoint`. It resolves the host and refuses private, loopback, link-local,
 * shared, multicast and reserved addresses unless TORGAI_ALLOW_PRIVATE_NETWORK=1 is configured.
 *
 * Known gap (closed by the shared guard, which pins the address it checked): the connection
 * resolves the name again, so a DNS answer that changes between the check and the connection
 * (rebinding) is not caught here.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { AppContext } from "../../app.ts";

let blocked: BlockList | undefined;

function privateRanges(): BlockList {
  if (blocked) return blocked;
  const list = new BlockList();
  for (const [net, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const) {
    list.addSubnet(net, prefix, "ipv4");
  }
  for (const [net, prefix] of [
    ["::", 128],
    ["::1", 128],
    ["64:ff9b:1::", 48],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
  ] as const) {
    list.addSubnet(net, prefix, "ipv6");
  }
  blocked = list;
  return list;
}

/** True for an address the server must not call (IPv4-mapped and NAT64 IPv6 judged by their IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges().check(address, "ipv4");
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return privateRanges().check(mapped[1], "ipv4");
  // the same in hex (::ffff:7f00:1); a BlockList would match IPv4-mapped subnets against IPv4 too
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return privateRanges().check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, "ipv4");
  }
  return privateRanges().check(lower, "ipv6");
}

export class EndpointRefusedError extends Error {}

/**
 * Throws EndpointRefusedError unless `url` is https (or http with private networks allowed) and its
 * host resolves only to public addresses.
 */
export async function assertPublicEndpoint(ctx: AppContext, url: URL): Promise<void> {
  if (ctx.config.allowPrivateNetwork) {
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new EndpointRefusedError("not an http(s) URL");
    return;
  }
  if (url.protocol !== "https:") throw new EndpointRefusedError("push endpoints must be https");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new EndpointRefusedError(`${url.hostname} is not a public address`);
  }
}

/** Cheap check when a subscription is made (no DNS): the scheme, and a literal private address. */
export function plausibleEndpoint(ctx: AppContext, url: URL): boolean {
  if (ctx.config.allowPrivateNetwork) return url.protocol === "https:" || url.protocol === "http:";
  if (url.protocol !== "https:") return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host.endsWith(".localhost")) return false;
  return isIP(host) === 0 || !isPrivateAddress(host);
}

/** The one way push requests leave the server: guarded, through ctx.fetch, never following redirects. */
export async function pushFetch(ctx: AppContext, url: URL, init: RequestInit): Promise<Response> {
  await assertPublicEndpoint(ctx, url);
  return ctx.fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(15_000) });
}
