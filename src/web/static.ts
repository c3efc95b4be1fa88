import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { HonoEnv } from "../api/context.ts";

/**
 * The few files the server itself links to (default avatar and header, instance thumbnail). An
 * allow-list read once at start: no path from the request ever reaches the file system.
 */
const FILES: Record<string, string> = {
  "avatar.png": "image/png",
  "header.png": "image/png",
  "thumbnail.png": "image/png",
};

const PUBLIC_DIR = join(import.meta.dirname, "..", "..", "public");

export function staticRoutes(): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const loaded = new Map<string, Uint8Array>();
  for (const name of Object.keys(FILES)) loaded.set(name, readFileSync(join(PUBLIC_DIR, name)));
  app.get("/static/:name", (c) => {
    const name = c.req.param("name");
    const body = loaded.get(name);
    if (!body) return c.json({ error: "Not Found" }, 404);
    return c.body(new Uint8Array(body), 200, {
      "Content-Type": FILES[name],
      "Cache-Control": "public, max-age=604800",
      "Content-Disposition": "inline",
    });
  });
  return app;
}
