/**
 * The connection layer of the outbound guard (src/federation/fetch-guard.ts is the entry point):
 * an undici dispatcher that checks every address at connect time and caps each exchange's time and
 * body size, whoever sends through it — our guarded fetch, or Fedify's own requests once
 * `installFetchGuard` has made it the process's default.
 */
import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
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

export type GuardConfig = Pick<Config, "allowPrivateNetwork">;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, order: "verbatim" });

export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

export type Policy = (address: string) => string | null;

export function refuseAddress(policy: Policy, address: string, host: string): OutboundRequestError | null {
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
