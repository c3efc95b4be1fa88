import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { AppContext } from "../app.ts";
import { resolveAccessToken } from "../core/auth/tokens.ts";
import { RateLimitError, TorgaiError, UnauthorizedError } from "../core/errors.ts";
import type { HonoEnv } from "./context.ts";
import { mastodonRoutes } from "./mastodon/index.ts";
import { oauthRoutes } from "./oauth/index.ts";
import { rateLimitMiddleware } from "./ratelimit.ts";

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

export function createHttpApp(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.use("*", async (c, next) => {
    c.set("app", ctx);
    c.set("grant", null);
    c.set("requestId", c.req.header("x-request-id")?.slice(0, 64) || randomUUID());
    await next();
    c.header("X-Request-Id", c.get("requestId"));
  });

  app.use(
    "/api/*",
    cors({
      origin: "*",
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
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
  app.use("/oauth/*", cors({ origin: "*", allowMethods: ["GET", "POST", "OPTIONS"] }));

  // Resolve the bearer token once; a token that is present but invalid is refused outright.
  app.use("/api/*", async (c, next) => {
    const token = bearerToken(c.req.header("authorization")) ?? (c.req.query("access_token") || null);
    if (token) {
      const grant = await resolveAccessToken(ctx, token);
      if (!grant) throw new UnauthorizedError("The access token is invalid");
      c.set("grant", grant);
    }
    await next();
  });

  // After token resolution: throttles are keyed by account when a token is present.
  app.use("*", rateLimitMiddleware(ctx));

  app.get("/healthz", (c) => c.text("OK"));

  app.route("/", oauthRoutes(ctx));
  app.route("/", mastodonRoutes(ctx));

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
