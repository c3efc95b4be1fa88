/**
 * Hashtags as accounts see them: the Tag entity's usage history, followed hashtags (their public
 * posts reach the follower's home, see timelines/tag_audience.ts) and featured hashtags on profiles.
 */
import type { AppContext } from "../app.ts";
import { type Page, paginate } from "../store/paginate.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { idFloorForTime } from "./ids.ts";
import { normalizeHashtag } from "./text/extract.ts";

const DAY_MS = 86_400_000;
/** Same alphabet as the status text extractor: letters, digits, marks, `_` and `·`, one letter at least. */
const TAG_NAME_RE = /^[\p{L}\p{N}\p{M}_·]*[\p{L}\p{M}_][\p{L}\p{N}\p{M}_·]*$/u;
export const MAX_FEATURED_TAGS = 10;

export interface TagDay {
  day: string;
  uses: string;
  accounts: string;
}

export interface TagView {
  id: string | null;
  name: string;
  history: TagDay[];
  following: boolean;
  featuring: boolean;
}

export interface TagRow {
  id: string;
  name: string;
  display_name: string;
}

/** `#Name` or `Name` → the display form; 404 for anything that cannot be a hashtag. */
export function parseTagName(raw: string): string {
  const name = raw.replace(/^#/, "").normalize("NFC");
  if (!name || name.length > 100 || !TAG_NAME_RE.test(name)) throw new NotFoundError();
  return name;
}

export async function findTag(ctx: AppContext, raw: string): Promise<TagRow | null> {
  const key = normalizeHashtag(parseTagName(raw));
  const row = await ctx.db
    .selectFrom("tags")
    .select(["id", "name", "display_name"])
    .where("name", "=", key)
    .executeTakeFirst();
  return row ?? null;
}

export async function findOrCreateTag(ctx: AppContext, raw: string): Promise<TagRow> {
  const display = parseTagName(raw);
  const key = normalizeHashtag(display);
  await ctx.db
    .insertInto("tags")
    .values({ id: ctx.ids(), name: key, display_name: display, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  return ctx.db
    .selectFrom("tags")
    .select(["id", "name", "display_name"])
    .where("name", "=", key)
    .executeTakeFirstOrThrow();
}

/** Daily uses and distinct authors over the last 7 days (newest first), public posts only. */
export async function tagHistories(ctx: AppContext, tagIds: string[]): Promise<Map<string, TagDay[]>> {
  const now = ctx.now();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out = new Map<string, TagDay[]>();
  const rows = tagIds.length
    ? await ctx.db
        .selectFrom("status_tags as st")
        .innerJoin("statuses as s", "s.id", "st.status_id")
        .select(["st.tag_id", "s.id as status_id", "s.account_id"])
        .where("st.tag_id", "in", tagIds)
        .where("st.status_id", ">=", idFloorForTime(new Date(today - 6 * DAY_MS)))
        .where("s.visibility", "=", "public")
        .where("s.reblog_of_id", "is", null)
        .execute()
    : [];
  for (const id of tagIds) {
    const mine = rows
      .filter((r) => r.tag_id === id)
      .map((r) => ({ ms: Number(BigInt(r.status_id) >> 16n), account: r.account_id }));
    out.set(
      id,
      Array.from({ length: 7 }, (_, i) => {
        const start = today - i * DAY_MS;
        const day = mine.filter((r) => r.ms >= start && r.ms < start + DAY_MS);
        return {
          day: String(start / 1000),
          uses: String(day.length),
          accounts: String(new Set(day.map((r) => r.account)).size),
        };
      }),
    );
  }
  return out;
}

function emptyHistory(ctx: AppContext): TagDay[] {
  const now = ctx.now();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: 7 }, (_, i) => ({
    day: String((today - i * DAY_MS) / 1000),
    uses: "0",
    accounts: "0",
  }));
}

/** Tag entities for known tags, with `following`/`featuring` for the viewer. */
export async function tagViews(ctx: AppContext, tags: TagRow[], viewerId: string | null): Promise<TagView[]> {
  const ids = tags.map((t) => t.id);
  const histories = await tagHistories(ctx, ids);
  const followed = new Set<string>();
  const featured = new Set<string>();
  if (viewerId && ids.length) {
    const [f1, f2] = await Promise.all([
      ctx.db
        .selectFrom("tag_follows")
        .select("tag_id")
        .where("account_id", "=", viewerId)
        .where("tag_id", "in", ids)
        .execute(),
      ctx.db
        .selectFrom("featured_tags")
        .select("tag_id")
        .where("account_id", "=", viewerId)
        .where("tag_id", "in", ids)
        .execute(),
    ]);
    for (const r of f1) followed.add(r.tag_id);
    for (const r of f2) featured.add(r.tag_id);
  }
  return tags.map((t) => ({
    id: t.id,
    name: t.display_name || t.name,
    history: histories.get(t.id) ?? emptyHistory(ctx),
    following: followed.has(t.id),
    featuring: featured.has(t.id),
  }));
}

/** GET /api/v1/tags/:name — like Mastodon, a valid but unused name still answers (with no history). */
export async function getTag(ctx: AppContext, raw: string, viewerId: string | null): Promise<TagView> {
  const row = await findTag(ctx, raw);
  if (!row) {
    return {
      id: null,
      name: parseTagName(raw),
      history: emptyHistory(ctx),
      following: false,
      featuring: false,
    };
  }
  const [view] = await tagViews(ctx, [row], viewerId);
  return view;
}

export async function followTag(ctx: AppContext, accountId: string, raw: string): Promise<TagView> {
  const tag = await findOrCreateTag(ctx, raw);
  await ctx.db
    .insertInto("tag_follows")
    .values({ id: ctx.ids(), account_id: accountId, tag_id: tag.id, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing())
    .execute();
  const [view] = await tagViews(ctx, [tag], accountId);
  return view;
}

export async function unfollowTag(ctx: AppContext, accountId: string, raw: string): Promise<TagView> {
  const tag = await findTag(ctx, raw);
  if (!tag) return getTag(ctx, raw, accountId);
  await ctx.db
    .deleteFrom("tag_follows")
    .where("account_id", "=", accountId)
    .where("tag_id", "=", tag.id)
    .execute();
  const [view] = await tagViews(ctx, [tag], accountId);
  return view;
}

/** Followed tags, newest follow first; cursors are the tag_follows ids (Mastodon pages by them). */
export async function followedTags(
  ctx: AppContext,
  accountId: string,
  page: Page,
): Promise<{ tags: TagView[]; cursorIds: string[] }> {
  const rows = await paginate(
    ctx.db
      .selectFrom("tag_follows as tf")
      .innerJoin("tags as t", "t.id", "tf.tag_id")
      .select(["tf.id as follow_id", "t.id", "t.name", "t.display_name"])
      .where("tf.account_id", "=", accountId),
    "tf.id",
    page,
  );
  return { tags: await tagViews(ctx, rows, accountId), cursorIds: rows.map((r) => r.follow_id) };
}

// ---- featured tags ----

export interface FeaturedTagView {
  id: string;
  name: string;
  statusesCount: number;
  lastStatusAt: string | null;
}

/** An account's featured tags with its public, non-reblog use of each. */
export async function featuredTags(ctx: AppContext, accountId: string): Promise<FeaturedTagView[]> {
  const rows = await ctx.db
    .selectFrom("featured_tags as ft")
    .innerJoin("tags as t", "t.id", "ft.tag_id")
    .select(["ft.id", "ft.tag_id", "t.name", "t.display_name"])
    .where("ft.account_id", "=", accountId)
    .orderBy("ft.id")
    .execute();
  if (rows.length === 0) return [];
  const uses = await ctx.db
    .selectFrom("status_tags as st")
    .innerJoin("statuses as s", "s.id", "st.status_id")
    .select(["st.tag_id", (eb) => eb.fn.countAll().as("n"), (eb) => eb.fn.max("s.created_at").as("last")])
    .where("s.account_id", "=", accountId)
    .where("s.visibility", "in", ["public", "unlisted"])
    .where("s.reblog_of_id", "is", null)
    .where(
      "st.tag_id",
      "in",
      rows.map((r) => r.tag_id),
    )
    .groupBy("st.tag_id")
    .execute();
  const byTag = new Map(uses.map((u) => [u.tag_id, u]));
  return rows.map((r) => {
    const u = byTag.get(r.tag_id);
    return {
      id: r.id,
      name: r.display_name || r.name,
      statusesCount: Number(u?.n ?? 0),
      lastStatusAt: u?.last ? String(u.last).slice(0, 10) : null,
    };
  });
}

export async function featureTag(ctx: AppContext, accountId: string, raw: string): Promise<FeaturedTagView> {
  const tag = await findOrCreateTag(ctx, raw);
  const existing = await ctx.db
    .selectFrom("featured_tags")
    .select("id")
    .where("account_id", "=", accountId)
    .where("tag_id", "=", tag.id)
    .executeTakeFirst();
  if (!existing) {
    const count = await ctx.db
      .selectFrom("featured_tags")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (Number(count?.n ?? 0) >= MAX_FEATURED_TAGS)
      throw new ValidationError(`Validation failed: You can feature at most ${MAX_FEATURED_TAGS} hashtags`);
    await ctx.db
      .insertInto("featured_tags")
      .values({ id: ctx.ids(), account_id: accountId, tag_id: tag.id, created_at: ctx.now().toISOString() })
      .onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing())
      .execute();
  }
  const all = await featuredTags(ctx, accountId);
  const found = all.find((f) => f.name.toLowerCase() === (tag.display_name || tag.name).toLowerCase());
  if (!found) throw new NotFoundError();
  return found;
}

export async function unfeatureTag(ctx: AppContext, accountId: string, featuredId: string): Promise<void> {
  const res = await ctx.db
    .deleteFrom("featured_tags")
    .where("account_id", "=", accountId)
    .where("id", "=", featuredId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError();
}

/** Tags the account used most in its last posts and has not featured yet (Mastodon: 10 most used). */
export async function featuredTagSuggestions(ctx: AppContext, accountId: string): Promise<TagView[]> {
  const rows = await ctx.db
    .selectFrom("status_tags as st")
    .innerJoin("statuses as s", "s.id", "st.status_id")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select(["t.id", "t.name", "t.display_name", (eb) => eb.fn.countAll().as("n")])
    .where("s.account_id", "=", accountId)
    .where("s.reblog_of_id", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("featured_tags as ft")
            .select("ft.id")
            .whereRef("ft.tag_id", "=", "t.id")
            .where("ft.account_id", "=", accountId),
        ),
      ),
    )
    .groupBy(["t.id", "t.name", "t.display_name"])
    .orderBy("n", "desc")
    .orderBy("t.name")
    .limit(10)
    .execute();
  return tagViews(ctx, rows, accountId);
}
