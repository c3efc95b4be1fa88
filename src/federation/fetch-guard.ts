/**
 * The one guard for outbound requests: actors, objects, WebFinger, NodeInfo, deliveries, and later
 * media and link previews.
 *
 *   const fetch = guardedFetch(config);                  // fetch-compatible; use it for our requests
 *   createFederation({
 *     documentLoaderFactory: documentLoaderFactory(fetch, kv),
 *     contextLoaderFactory: documentLoaderFactory(fetch, kv),
 *     authenticatedDocumentLoaderFactory: authenticatedDocumentLoaderFactory(config),
 *   });                             // (Fedify forbids allowPrivateAddress beside custom loaders)
 *   installFetchGuard(config);      // process entry (src/main.ts): Fedify's own fetches —
 *                                   // deliveries, signed fetches, NodeInfo — use the same dispatcher.
 *                                   // Without it deliveries are unguarded: Fedify checks no inbox URL.
 *
 * What it enforces:
 * - http and https only, no credentials in URLs;
 * - every address a host name resolves to is checked (src/federation/address-policy.ts) and the
 *   socket connects to the address that was checked: the check runs inside the connection's DNS
 *   lookup (undici `Agent` connector), so there is no window for DNS rebinding; IP literals are
 *   checked before connecting (WHATWG URL has already normalised every IPv4 spelling);
 * - redirects followed here, at most 5, each hop checked again the same way;
 * - 30 s for the whole exchange including redirects and the body; bodies over 1 MB aborted while
 *   streaming (a Content-Length above it is refused before reading);
 * - `TORGAI_ALLOW_PRIVATE_NETWORK=1` lets private addresses through (tests on localhost); every
 *   other limit stays.
 */
import { isIP } from "node:net";
import { blockedAddressReason } from "./address-policy.ts";
import {
  type FetchGuardOptions,
  type GuardConfig,
  guardedDispatcher,
  MAX_REDIRECTS,
  OutboundRequestError,
  type Policy,
  refuseAddress,
  stripBrackets,
  TIMEOUT_MS,
} from "./outbound-dispatcher.ts";

export { authenticatedDocumentLoaderFactory, documentLoaderFactory } from "./document-loader.ts";
export {
  type FetchGuardOptions,
  guardedDispatcher,
  installFetchGuard,
  MAX_BODY_BYTES,
  MAX_REDIRECTS,
  type OutboundRefusal,
  OutboundRequestError,
  type Resolver,
  TIMEOUT_MS,
} from "./outbound-dispatcher.ts";

/** The request guard's URL rules, applied to the first URL and to every redirect target. */
function checkUrl(url: URL, allowPrivate: boolean, policy: Policy): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundRequestError("url", `only http and https are fetched, not ${url.protocol}`, url.href);
  }
  if (url.username || url.password) throw new OutboundRequestError("url", "credentials in URL", url.href);
  const host = stripBrackets(url.hostname);
  if (!allowPrivate && isIP(host) !== 0) {
    const refusal = refuseAddress(policy, host, host);
    if (refusal) throw new OutboundRequestError("address", refusal.message, url.href);
  }
}

/** Our refusal when it is somewhere in `err`'s causes (fetch wraps connection errors in TypeError). */
function guardError(err: unknown, url: string): unknown {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundRequestError) {
      return e.url ? e : new OutboundRequestError(e.reason, e.message, url);
    }
  }
  return err;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** not sent to another origin after a redirect (fetch drops Authorization; signatures and cookies too) */
const CROSS_ORIGIN_DROPPED = [
  "authorization",
  "cookie",
  "signature",
  "signature-input",
  "proxy-authorization",
];

/** A `fetch` that goes through the guard (see the top of this file). */
export function guardedFetch(config: GuardConfig, options: FetchGuardOptions = {}): typeof globalThis.fetch {
  const dispatcher = guardedDispatcher(config, options);
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const allowPrivate = config.allowPrivateNetwork;
  const policy = options.addressPolicy ?? blockedAddressReason;

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([request.signal, deadline]);
    let url = new URL(request.url);
    let method = request.method;
    const headers = new Headers(request.headers);
    // buffered once, so a 307/308 can send it again; outbound bodies are our own, and small
    let body: ArrayBuffer | null = request.body ? await request.arrayBuffer() : null;
    for (let hop = 0; ; hop++) {
      checkUrl(url, allowPrivate, policy);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body,
          redirect: "manual",
          signal,
          // Node's fetch takes an undici dispatcher; lib.dom's RequestInit does not declare it
          ...({ dispatcher } as object),
        });
      } catch (err) {
        if (deadline.aborted) {
          throw new OutboundRequestError("timeout", `no answer within ${timeoutMs} ms`, url.href);
        }
        throw guardError(err, url.href);
      }
      const location = response.headers.get("location");
      // a caller asking for "manual" gets the redirect itself, as from fetch
      if (!REDIRECTS.has(response.status) || location === null || request.redirect === "manual") {
        if (hop > 0) Object.defineProperty(response, "redirected", { value: true });
        return response;
      }
      await response.body?.cancel();
      if (request.redirect === "error") {
        throw new OutboundRequestError("redirects", "a redirect where none is accepted", url.href);
      }
      if (hop >= maxRedirects) {
        throw new OutboundRequestError("redirects", `more than ${maxRedirects} redirects`, url.href);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new OutboundRequestError("url", `a redirect to an invalid URL (${location})`, url.href);
      }
      // as fetch does: 303, and 301/302 after a POST, continue as GET without a body
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        if (method !== "HEAD") method = "GET";
        body = null;
        for (const h of [
          "content-type",
          "content-length",
          "content-encoding",
          "content-language",
          "digest",
        ]) {
          headers.delete(h);
        }
      }
      if (next.origin !== url.origin) for (const h of CROSS_ORIGIN_DROPPED) headers.delete(h);
      url = next;
    }
  };
}
