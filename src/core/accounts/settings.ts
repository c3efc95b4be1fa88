import { z } from "zod";
import type { User } from "../../store/schema.ts";

/**
 * Per-user preferences stored as JSON in users.settings. Readers use `userSettings` (defaults
 * filled in, unknown keys ignored) — e.g. the statuses service takes default visibility from here.
 */
export const VISIBILITIES = ["public", "unlisted", "private", "direct"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

const SettingsSchema = z.object({
  default_privacy: z.enum(VISIBILITIES).catch("public"),
  default_sensitive: z.boolean().catch(false),
  default_language: z.string().nullable().catch(null),
  expand_media: z.enum(["default", "show_all", "hide_all"]).catch("default"),
  expand_spoilers: z.boolean().catch(false),
});

export type UserSettings = z.infer<typeof SettingsSchema>;

export function userSettings(user: Pick<User, "settings">): UserSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(user.settings);
  } catch {
    // corrupt JSON falls back to defaults rather than breaking every request
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) raw = {};
  const r = raw as Record<string, unknown>;
  return SettingsSchema.parse({
    default_privacy: r.default_privacy,
    default_sensitive: r.default_sensitive,
    default_language: r.default_language ?? null,
    expand_media: r.expand_media,
    expand_spoilers: r.expand_spoilers,
  });
}

/** Merges a patch into the stored settings JSON, keeping keys this version does not know. */
export function mergeSettings(user: Pick<User, "settings">, patch: Partial<UserSettings>): string {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(user.settings);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      raw = parsed as Record<string, unknown>;
  } catch {
    // start afresh
  }
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) raw[k] = v;
  return JSON.stringify(raw);
}
