/**
 * Which IP addresses an outbound request may connect to (src/federation/fetch-guard.ts applies it
 * to every address a host name resolves to, and to IP literals).
 *
 *   blockedAddressReason("10.1.2.3")        // "private network (10.0.0.0/8)"
 *   blockedAddressReason("2001:4860::8888") // null: public
 *
 * IPv4: only public unicast passes. IPv6: only global unicast (2000::/3) passes, minus
 * documentation and protocol-assignment ranges; forms that carry an IPv4 address (IPv4-mapped
 * ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address, since a
 * dual-stack socket or a translator would reach it. Anything that is not a valid address is refused.
 * Host names are the caller's business: WHATWG URL parsing already turns every IPv4 spelling
 * (decimal, octal, hex, short forms) of http(s) URLs into dotted quads.
 */
import { isIPv4, isIPv6 } from "node:net";

interface Range4 {
  base: number;
  bits: number;
  reason: string;
}

function v4(cidr: string, reason: string): Range4 {
  const [addr, bits] = cidr.split("/");
  return { base: parseIPv4(addr) as number, bits: Number(bits), reason };
}

// IANA IPv4 special-purpose registry: everything not globally reachable
const BLOCKED_V4: Range4[] = [
  v4("0.0.0.0/8", "this network (0.0.0.0/8)"),
  v4("10.0.0.0/8", "private network (10.0.0.0/8)"),
  v4("100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"),
  v4("127.0.0.0/8", "loopback (127.0.0.0/8)"),
  v4("169.254.0.0/16", "link-local or cloud metadata (169.254.0.0/16)"),
  v4("172.16.0.0/12", "private network (172.16.0.0/12)"),
  v4("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
  v4("192.0.2.0/24", "documentation (192.0.2.0/24)"),
  v4("192.88.99.0/24", "6to4 relay anycast (192.88.99.0/24)"),
  v4("192.168.0.0/16", "private network (192.168.0.0/16)"),
  v4("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
  v4("198.51.100.0/24", "documentation (198.51.100.0/24)"),
  v4("203.0.113.0/24", "documentation (203.0.113.0/24)"),
  v4("224.0.0.0/4", "multicast (224.0.0.0/4)"),
  v4("240.0.0.0/4", "reserved or broadcast (240.0.0.0/4)"),
];

/** Dotted quad → 32-bit unsigned integer, or null when it is not exactly four decimal octets. */
export function parseIPv4(address: string): number | null {
  if (!isIPv4(address)) return null;
  let n = 0;
  for (const part of address.split(".")) n = n * 256 + Number(part);
  return n;
}

/** An IPv6 address (zone id and brackets removed) → its eight 16-bit groups, or null. */
export function parseIPv6(address: string): number[] | null {
  let a = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone);
  if (!isIPv6(a)) return null;
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups
  const lastColon = a.lastIndexOf(":");
  const tail = a.slice(lastColon + 1);
  if (tail.includes(".")) {
    const n = parseIPv4(tail);
    if (n === null) return null;
    a = `${a.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = rest === undefined ? [] : rest ? rest.split(":") : [];
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array(fill).fill("0"), ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

function v4Reason(n: number): string | null {
  for (const r of BLOCKED_V4) {
    const mask = r.bits === 0 ? 0 : (0xffffffff << (32 - r.bits)) >>> 0;
    if ((n & mask) >>> 0 === (r.base & mask) >>> 0) return r.reason;
  }
  return null;
}

const embedded = (hi: number, lo: number) => ((hi << 16) >>> 0) + lo;

function v6Reason(g: number[]): string | null {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified address (::)";
  if (zeroUpTo(7) && g[7] === 1) return "loopback (::1)";
  if (zeroUpTo(5) && g[5] === 0xffff) {
    const r = v4Reason(embedded(g[6], g[7]));
    return r ? `IPv4-mapped ${r}` : null;
  }
  if (zeroUpTo(6)) return "IPv4-compatible address (::/96, deprecated)";
  if (g[0] === 0x64 && g[1] === 0xff9b) {
    if (g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) {
      const r = v4Reason(embedded(g[6], g[7]));
      return r ? `NAT64 of ${r}` : null;
    }
    return "local-use NAT64 (64:ff9b:1::/48)";
  }
  if (g[0] === 0x2002) {
    const r = v4Reason(embedded(g[1], g[2]));
    return r ? `6to4 of ${r}` : null;
  }
  if ((g[0] & 0xfe00) === 0xfc00) return "unique local address (fc00::/7)";
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
  if ((g[0] & 0xffc0) === 0xfec0) return "site-local (fec0::/10)";
  if ((g[0] & 0xff00) === 0xff00) return "multicast (ff00::/8)";
  if ((g[0] & 0xe000) !== 0x2000) return "not global unicast (outside 2000::/3)";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation (2001:db8::/32)";
  if (g[0] === 0x3fff && g[1] < 0x1000) return "documentation (3fff::/20)";
  if (g[0] === 0x2001 && g[1] < 0x0200) return "IETF protocol assignments, Teredo (2001::/23)";
  return null;
}

/** Why `address` (IPv4 or IPv6, no port) must not be connected to, or null when it is public. */
export function blockedAddressReason(address: string): string | null {
  const n = parseIPv4(address);
  if (n !== null) return v4Reason(n);
  const g = parseIPv6(address);
  if (g !== null) return v6Reason(g);
  return "not an IP address";
}
