import { z } from "zod";
import type { Account, User } from "../../store/schema.ts";
import { VISIBILITIES } from "../visibility.ts";

/**
 * Per-user preferences stored as JSON in users.settings. Readers use `userSettings` (defaults
 * filled in, unknown keys ignored) — e.g. the statuses service takes default visibility from here.
 */
export { VISIBILITIES };

const SettingsSchema = z.object({
  // null: never chosen (public, or private for a locked account, as Mastodon)
  default_privacy: z.enum(VISIBILITIES).nullable().catch(null),
  default_sensitive: z.boolean().catch(false),
  default_language: z.string().nullable().catch(null),
  expand_media: z.enum(["default", "show_all", "hide_all"]).catch("default"),
  expand_spoilers: z.boolean().catch(false),
});

type StoredSettings = z.infer<typeof SettingsSchema>;
export type UserSettings = Omit<StoredSettings, "default_privacy"> & {
  default_privacy: (typeof VISIBILITIES)[number];
};

/** The stored JSON as an object; corrupt JSON reads as no settings rather than breaking requests. */
function storedSettings(user: Pick<User, "settings">): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(user.settings);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to defaults
  }
  return {};
}

/** The user's settings with defaults; the default visibility depends on whether the account is locked. */
export function userSettings(user: Pick<User, "settings">, account?: Pick<Account, "locked">): UserSettings {
  const r = storedSettings(user);
  const s = SettingsSchema.parse({
    default_privacy: r.default_privacy ?? null,
    default_sensitive: r.default_sensitive,
    default_language: r.default_language ?? null,
    expand_media: r.expand_media,
    expand_spoilers: r.expand_spoilers,
  });
  return { ...s, default_privacy: s.default_privacy ?? (account?.locked ? "private" : "public") };
}

/** Merges a patch into the stored settings JSON, keeping keys this version does not know. */
export function mergeSettings(user: Pick<User, "settings">, patch: Partial<UserSettings>): string {
  const raw = storedSettings(user);
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) raw[k] = v;
  return JSON.stringify(raw);
}
