import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { HonoEnv } from "../api/context.ts";

/**
 * The few files the server itself links to (default avatar and header, instance thumbnail,
 * favicon). An allow-list read once at start: no path from the request ever reaches the file system.
 */
const FILES: Record<string, string> = {
  "avatar.png": "image/png",
  "header.png": "image/png",
  "thumbnail.png": "image/png",
  "favicon.ico": "image/x-icon",
};

/**
 * The same images under the paths Mastodon serves its defaults from: account JSON links these, and
 * apps that see `missing.png` know no avatar or header was set (see uris.defaultImage).
 */
const ALIASES: Record<string, string> = {
  "/avatars/original/missing.png": "avatar.png",
  "/headers/original/missing.png": "header.png",
  "/favicon.ico": "favicon.ico",
};

const PUBLIC_DIR = join(import.meta.dirname, "..", "..", "public");

export function staticRoutes(): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const loaded = new Map<string, Uint8Array>();
  for (const name of Object.keys(FILES)) loaded.set(name, readFileSync(join(PUBLIC_DIR, name)));
  const serve = (name: string) => {
    const body = loaded.get(name);
    if (!body) return null;
    // images are public: a web client on another origin may draw them on a canvas (as Mastodon's
    // media, served with Access-Control-Allow-Origin: *)
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        "Content-Type": FILES[name],
        "Cache-Control": "public, max-age=604800",
        "Content-Disposition": "inline",
        "Access-Control-Allow-Origin": "*",
      },
    });
  };
  app.get("/static/:name", (c) => serve(c.req.param("name")) ?? c.json({ error: "Not Found" }, 404));
  for (const [path, name] of Object.entries(ALIASES)) {
    app.get(path, (c) => serve(name) ?? c.notFound());
  }
  return app;
}
