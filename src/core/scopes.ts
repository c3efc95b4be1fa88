/** OAuth scopes as Mastodon defines them: top-level scopes imply their granular children. */
export const TOP_SCOPES = [
  "read",
  "write",
  "follow",
  "push",
  "profile",
  "admin:read",
  "admin:write",
] as const;

const GRANULAR = [
  "read:accounts",
  "read:blocks",
  "read:bookmarks",
  "read:favourites",
  "read:filters",
  "read:follows",
  "read:lists",
  "read:mutes",
  "read:notifications",
  "read:search",
  "read:statuses",
  "write:accounts",
  "write:blocks",
  "write:bookmarks",
  "write:conversations",
  "write:favourites",
  "write:filters",
  "write:follows",
  "write:lists",
  "write:media",
  "write:mutes",
  "write:notifications",
  "write:reports",
  "write:statuses",
  "admin:read:accounts",
  "admin:write:accounts",
];

const FOLLOW_IMPLIES = new Set([
  "read:blocks",
  "write:blocks",
  "read:follows",
  "write:follows",
  "read:mutes",
  "write:mutes",
]);

export const ALL_SCOPES: ReadonlySet<string> = new Set<string>([...TOP_SCOPES, ...GRANULAR]);

export function parseScopes(value: string | undefined | null, fallback = "read"): string[] {
  const raw = (value ?? "").trim();
  const list = (raw === "" ? fallback : raw).split(/[\s+]+/).filter(Boolean);
  return [...new Set(list)];
}

export function invalidScopes(scopes: string[]): string[] {
  return scopes.filter((s) => !ALL_SCOPES.has(s));
}

/** Does a token granted `granted` satisfy `required` (e.g. "read" covers "read:statuses")? */
export function hasScope(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  const colon = required.lastIndexOf(":");
  if (colon > 0 && granted.includes(required.slice(0, colon))) return true;
  if (FOLLOW_IMPLIES.has(required) && granted.includes("follow")) return true;
  // "profile" is a narrower read:accounts used only by verify_credentials
  return false;
}

/** Scopes requested must be a subset of those the app registered. */
export function scopesWithin(requested: string[], allowed: string[]): boolean {
  return requested.every((s) => hasScope(allowed, s));
}
