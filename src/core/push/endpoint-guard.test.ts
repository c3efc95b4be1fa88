import assert from "node:assert/strict";
import { test } from "node:test";
import { testConfig } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import {
  assertPublicEndpoint,
  EndpointRefusedError,
  isPrivateAddress,
  plausibleEndpoint,
} from "./endpoint-guard.ts";

const ctxWith = (allow: boolean) =>
  ({ config: testConfig(allow ? { TORGAI_ALLOW_PRIVATE_NETWORK: "1" } : {}) }) as unknown as AppContext;

test("private, loopback, link-local, shared and reserved addresses are refused", () => {
  for (const a of [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "64:ff9b::10.0.0.1",
    "not an address",
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ["8.8.8.8", "172.32.0.1", "142.250.74.110", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
    assert.equal(isPrivateAddress(a), false, a);
  }
});

test("endpoints must be https to a public address unless private networks are allowed", async () => {
  const strict = ctxWith(false);
  const open = ctxWith(true);
  assert.equal(plausibleEndpoint(strict, new URL("https://fcm.googleapis.com/fcm/send/x")), true);
  assert.equal(plausibleEndpoint(strict, new URL("http://fcm.googleapis.com/fcm/send/x")), false);
  assert.equal(plausibleEndpoint(strict, new URL("https://10.0.0.5/x")), false);
  assert.equal(plausibleEndpoint(strict, new URL("https://app.localhost/x")), false);
  assert.equal(plausibleEndpoint(open, new URL("http://127.0.0.1:9000/x")), true);
  assert.equal(plausibleEndpoint(open, new URL("ftp://127.0.0.1/x")), false);

  await assert.rejects(assertPublicEndpoint(strict, new URL("https://127.0.0.1/x")), EndpointRefusedError);
  await assert.rejects(assertPublicEndpoint(strict, new URL("https://[::1]/x")), EndpointRefusedError);
  // a name is judged by what it resolves to
  await assert.rejects(assertPublicEndpoint(strict, new URL("https://localhost/x")), EndpointRefusedError);
  await assert.rejects(assertPublicEndpoint(strict, new URL("http://8.8.8.8/x")), /https/);
  await assertPublicEndpoint(strict, new URL("https://8.8.8.8/x"));
  await assertPublicEndpoint(open, new URL("http://127.0.0.1/x"));
});
