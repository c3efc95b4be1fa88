/**
 * The one place the HTTP surface is composed: shared middleware (request ids, CORS, body limits,
 * the bearer token, rate limits), then every route group — the Mastodon API, OAuth, federation
 * discovery, the web pages and static files — and the error mapping to Mastodon-style JSON.
 */
import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { HonoEnv } from "./api/context.ts";
import { corsAnyOrigin, setResponseHeaders } from "./api/headers.ts";
import { mastodonRoutes } from "./api/mastodon/index.ts";
import { oauthRoutes } from "./api/oauth/index.ts";
import { rateLimitMiddleware } from "./api/ratelimit.ts";
import type { AppContext } from "./app.ts";
import { resolveAccessToken } from "./core/auth/tokens.ts";
import { RateLimitError, TorgaiError, UnauthorizedError, ValidationError } from "./core/errors.ts";
import { nodeinfoRoutes } from "./federation/nodeinfo.ts";
import { federationMiddleware } from "./federation/routes.ts";
import { homeRoutes } from "./web/home.ts";
import { staticRoutes } from "./web/static.ts";

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

/** Request bodies: JSON and forms are small; multipart leaves room for the media a later issue adds. */
const BODY_LIMIT = 1024 * 1024;
const MULTIPART_BODY_LIMIT = 16 * 1024 * 1024;

/** PostgreSQL's "invalid byte sequence" (a NUL in text): bad input, not a server fault. */
function isBadCharacterError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "22021";
}

export function createHttpApp(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.use("*", async (c, next) => {
    c.set("app", ctx);
    c.set("grant", null);
    const requestId = c.req.header("x-request-id")?.slice(0, 64) || randomUUID();
    c.set("requestId", requestId);
    await next();
    setResponseHeaders(c, [
      ["X-Request-Id", requestId],
      ["X-Content-Type-Options", "nosniff"],
    ]);
  });

  // any request header, as Mastodon (rack-cors `headers: :any`): the preflight echoes what was asked
  app.use(
    "/api/*",
    corsAnyOrigin({
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: [
        "Link",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-Request-Id",
      ],
      maxAge: 86400,
    }),
  );
  app.use("/oauth/*", corsAnyOrigin({ allowMethods: ["GET", "POST", "OPTIONS"] }));
  // discovery documents are read by web clients on other origins before they even sign in
  for (const path of ["/.well-known/*", "/nodeinfo/*"]) {
    app.use(path, corsAnyOrigin({ allowMethods: ["GET", "OPTIONS"], maxAge: 86400 }));
  }

  // Oversized bodies are refused before anything buffers or parses them (413, Mastodon-style JSON).
  const tooLarge = (c: Context<HonoEnv>) => c.json({ error: "Request body is too large" }, 413);
  const smallBody = bodyLimit({ maxSize: BODY_LIMIT, onError: tooLarge });
  const multipartBody = bodyLimit({ maxSize: MULTIPART_BODY_LIMIT, onError: tooLarge });
  // GET and HEAD never carry a body on @hono/node-server; asking for one would build a full Request.
  app.use("*", (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    return (c.req.header("content-type") ?? "").toLowerCase().includes("multipart/form-data")
      ? multipartBody(c, next)
      : smallBody(c, next);
  });
  // NUL cannot be stored by PostgreSQL and has no business in a URL (bodies: see params.ts)
  app.use("*", async (c, next) => {
    if (c.req.url.includes("%00")) throw new ValidationError("Validation failed: invalid character");
    await next();
  });

  // Resolve the bearer token once; a token that is present but invalid is refused outright, once
  // the per-IP throttle has counted it (or guessing tokens would be an unthrottled way in).
  app.use("/api/*", async (c, next) => {
    const token = bearerToken(c.req.header("authorization")) ?? (c.req.query("access_token") || null);
    if (token) {
      const grant = await resolveAccessToken(ctx, token);
      if (grant) {
        c.set("grant", grant);
        c.set("accessToken", token);
      } else c.set("invalidToken", true);
    }
    await next();
  });

  // After token resolution: throttles are keyed by account when a token is present.
  app.use("*", rateLimitMiddleware(ctx));
  app.use("/api/*", async (c, next) => {
    if (c.get("invalidToken")) throw new UnauthorizedError("The access token is invalid");
    await next();
  });

  app.get("/healthz", (c) => c.text("OK"));

  // ActivityPub (actors, inboxes, objects, WebFinger); browsers fall through to the pages below
  app.use("*", federationMiddleware(ctx));

  app.route("/", staticRoutes());
  app.route("/", homeRoutes(ctx));
  app.route("/", oauthRoutes(ctx));
  app.route("/", mastodonRoutes(ctx));
  app.route("/", nodeinfoRoutes(ctx));

  app.notFound((c) => c.json({ error: "Not Found" }, 404));

  app.onError((err, c) => {
    if (err instanceof TorgaiError) {
      if (err instanceof RateLimitError) {
        c.header("Retry-After", String(Math.max(1, Math.ceil((err.resetAt.getTime() - Date.now()) / 1000))));
      }
      if (err.status === 401) c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
      const body: Record<string, unknown> = { error: err.message };
      if (err.details) Object.assign(body, err.details);
      return c.json(body, err.status as 400);
    }
    if (isBadCharacterError(err)) return c.json({ error: "Validation failed: invalid character" }, 422);
    if (err instanceof HTTPException) {
      const res = err.getResponse();
      if (res.headers.get("content-type")?.includes("json")) return res;
      return c.json({ error: err.message || res.statusText || "Error" }, err.status);
    }
    ctx.logger.error({ err, requestId: c.get("requestId"), path: c.req.path }, "unhandled error");
    return c.json({ error: "Internal server error", request_id: c.get("requestId") }, 500);
  });

  return app;
}
