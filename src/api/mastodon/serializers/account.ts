import type { AccountView, CredentialAccountBundle } from "../../../core/accounts/hydrate.ts";
import { sourceFields } from "../../../core/accounts/profile.ts";
import { userSettings } from "../../../core/accounts/settings.ts";
import type { User } from "../../../store/schema.ts";
import type { RenderContext } from "./context.ts";

export type { AccountView };

export interface MastodonField {
  name: string;
  value: string;
  verified_at: string | null;
}

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  locked: boolean;
  bot: boolean;
  discoverable: boolean;
  indexable: boolean;
  group: boolean;
  created_at: string;
  note: string;
  url: string;
  uri: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  last_status_at: string | null;
  hide_collections: boolean;
  noindex: boolean;
  emojis: unknown[];
  roles: unknown[];
  fields: MastodonField[];
  moved?: MastodonAccount | null;
  suspended?: boolean;
}

export function parseFields(json: string): MastodonField[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .filter((f): f is Record<string, unknown> => !!f && typeof f === "object")
      .map((f) => ({
        name: String(f.name ?? ""),
        value: String(f.value ?? ""),
        verified_at: typeof f.verified_at === "string" ? f.verified_at : null,
      }));
  } catch {
    return [];
  }
}

/** Midnight UTC of the creation day, as Mastodon reports created_at for accounts. */
function dayOf(iso: string): string {
  return `${iso.slice(0, 10)}T00:00:00.000Z`;
}

/** Default avatar/header so clients never get an empty image URL. */
export function defaultAvatarUrl(ctx: RenderContext): string {
  return ctx.uris.defaultImage("avatar");
}
export function defaultHeaderUrl(ctx: RenderContext): string {
  return ctx.uris.defaultImage("header");
}

/** `moved`: the account `a` moved to, when the caller loaded it (shown as Mastodon nests it). */
export function serializeAccount(
  ctx: RenderContext,
  a: AccountView,
  moved?: AccountView | null,
): MastodonAccount {
  const avatar = a.avatar_url ?? defaultAvatarUrl(ctx);
  const header = a.header_url ?? defaultHeaderUrl(ctx);
  return {
    id: a.id,
    username: a.username,
    acct: a.domain ? `${a.username}@${a.domain}` : a.username,
    display_name: a.display_name,
    locked: !!a.locked,
    bot: !!a.bot,
    discoverable: !!a.discoverable,
    indexable: !!a.indexable,
    group: false,
    created_at: dayOf(a.created_at),
    note: a.note,
    url: a.url,
    uri: a.uri,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    followers_count: a.followers_count,
    following_count: a.following_count,
    statuses_count: a.statuses_count,
    last_status_at: a.last_status_at ? a.last_status_at.slice(0, 10) : null,
    hide_collections: false,
    noindex: !a.indexable,
    emojis: [],
    roles: [],
    fields: parseFields(a.fields),
    ...(a.suspended_at ? { suspended: true } : {}),
    ...(moved ? { moved: serializeAccount(ctx, moved) } : {}),
  };
}

export function serializeAccounts(ctx: RenderContext, accounts: readonly AccountView[]): MastodonAccount[] {
  return accounts.map((a) => serializeAccount(ctx, a));
}

export interface MastodonRole {
  id: string;
  name: string;
  permissions: string;
  color: string;
  highlighted: boolean;
}

export interface MastodonCredentialAccount extends MastodonAccount {
  source: {
    note: string;
    fields: MastodonField[];
    privacy: string;
    sensitive: boolean;
    language: string | null;
    follow_requests_count: number;
    hide_collections: boolean;
    discoverable: boolean;
    indexable: boolean;
    attribution_domains: string[];
  };
  role: MastodonRole;
}

/**
 * Mastodon's built-in roles: "everyone" (id -99, may invite), Moderator and Admin, with their
 * default permission bitmasks so clients show the right moderation tools.
 */
export function roleOf(role: User["role"]): MastodonRole {
  if (role === "admin") return { id: "3", name: "Admin", permissions: "1", color: "", highlighted: true };
  if (role === "moderator") {
    return { id: "1", name: "Moderator", permissions: "67356", color: "", highlighted: true };
  }
  return { id: "-99", name: "", permissions: "65536", color: "", highlighted: false };
}

/** The signed-in user's own account (verify_credentials, update_credentials). */
export function toCredentialAccount(
  ctx: RenderContext,
  b: CredentialAccountBundle,
): MastodonCredentialAccount {
  const { account, user } = b;
  const settings = userSettings(user);
  const role = roleOf(user.role);
  const base = serializeAccount(ctx, account, b.moved);
  return {
    ...base,
    roles: role.highlighted ? [{ id: role.id, name: role.name, color: role.color }] : [],
    source: {
      note: account.note_source,
      fields: sourceFields(account),
      privacy: settings.default_privacy,
      sensitive: settings.default_sensitive,
      language: settings.default_language,
      follow_requests_count: b.followRequestsCount,
      hide_collections: false,
      discoverable: !!account.discoverable,
      indexable: !!account.indexable,
      attribution_domains: [],
    },
    role,
  };
}
