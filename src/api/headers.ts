/**
 * Response headers that every response (or every /api, /oauth response) carries: request id,
 * nosniff and CORS.
 *
 * They are set on the final response object after the handler ran. Hono's `c.header()` on a
 * finalized context, and its `cors()` middleware (which touches `c.res` before the handler), make
 * Hono re-wrap the handler's response; on @hono/node-server that turns a string body into a web
 * stream that is then read back chunk by chunk, which costs more than a small API request itself.
 */
import type { Context, MiddlewareHandler } from "hono";

/** Sets headers on the response in place; falls back to Hono's copy for immutable headers. */
export function setResponseHeaders(c: Context, headers: readonly (readonly [string, string])[]): void {
  const target = c.res.headers;
  try {
    for (const [k, v] of headers) target.set(k, v);
  } catch {
    // a Response with immutable headers (Response.redirect, a proxied fetch): Hono copies it
    for (const [k, v] of headers) c.header(k, v);
  }
}

export interface CorsOptions {
  allowMethods: readonly string[];
  /** when absent, a preflight's Access-Control-Request-Headers are echoed */
  allowHeaders?: readonly string[];
  exposeHeaders?: readonly string[];
  maxAge?: number;
}

/** CORS for any origin (Mastodon's API is public to browser apps; tokens are bearer, no cookies). */
export function corsAnyOrigin(opts: CorsOptions): MiddlewareHandler {
  const common: [string, string][] = [["Access-Control-Allow-Origin", "*"]];
  if (opts.exposeHeaders?.length)
    common.push(["Access-Control-Expose-Headers", opts.exposeHeaders.join(",")]);
  const allowMethods = opts.allowMethods.join(",");
  const allowHeaders = opts.allowHeaders?.length ? opts.allowHeaders.join(",") : undefined;
  return async (c, next) => {
    if (c.req.method === "OPTIONS") {
      const headers = new Headers(common);
      if (opts.maxAge !== undefined) headers.set("Access-Control-Max-Age", String(opts.maxAge));
      headers.set("Access-Control-Allow-Methods", allowMethods);
      const requested = c.req.header("access-control-request-headers");
      const allowed =
        allowHeaders ??
        (requested
          ? requested
              .split(",")
              .map((h) => h.trim())
              .join(",")
          : undefined);
      if (allowed) {
        headers.set("Access-Control-Allow-Headers", allowed);
        headers.append("Vary", "Access-Control-Request-Headers");
      }
      return new Response(null, { status: 204, statusText: "No Content", headers });
    }
    await next();
    setResponseHeaders(c, common);
  };
}
