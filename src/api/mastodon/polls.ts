import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import type { HonoEnv } from "../context.ts";

export function pollsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  return app;
}
