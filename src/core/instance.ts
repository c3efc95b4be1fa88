/**
 * Facts about this server: counts, activity, contact, custom emojis, trending tags. Counts are
 * cached briefly per context (instance metadata is fetched by every client at start-up).
 */
import { type AppContext, owned, resourceKey } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { idFloorForTime } from "./ids.ts";
import { tagDisplayName } from "./tags.ts";

export const TORGAI_VERSION = "0.1.0";
/** What clients see as `version`: Mastodon API level first, so feature detection works. */
/**
 * The Mastodon release whose client API we implement, and its `api_versions.mastodon` number, by
 * which apps detect features: 4.4 (6) brings endorsements, featured tags' `featuring`, notification
 * policy v2. Quote posts are 4.5's (7): report 7 only once they work, or apps offer quoting.
 */
export const MASTODON_COMPAT_VERSION = `4.4.0 (compatible; Torgai ${TORGAI_VERSION})`;
export const MASTODON_API_VERSION = 6;
export const SOURCE_URL = "https://github.com/torgai/torgai";
export const INSTANCE_LANGUAGES = ["kk", "ru", "en"];

const DAY_MS = 86_400_000;
const STATS_TTL_MS = 60_000;
const ACTIVITY_TTL_MS = 60 * 60_000;

export interface InstanceStats {
  userCount: number;
  statusCount: number;
  domainCount: number;
  activeMonth: number;
  activeHalfyear: number;
}

const INSTANCE_CACHE = resourceKey(
  "instance figures",
  () => new Map<string, { at: number; value: unknown }>(),
);

async function cached<T>(ctx: AppContext, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const m = owned(ctx, INSTANCE_CACHE);
  const now = ctx.now().getTime();
  const hit = m.get(key);
  if (hit && now - hit.at < ttlMs) return hit.value as T;
  const value = await load();
  m.set(key, { at: now, value });
  return value;
}

/** Forgets cached counts (tests; after bulk imports). */
export function clearInstanceCache(ctx: AppContext): void {
  owned(ctx, INSTANCE_CACHE).clear();
}

async function activeUsers(ctx: AppContext, since: Date): Promise<number> {
  const iso = since.toISOString();
  const row = await ctx.db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("disabled", "=", 0)
    .where((eb) =>
      eb.or([
        eb("last_sign_in_at", ">=", iso),
        eb(
          "id",
          "in",
          eb
            .selectFrom("oauth_tokens")
            .select("user_id")
            .where("last_used_at", ">=", iso)
            .where("user_id", "is not", null),
        ),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function instanceStats(ctx: AppContext): Promise<InstanceStats> {
  return cached(ctx, "stats", STATS_TTL_MS, async () => {
    const now = ctx.now().getTime();
    const [users, statuses, domains, activeMonth, activeHalfyear] = await Promise.all([
      ctx.db
        .selectFrom("accounts")
        .innerJoin("users", "users.account_id", "accounts.id")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("accounts.domain", "=", "")
        .where("accounts.suspended_at", "is", null)
        .where("users.approved", "=", 1)
        .executeTakeFirstOrThrow(),
      ctx.db
        .selectFrom("statuses")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("local", "=", 1)
        .executeTakeFirstOrThrow(),
      ctx.db
        .selectFrom("accounts")
        .select((eb) => eb.fn.count("domain").distinct().as("n"))
        .where("domain", "!=", "")
        .executeTakeFirstOrThrow(),
      activeUsers(ctx, new Date(now - 30 * DAY_MS)),
      activeUsers(ctx, new Date(now - 180 * DAY_MS)),
    ]);
    return {
      userCount: Number(users.n),
      statusCount: Number(statuses.n),
      domainCount: Number(domains.n),
      activeMonth,
      activeHalfyear,
    };
  });
}

/** The first admin (oldest), shown as the instance contact. */
export async function contactAccount(ctx: AppContext): Promise<Account | null> {
  const row = await ctx.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .selectAll("accounts")
    .where("users.role", "=", "admin")
    .where("accounts.suspended_at", "is", null)
    .orderBy("users.created_at", "asc")
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** Domains this server knows accounts of (Mastodon's /api/v1/instance/peers), in name order. */
export async function instancePeers(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("accounts")
    .select("domain")
    .distinct()
    .where("domain", "!=", "")
    .orderBy("domain")
    .execute();
  return rows.map((r) => r.domain);
}

export interface WeekActivity {
  week: string;
  statuses: string;
  logins: string;
  registrations: string;
}

/** Monday 00:00 UTC of the week containing `d` (Mastodon's beginning_of_week). */
export function weekStart(d: Date): Date {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
}

/** The last 12 weeks, newest first, as Mastodon's /api/v1/instance/activity (numbers as strings). */
export function weeklyActivity(ctx: AppContext, weeks = 12): Promise<WeekActivity[]> {
  return cached(ctx, "activity", ACTIVITY_TTL_MS, async () => {
    const current = weekStart(ctx.now()).getTime();
    const out: WeekActivity[] = [];
    for (let i = 0; i < weeks; i++) {
      const from = new Date(current - i * 7 * DAY_MS);
      const to = new Date(from.getTime() + 7 * DAY_MS);
      const [statuses, registrations, logins] = await Promise.all([
        ctx.db
          .selectFrom("statuses")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("id", ">=", idFloorForTime(from))
          .where("id", "<", idFloorForTime(to))
          .where("local", "=", 1)
          .executeTakeFirstOrThrow(),
        ctx.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("created_at", ">=", from.toISOString())
          .where("created_at", "<", to.toISOString())
          .executeTakeFirstOrThrow(),
        // only the last sign-in is recorded, so this undercounts past weeks
        ctx.db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("last_sign_in_at", ">=", from.toISOString())
          .where("last_sign_in_at", "<", to.toISOString())
          .executeTakeFirstOrThrow(),
      ]);
      out.push({
        week: String(Math.floor(from.getTime() / 1000)),
        statuses: String(Number(statuses.n)),
        logins: String(Number(logins.n)),
        registrations: String(Number(registrations.n)),
      });
    }
    return out;
  });
}

export interface CustomEmoji {
  shortcode: string;
  url: string;
  static_url: string;
  visible_in_picker: boolean;
  category: string | null;
}

export async function localCustomEmojis(ctx: AppContext): Promise<CustomEmoji[]> {
  const rows = await ctx.db
    .selectFrom("custom_emojis")
    .selectAll()
    .where("domain", "=", "")
    .orderBy("shortcode", "asc")
    .execute();
  return rows.map((r) => ({
    shortcode: r.shortcode,
    url: r.url,
    static_url: r.static_url,
    visible_in_picker: !!r.visible_in_picker,
    category: r.category,
  }));
}

export interface TrendingTag {
  name: string;
  /** newest day first: day start (unix seconds), statuses, distinct accounts */
  history: { day: string; uses: string; accounts: string }[];
}

/** Hashtags most used in public posts over the last 7 days, with Mastodon's daily history. */
export function trendingTags(ctx: AppContext, limit: number, offset = 0): Promise<TrendingTag[]> {
  return cached(ctx, `trends:${limit}:${offset}`, STATS_TTL_MS, async () => {
    const now = ctx.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = idFloorForTime(new Date(today - 6 * DAY_MS));
    const rows = await ctx.db
      .selectFrom("status_tags as st")
      .innerJoin("statuses as s", "s.id", "st.status_id")
      .innerJoin("tags as t", "t.id", "st.tag_id")
      .select([
        "t.id as tag_id",
        "t.display_name",
        "t.name",
        "t.public_at",
        "s.id as status_id",
        "s.account_id",
      ])
      .where("st.status_id", ">=", since)
      .where("s.visibility", "=", "public")
      .where("s.reblog_of_id", "is", null)
      .execute();
    const byTag = new Map<string, { name: string; rows: { ms: number; account: string }[] }>();
    for (const r of rows) {
      let t = byTag.get(r.tag_id);
      if (!t) {
        t = { name: tagDisplayName(r), rows: [] };
        byTag.set(r.tag_id, t);
      }
      t.rows.push({ ms: Number(BigInt(r.status_id) >> 16n), account: r.account_id });
    }
    const ranked = [...byTag.values()]
      .map((t) => ({ ...t, accounts: new Set(t.rows.map((r) => r.account)).size }))
      .sort(
        (a, b) => b.accounts - a.accounts || b.rows.length - a.rows.length || a.name.localeCompare(b.name),
      )
      .slice(offset, offset + limit);
    return ranked.map((t) => ({
      name: t.name,
      history: Array.from({ length: 7 }, (_, i) => {
        const start = today - i * DAY_MS;
        const day = t.rows.filter((r) => r.ms >= start && r.ms < start + DAY_MS);
        return {
          day: String(start / 1000),
          uses: String(day.length),
          accounts: String(new Set(day.map((r) => r.account)).size),
        };
      }),
    }));
  });
}
