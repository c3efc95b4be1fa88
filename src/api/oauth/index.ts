import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppContext } from "../../app.ts";
import type { HonoEnv } from "../context.ts";
import { getAuthorize, postAuthorize } from "./authorize.ts";
import { getConfirmation } from "./confirmation.ts";
import { authorizationServerMetadata, postRevoke, postToken } from "./token.ts";

/**
 * OAuth 2 authorisation server: consent pages, token and revocation endpoints, RFC 8414 metadata;
 * and the page behind the e-mail confirmation link.
 */
export function oauthRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.get("/oauth/authorize", getAuthorize);
  app.post("/oauth/authorize", postAuthorize);
  app.post("/oauth/token", postToken);
  app.post("/oauth/revoke", postRevoke);
  app.get("/auth/confirmation", getConfirmation);
  app.use("/.well-known/oauth-authorization-server", cors({ origin: "*", allowMethods: ["GET"] }));
  app.get("/.well-known/oauth-authorization-server", (c) => c.json(authorizationServerMetadata(ctx)));
  return app;
}
