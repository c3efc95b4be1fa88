/**
 * The one guard for outbound requests: actors, objects, WebFinger, NodeInfo, deliveries, and later
 * media and link previews.
 *
 *   const fetch = guardedFetch(config);                  // fetch-compatible; use it for our requests
 *   createFederation({
 *     documentLoaderFactory: documentLoaderFactory(fetch, kv),
 *     contextLoaderFactory: documentLoaderFactory(fetch, kv),
 *     allowPrivateAddress: true,    // Fedify's own DNS pre-check is redundant (and racy): we check
 *                                   // at connect time
 *   });
 *   installFetchGuard(config);      // process entry only: Fedify's own fetches (deliveries, signed
 *                                   // fetches, NodeInfo) go through the same checks
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

import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { KvStore } from "@fedify/fedify";
import {
  createActivityPubRequest,
  type DocumentLoader,
  type DocumentLoaderFactory,
  FetchError,
  getRemoteDocument,
  preloadedContexts,
  type RemoteDocument,
} from "@fedify/fedify/runtime";
import { kvCache } from "@fedify/fedify/utils";
import { Agent, buildConnector, DecoratorHandler, type Dispatcher, setGlobalDispatcher } from "undici";
import type { Config } from "../config.ts";
import { blockedAddressReason } from "./address-policy.ts";

export const MAX_REDIRECTS = 5;
export const TIMEOUT_MS = 30_000;
export const MAX_BODY_BYTES = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

export type OutboundRefusal = "url" | "address" | "redirects" | "too-large" | "timeout";

/** A request the guard refused or cut short; `reason` says which rule. */
export class OutboundRequestError extends Error {
  readonly reason: OutboundRefusal;
  readonly url?: string;
  constructor(reason: OutboundRefusal, message: string, url?: string) {
    super(url ? `${message}: ${url}` : message);
    this.name = "OutboundRequestError";
    this.reason = reason;
    this.url = url;
  }
}

/** Resolves a host name to every address it has (injected in tests). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface FetchGuardOptions {
  /** default: the operating system's resolver (getaddrinfo, /etc/hosts included) */
  resolve?: Resolver;
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
  /**
   * Why an address is refused, or null (default: blockedAddressReason). Tests only: it lets a
   * server on 127.0.0.1 play a public one while every other rule stays real.
   */
  addressPolicy?: (address: string) => string | null;
}

type GuardConfig = Pick<Config, "allowPrivateNetwork">;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, order: "verbatim" });

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

type Policy = (address: string) => string | null;

function refuseAddress(policy: Policy, address: string, host: string): OutboundRequestError | null {
  const reason = policy(address);
  return reason ? new OutboundRequestError("address", `${host} is ${address}, ${reason}`) : null;
}

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect: resolves, refuses the host if any of its addresses is not public
 * (a name that also points inside is not a public server), and hands the socket exactly the
 * addresses it checked.
 */
function guardedLookup(resolve: Resolver, policy: Policy, allowPrivate: boolean) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: LookupCallback,
  ) => {
    resolve(hostname)
      .then((found) => {
        if (found.length === 0)
          throw Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" });
        if (!allowPrivate) {
          for (const a of found) {
            const refusal = refuseAddress(policy, a.address, hostname);
            if (refusal) throw refusal;
          }
        }
        const family =
          options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : Number(options.family ?? 0);
        const usable = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
        if (usable.length === 0) {
          throw Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: "ENOTFOUND" });
        }
        if (options.all)
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        else callback(null, usable[0].address, usable[0].family);
      })
      .catch((err: Error) => callback(err, ""));
  };
}

/**
 * Caps every exchange on the agent, whoever started it (our fetch or, once installed globally,
 * Fedify's): the time from dispatch to the end of the body, and the body's size.
 */
type Controller = Dispatcher.DispatchController;
type HttpHeaders = Record<string, string | string[] | undefined>;
interface HandlerMethods {
  onRequestStart(controller: Controller, context: unknown): void;
  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: HttpHeaders,
    statusMessage?: string,
  ): void;
  onResponseData(controller: Controller, chunk: Buffer): void;
  onResponseEnd(controller: Controller, trailers: HttpHeaders): void;
  onResponseError(controller: Controller, error: Error): void;
}
/**
 * undici's DecoratorHandler adapts whatever handler it wraps (Node's own fetch included) to the
 * controller-based methods; its declarations omit them.
 */
const Decorator = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => HandlerMethods;

function limitsInterceptor(maxBytes: number, timeoutMs: number): Dispatcher.DispatcherComposeInterceptor {
  class LimitHandler extends Decorator {
    #bytes = 0;
    #timer?: NodeJS.Timeout;
    #url: string;
    constructor(handler: Dispatcher.DispatchHandler, url: string) {
      super(handler);
      this.#url = url;
    }
    override onRequestStart(controller: Controller, context: unknown): void {
      this.#timer = setTimeout(
        () =>
          controller.abort(
            new OutboundRequestError("timeout", `no answer within ${timeoutMs} ms`, this.#url),
          ),
        timeoutMs,
      );
      super.onRequestStart(controller, context);
    }
    override onResponseStart(
      controller: Controller,
      statusCode: number,
      headers: HttpHeaders,
      statusMessage?: string,
    ): void {
      const length = Number(headers["content-length"]);
      if (Number.isFinite(length) && length > maxBytes) {
        this.#clear();
        controller.abort(
          new OutboundRequestError("too-large", `a body of ${length} bytes is over ${maxBytes}`, this.#url),
        );
        return;
      }
      super.onResponseStart(controller, statusCode, headers, statusMessage);
    }
    override onResponseData(controller: Controller, chunk: Buffer): void {
      this.#bytes += chunk.length;
      if (this.#bytes > maxBytes) {
        this.#clear();
        controller.abort(
          new OutboundRequestError("too-large", `the body went over ${maxBytes} bytes`, this.#url),
        );
        return;
      }
      super.onResponseData(controller, chunk);
    }
    override onResponseEnd(controller: Controller, trailers: HttpHeaders): void {
      this.#clear();
      super.onResponseEnd(controller, trailers);
    }
    override onResponseError(controller: Controller, error: Error): void {
      this.#clear();
      super.onResponseError(controller, error);
    }
    #clear(): void {
      clearTimeout(this.#timer);
    }
  }
  return (dispatch) => (opts, handler) =>
    dispatch(opts, new LimitHandler(handler, `${String(opts.origin ?? "")}${opts.path}`));
}

/**
 * The undici dispatcher every guarded request uses: address checks at connect time, time and size
 * caps per exchange. No proxy: outbound federation traffic goes straight to the checked address.
 */
export function guardedDispatcher(config: GuardConfig, options: FetchGuardOptions = {}): Dispatcher {
  const allowPrivate = config.allowPrivateNetwork;
  const policy = options.addressPolicy ?? blockedAddressReason;
  const base = buildConnector({
    timeout: CONNECT_TIMEOUT_MS,
    lookup: guardedLookup(options.resolve ?? systemResolver, policy, allowPrivate) as never,
  });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = stripBrackets(opts.hostname);
    // IP literals never reach `lookup`: check them here
    if (!allowPrivate && isIP(host) !== 0) {
      const refusal = refuseAddress(policy, host, host);
      if (refusal) {
        callback(refusal, null);
        return;
      }
    }
    base(opts, callback);
  };
  return new Agent({ connect, headersTimeout: options.timeoutMs ?? TIMEOUT_MS }).compose(
    limitsInterceptor(options.maxBodyBytes ?? MAX_BODY_BYTES, options.timeoutMs ?? TIMEOUT_MS),
  );
}

/**
 * Makes the guarded dispatcher the process's default, so the `fetch` calls inside Fedify
 * (deliveries, signed fetches, NodeInfo) connect only to public addresses with the same caps.
 * Call it once at process start (src/main.ts), never in tests that talk to localhost servers.
 */
export function installFetchGuard(config: GuardConfig, options: FetchGuardOptions = {}): void {
  setGlobalDispatcher(guardedDispatcher(config, options));
}

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
      if (!REDIRECTS.has(response.status) || location === null) {
        if (hop > 0) Object.defineProperty(response, "redirected", { value: true });
        return response;
      }
      await response.body?.cancel();
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

/** At most this many `Link: rel=alternate` hops from an HTML page to its JSON-LD. */
const MAX_ALTERNATES = 2;

/**
 * A Fedify document (and context) loader factory on a guarded fetch: Fedify's preloaded JSON-LD
 * contexts answer without a request; everything else is fetched through `fetch`, with redirects and
 * caps as the guard applies them. With `kv`, documents are cached as Fedify's own loader caches
 * them (Fedify does not cache a loader it did not build).
 */
export function documentLoaderFactory(fetch: typeof globalThis.fetch, kv?: KvStore): DocumentLoaderFactory {
  return (factoryOptions = {}) => {
    const load = async (
      url: string,
      signal: AbortSignal | undefined,
      alternates: number,
    ): Promise<RemoteDocument> => {
      signal?.throwIfAborted();
      const href = new URL(url).href;
      if (Object.hasOwn(preloadedContexts, href)) {
        return { contextUrl: null, document: preloadedContexts[href], documentUrl: href };
      }
      const request = createActivityPubRequest(href, { userAgent: factoryOptions.userAgent });
      const response = await fetch(request, signal ? { signal } : undefined);
      return getRemoteDocument(href, response, (alternate) => {
        if (alternates >= MAX_ALTERNATES) {
          return Promise.reject(new FetchError(alternate, `more than ${MAX_ALTERNATES} alternate links`));
        }
        return load(alternate, signal, alternates + 1);
      });
    };
    const loader: DocumentLoader = (url, options) => load(url, options?.signal, 0);
    return kv ? kvCache({ loader, kv, prefix: ["_fedify", "remoteDocument"] }) : loader;
  };
}
