import { Hono } from "hono";
import type { AppContext } from "../../app.ts";
import { userSettings } from "../../core/accounts/settings.ts";
import type { HonoEnv } from "../context.ts";
import { requireUser } from "../context.ts";

export function preferencesRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.get("/api/v1/preferences", (c) => {
    const v = requireUser(c, "read:accounts");
    const s = userSettings(v.user);
    return c.json({
      "posting:default:visibility": s.default_privacy,
      "posting:default:sensitive": s.default_sensitive,
      "posting:default:language": s.default_language,
      "posting:default:quote_policy": "public",
      "reading:expand:media": s.expand_media,
      "reading:expand:spoilers": s.expand_spoilers,
      "reading:autoplay:gifs": false,
    });
  });

  return app;
}
