import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { generateCryptoKeyPair } from "@fedify/fedify";
import { getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { blockedAddressReason } from "./address-policy.ts";
import {
  authenticatedDocumentLoaderFactory,
  documentLoaderFactory,
  guardedFetch,
  installFetchGuard,
  type OutboundRefusal,
  OutboundRequestError,
} from "./fetch-guard.ts";

const MB = 1024 * 1024;
const seen: { path: string; method: string; headers: IncomingMessage["headers"] }[] = [];
let server: Server;
let base = "";

/** The peer: one local server whose paths misbehave in the ways a hostile server would. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ path: req.url ?? "", method: req.method ?? "", headers: req.headers });
  const url = new URL(req.url ?? "/", base);
  const path = url.pathname;
  if (path === "/ok") {
    res.writeHead(200, { "content-type": "application/activity+json" });
    res.end(JSON.stringify({ id: `${base}/ok`, type: "Note" }));
  } else if (path === "/to") {
    // /to?u=<target>&s=<status>
    res.writeHead(Number(url.searchParams.get("s") ?? 302), { location: url.searchParams.get("u") ?? "/ok" });
    res.end();
  } else if (path.startsWith("/chain/")) {
    const n = Number(path.slice("/chain/".length));
    res.writeHead(302, { location: n > 0 ? `/chain/${n - 1}` : "/ok" });
    res.end();
  } else if (path === "/big") {
    res.writeHead(200, { "content-type": "application/json", "content-length": String(2 * MB) });
    res.end(Buffer.alloc(2 * MB, 0x20));
  } else if (path === "/big-chunked") {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 2 * MB) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  } else if (path === "/exactly-1mb") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(Buffer.alloc(MB, 0x61));
  } else if (path === "/slow-headers") {
    setTimeout(() => res.end("late"), 2_000).unref();
  } else if (path === "/slow-body") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("a");
    setTimeout(() => res.end("b"), 2_000).unref();
  } else if (path === "/page") {
    res.writeHead(200, {
      "content-type": "text/html",
      link: `<${base}/ok>; rel="alternate"; type="application/activity+json"`,
    });
    res.end("<html></html>");
  } else if (path === "/echo") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method }));
  } else {
    res.writeHead(404);
    res.end();
  }
}

before(async () => {
  server = createServer(handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const strict = { allowPrivateNetwork: false };
const allowed = { allowPrivateNetwork: true };
/** the real policy, except that 127.0.0.1 (our peer) plays a public server */
const peerIsPublic = (a: string) => (a === "127.0.0.1" ? null : blockedAddressReason(a));

async function refused(promise: Promise<unknown>, reason: OutboundRefusal): Promise<OutboundRequestError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof OutboundRequestError, `expected a refusal (${reason}), got ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  return error;
}

/** Reads the body as fetch's callers do, so caps that bite while streaming surface here. */
async function text(p: Promise<Response>): Promise<string> {
  try {
    return await (await p).text();
  } catch (err) {
    // a stream error keeps our refusal as its cause
    for (let e: unknown = err; e instanceof Error; e = e.cause)
      if (e instanceof OutboundRequestError) throw e;
    throw err;
  }
}

describe("outbound fetch guard", () => {
  test("loopback, private and metadata addresses are refused by default, in every spelling", async () => {
    const fetch = guardedFetch(strict);
    const port = new URL(base).port;
    for (const host of [
      "127.0.0.1",
      "2130706433", // decimal
      "0x7f000001", // hex
      "0177.0.0.1", // octal
      "127.1", // short form
      "0x7f.1",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "169.254.169.254",
      "10.0.0.1",
      "192.168.1.1",
      "172.16.0.1",
      "100.64.0.1",
      "0.0.0.0",
      "[fd00::1]",
      "[fe80::1]",
      "[64:ff9b::a00:1]", // NAT64 of 10.0.0.1
    ]) {
      await refused(fetch(`http://${host}:${port}/ok`), "address");
    }
    assert.equal(seen.length, 0, "no request reached the server");
  });

  test("a public-looking name that resolves to a private address is refused", async () => {
    const names: string[] = [];
    const resolve = async (name: string) => {
      names.push(name);
      return name === "mixed.example"
        ? [
            { address: "93.184.216.34", family: 4 },
            { address: "127.0.0.1", family: 4 },
          ]
        : [{ address: "127.0.0.1", family: 4 }];
    };
    const fetch = guardedFetch(strict, { resolve });
    const port = new URL(base).port;
    const error = await refused(fetch(`http://public.example:${port}/ok`), "address");
    assert.match(error.message, /public\.example is 127\.0\.0\.1, loopback/);
    // one private address among public ones is enough to refuse the name
    await refused(fetch(`http://mixed.example:${port}/ok`), "address");
    assert.deepEqual(names, ["public.example", "mixed.example"]);
    // and with private networks allowed, the same name reaches the peer through the resolved address
    const open = guardedFetch(allowed, { resolve });
    assert.equal((await open(`http://public.example:${port}/ok`)).status, 200);
  });

  test("only http and https are fetched", async () => {
    const fetch = guardedFetch(allowed);
    await refused(fetch("ftp://example.com/x"), "url");
    await refused(fetch("file:///etc/passwd"), "url");
    // fetch itself refuses credentials in the first URL; the guard refuses them in a redirect
    await assert.rejects(fetch(`${base.replace("http://", "http://user:pw@")}/ok`), TypeError);
    await refused(
      fetch(`${base}/to?u=${encodeURIComponent(base.replace("http://", "http://user:pw@"))}`),
      "url",
    );
    await refused(fetch(`${base}/to?u=${encodeURIComponent("file:///etc/passwd")}`), "url");
  });

  test("every redirect is checked again: loopback, metadata and IPv6 loopback targets are refused", async () => {
    const fetch = guardedFetch(strict, { addressPolicy: peerIsPublic });
    assert.equal((await fetch(`${base}/ok`)).status, 200, "the peer itself is reachable");
    const port = new URL(base).port;
    for (const target of [
      `http://127.0.0.2:${port}/ok`,
      `http://2130706434:${port}/ok`, // 127.0.0.2 in decimal
      `http://127.2:${port}/ok`,
      "http://169.254.169.254/latest/meta-data/",
      `http://[::1]:${port}/ok`,
      `http://10.1.2.3:${port}/ok`,
    ]) {
      await refused(fetch(`${base}/to?u=${encodeURIComponent(target)}`), "address");
    }
    // a public-looking name in a redirect is resolved and checked like the first URL
    const sneaky = guardedFetch(strict, {
      addressPolicy: peerIsPublic,
      resolve: async () => [{ address: "169.254.169.254", family: 4 }],
    });
    await refused(sneaky(`${base}/to?u=${encodeURIComponent("http://metadata.example/")}`), "address");
  });

  test("redirects to private addresses are followed when private networks are allowed", async () => {
    const fetch = guardedFetch(allowed);
    const res = await fetch(`${base}/to?u=${encodeURIComponent(`${base}/ok`)}`);
    assert.equal(res.status, 200);
    assert.equal(res.url, `${base}/ok`, "the response names the URL it came from");
    assert.equal(res.redirected, true);
  });

  test("at most 5 redirects are followed", async () => {
    const fetch = guardedFetch(allowed);
    assert.equal((await fetch(`${base}/chain/4`)).status, 200); // 5 redirects
    await refused(fetch(`${base}/chain/5`), "redirects"); // 6
    // the caller's redirect mode is honoured, as by fetch
    const manual = await fetch(`${base}/chain/0`, { redirect: "manual" });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get("location"), "/ok");
    await refused(fetch(`${base}/chain/0`, { redirect: "error" }), "redirects");
  });

  test("a redirect after POST continues as GET; 307 keeps the method; credentials stay on their origin", async () => {
    const fetch = guardedFetch(allowed);
    const post = (s: number, u = "/echo") =>
      fetch(`${base}/to?s=${s}&u=${encodeURIComponent(u)}`, { method: "POST", body: "{}" });
    assert.deepEqual(await (await post(302)).json(), { method: "GET" });
    assert.deepEqual(await (await post(303)).json(), { method: "GET" });
    assert.deepEqual(await (await post(307)).json(), { method: "POST" });
    // same server, other origin (localhost vs 127.0.0.1): the signature does not follow
    seen.length = 0;
    const other = base.replace("127.0.0.1", "localhost");
    const res = await fetch(`${base}/to?u=${encodeURIComponent(`${other}/echo`)}`, {
      headers: { authorization: "Bearer x", signature: 'keyId="k"', accept: "application/json" },
    });
    assert.equal(res.status, 200);
    assert.equal(seen[0].headers.signature, 'keyId="k"');
    assert.equal(seen[1].headers.authorization, undefined);
    assert.equal(seen[1].headers.signature, undefined);
    assert.equal(seen[1].headers.accept, "application/json");
  });

  test("bodies over 1 MB are refused, announced or streamed; 1 MB itself passes", async () => {
    const fetch = guardedFetch(allowed);
    await refused(text(fetch(`${base}/big`)), "too-large");
    await refused(text(fetch(`${base}/big-chunked`)), "too-large");
    assert.equal((await text(fetch(`${base}/exactly-1mb`))).length, MB);
  });

  test("a slow answer is cut off by the deadline, before the headers or during the body", async () => {
    // the deadline is 30 s in production; a shorter one keeps the test quick, the rule is the same
    const fetch = guardedFetch(allowed, { timeoutMs: 300 });
    await refused(text(fetch(`${base}/slow-headers`)), "timeout");
    await assert.rejects(text(fetch(`${base}/slow-body`)), (err: Error) =>
      err instanceof OutboundRequestError ? err.reason === "timeout" : err.name === "TimeoutError",
    );
    // the caller's own signal still works
    await assert.rejects(fetch(`${base}/slow-headers`, { signal: AbortSignal.abort() }));
  });

  test("installFetchGuard puts the same checks under the global fetch (Fedify's own requests)", async () => {
    const previous = getGlobalDispatcher();
    try {
      installFetchGuard(strict);
      const error = await fetch(`${base}/ok`).then(
        () => null,
        (err: Error) => err,
      );
      assert.ok(error, "the global fetch refused a loopback address");
      assert.ok(error.cause instanceof OutboundRequestError, String(error.cause));
      installFetchGuard(allowed);
      await refused(text(fetch(`${base}/big`)), "too-large");
      assert.equal((await fetch(`${base}/ok`)).status, 200);
    } finally {
      setGlobalDispatcher(previous);
    }
  });
});

describe("document loader on the guard", () => {
  test("preloaded JSON-LD contexts never cause a request", async () => {
    let calls = 0;
    const counting: typeof fetch = async () => {
      calls++;
      throw new Error("no network");
    };
    const load = documentLoaderFactory(counting)();
    const doc = await load("https://www.w3.org/ns/activitystreams");
    assert.equal(doc.documentUrl, "https://www.w3.org/ns/activitystreams");
    assert.ok(doc.document && typeof doc.document === "object");
    await load("https://w3id.org/security/v1");
    assert.equal(calls, 0);
  });

  test("documents are fetched through the guard, after redirects and alternate links", async () => {
    const load = documentLoaderFactory(guardedFetch(allowed))();
    const viaRedirect = await load(`${base}/to?u=${encodeURIComponent("/ok")}`);
    assert.equal(viaRedirect.documentUrl, `${base}/ok`);
    assert.deepEqual(viaRedirect.document, { id: `${base}/ok`, type: "Note" });
    const viaAlternate = await load(`${base}/page`);
    assert.equal(viaAlternate.documentUrl, `${base}/ok`);
    // and refused like any request when the address is private
    const strictLoad = documentLoaderFactory(guardedFetch(strict))();
    await refused(strictLoad(`${base}/ok`), "address");
  });

  test("signed fetches reach a localhost peer only when private networks are allowed", async () => {
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const identity = { keyId: new URL("https://torgai.test/users/a#main-key"), privateKey };
    await assert.rejects(authenticatedDocumentLoaderFactory(strict)(identity)(`${base}/ok`));
    seen.length = 0;
    const doc = await authenticatedDocumentLoaderFactory(allowed)(identity)(`${base}/ok`);
    assert.deepEqual(doc.document, { id: `${base}/ok`, type: "Note" });
    assert.ok(seen[0].headers.signature || seen[0].headers["signature-input"], "the request was signed");
  });
});
