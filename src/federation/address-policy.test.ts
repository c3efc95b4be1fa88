import assert from "node:assert/strict";
import { test } from "node:test";
import { blockedAddressReason, parseIPv6 } from "./address-policy.ts";

test("public IPv4 and IPv6 addresses pass", () => {
  for (const a of [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1", // just past 172.16/12
    "100.128.0.1", // just past 100.64/10
    "11.0.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8", // IPv4-mapped public
    "64:ff9b::808:808", // NAT64 of 8.8.8.8
    "2002:808:808::1", // 6to4 of 8.8.8.8
  ]) {
    assert.equal(blockedAddressReason(a), null, a);
  }
});

test("every special-purpose IPv4 range is refused", () => {
  const cases: [string, RegExp][] = [
    ["0.0.0.0", /this network/],
    ["0.255.255.255", /this network/],
    ["10.0.0.1", /private/],
    ["10.255.255.255", /private/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["100.127.255.255", /carrier-grade NAT/],
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["169.254.169.254", /metadata/],
    ["169.254.0.1", /link-local/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.0.1", /private/],
    ["192.0.0.8", /IETF/],
    ["192.0.2.1", /documentation/],
    ["198.18.0.1", /benchmarking/],
    ["198.51.100.7", /documentation/],
    ["203.0.113.9", /documentation/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["240.0.0.1", /reserved/],
    ["255.255.255.255", /broadcast/],
  ];
  for (const [a, why] of cases) assert.match(blockedAddressReason(a) ?? "passed", why, a);
});

test("IPv6 loopback, local, multicast and IPv4-carrying forms of private addresses are refused", () => {
  const cases: [string, RegExp][] = [
    ["::", /unspecified/],
    ["::1", /loopback/],
    ["[::1]", /loopback/],
    ["0:0:0:0:0:0:0:1", /loopback/],
    ["::ffff:127.0.0.1", /IPv4-mapped loopback/],
    ["::ffff:7f00:1", /IPv4-mapped loopback/],
    ["::ffff:169.254.169.254", /IPv4-mapped link-local/],
    ["::ffff:10.0.0.1", /IPv4-mapped private/],
    ["::127.0.0.1", /IPv4-compatible/],
    ["::8.8.8.8", /IPv4-compatible/],
    ["64:ff9b::10.0.0.1", /NAT64 of private/],
    ["64:ff9b::7f00:1", /NAT64 of loopback/],
    ["64:ff9b:1::1", /local-use NAT64/],
    ["2002:7f00:1::1", /6to4 of loopback/],
    ["2002:a9fe:a9fe::", /6to4 of link-local/],
    ["fc00::1", /unique local/],
    ["fdff:ffff::1", /unique local/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["febf::1", /link-local/],
    ["fec0::1", /site-local/],
    ["ff02::1", /multicast/],
    ["ff05::1:3", /multicast/],
    ["2001:db8::1", /documentation/],
    ["3fff::1", /documentation/],
    ["2001::1", /Teredo/],
    ["100::1", /not global unicast/],
    ["::ffff:0:7f00:1", /not global unicast/],
  ];
  for (const [a, why] of cases) assert.match(blockedAddressReason(a) ?? "passed", why, a);
});

test("anything that is not an IP address is refused, never guessed at", () => {
  for (const a of [
    "",
    "localhost",
    "1.2.3",
    "0x7f000001",
    "2130706433",
    "127.1",
    "01.02.03.04",
    "1.2.3.256",
    ":::1",
    "example.com",
  ]) {
    assert.equal(blockedAddressReason(a), "not an IP address", a);
  }
});

test("IPv6 parsing expands :: and embedded IPv4", () => {
  assert.deepEqual(parseIPv6("1::8"), [1, 0, 0, 0, 0, 0, 0, 8]);
  assert.deepEqual(parseIPv6("::ffff:1.2.3.4"), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  assert.deepEqual(parseIPv6("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(parseIPv6("1:2:3:4:5:6:7:8:9"), null);
});
