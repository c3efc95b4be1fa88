/**
 * Hashtags as accounts see them: the Tag entity's usage history, followed hashtags (their public
 * posts reach the follower's home, see distribution/tag_audience.ts) and featured hashtags on profiles.
 *
 * A tag used only in followers-only or direct posts is nobody else's business: until a public or
 * unlisted post uses it (`public_at`), others get the answer for an unknown tag, search does not
 * list it and the form the private posts wrote is never shown. Tag ids are random (`untimedId`),
 * so even after it becomes public its id does not date the private use. History and trends count
 * public posts only.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { AppContext } from "../app.ts";
import type { Db } from "../store/db.ts";
import { type Page, paginate } from "../store/paginate.ts";
import type { Status } from "../store/schema.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { idFloorForTime, untimedId } from "./ids.ts";
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
  public_at: string | null;
}

const TAG_COLUMNS = ["id", "name", "display_name", "public_at"] as const;

/**
 * The name a listing shows: as the first public post wrote it; before any public use the
 * case-folded key, since the form a private post (or someone's follow) wrote is not for others.
 */
export function tagDisplayName(t: Pick<TagRow, "name" | "display_name" | "public_at">): string {
  return t.public_at ? t.display_name || t.name : t.name;
}

/**
 * SQL condition on the tags row aliased `table`: the viewer may know of the tag — a public or
 * unlisted post used it, or the viewer used, follows or features it themselves.
 */
export function tagKnownSql(viewerId: string | null, table = "tags"): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${table}.${name}`);
  if (!viewerId) return sql<SqlBool>`(${col("public_at")} is not null)`;
  return sql<SqlBool>`(${col("public_at")} is not null
    or exists (select 1 from tag_follows ktf where ktf.tag_id = ${col("id")} and ktf.account_id = ${viewerId})
    or exists (select 1 from featured_tags kft where kft.tag_id = ${col("id")} and kft.account_id = ${viewerId})
    or exists (select 1 from status_tags kst join statuses ks on ks.id = kst.status_id
               where kst.tag_id = ${col("id")} and ks.account_id = ${viewerId}))`;
}

/** `#Name` or `Name` → the display form; 404 for anything that cannot be a hashtag. */
export function parseTagName(raw: string): string {
  const name = raw.replace(/^#/, "").normalize("NFC");
  if (!name || name.length > 100 || !TAG_NAME_RE.test(name)) throw new NotFoundError();
  return name;
}

/** The tag by name, if it exists and `viewerId` may know of it (see tagKnownSql). */
export async function findTag(ctx: AppContext, raw: string, viewerId: string | null): Promise<TagRow | null> {
  const key = normalizeHashtag(parseTagName(raw));
  const row = await ctx.db
    .selectFrom("tags")
    .select(TAG_COLUMNS)
    .where("name", "=", key)
    .where(tagKnownSql(viewerId))
    .executeTakeFirst();
  return row ?? null;
}

/**
 * The tags of these normalised names (name → form as written), created as needed with random ids.
 * Another transaction creating the same name at once is waited for; an id already taken (odds
 * of about one in 10^17 per tag) is drawn again.
 */
async function ensureTags(ctx: AppContext, db: Db, forms: Map<string, string>): Promise<TagRow[]> {
  const names = [...forms.keys()];
  for (let attempt = 0; ; attempt++) {
    const rows = await db.selectFrom("tags").select(TAG_COLUMNS).where("name", "in", names).execute();
    const missing = names.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length === 0) return rows;
    if (attempt === 3) throw new Error(`no free tag id for ${missing.join(", ")}`);
    const now = ctx.now().toISOString();
    await db
      .insertInto("tags")
      .values(
        missing.map((name) => ({
          id: untimedId(),
          name,
          display_name: forms.get(name) ?? name,
          created_at: now,
          public_at: null,
        })),
      )
      // no target: a taken name (another writer was first) or a taken id both leave the row out
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

export async function findOrCreateTag(ctx: AppContext, raw: string): Promise<TagRow> {
  const display = parseTagName(raw);
  const [row] = await ensureTags(ctx, ctx.db, new Map([[normalizeHashtag(display), display]]));
  return row;
}

/**
 * Links a status to its hashtags (normalised name → form as written), creating tags as needed.
 * A public or unlisted status makes each tag it uses public, under the form it wrote.
 */
export async function attachStatusTags(
  ctx: AppContext,
  db: Db,
  statusId: string,
  forms: Map<string, string>,
  visibility: Status["visibility"],
): Promise<void> {
  if (forms.size === 0) return;
  const rows = await ensureTags(ctx, db, forms);
  if (visibility === "public" || visibility === "unlisted") {
    const now = ctx.now().toISOString();
    for (const r of rows) {
      if (r.public_at) continue;
      await db
        .updateTable("tags")
        .set({ public_at: now, display_name: forms.get(r.name) ?? r.name })
        .where("id", "=", r.id)
        .where("public_at", "is", null)
        .execute();
    }
  }
  await db
    .insertInto("status_tags")
    .values(rows.map((r) => ({ status_id: statusId, tag_id: r.id })))
    .onConflict((oc) => oc.columns(["tag_id", "status_id"]).doNothing())
    .execute();
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
    name: tagDisplayName(t),
    history: histories.get(t.id) ?? emptyHistory(ctx),
    following: followed.has(t.id),
    featuring: featured.has(t.id),
  }));
}

/**
 * GET /api/v1/tags/:name — like Mastodon, a valid but unused name still answers (with no history),
 * and so does a tag the viewer may not know of. Until the tag is public, the name is shown as the
 * viewer asked for it.
 */
export async function getTag(ctx: AppContext, raw: string, viewerId: string | null): Promise<TagView> {
  const row = await findTag(ctx, raw, viewerId);
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
  return row.public_at ? view : { ...view, name: parseTagName(raw) };
}

export async function followTag(ctx: AppContext, accountId: string, raw: string): Promise<TagView> {
  const tag = await findOrCreateTag(ctx, raw);
  await ctx.db
    .insertInto("tag_follows")
    .values({ id: ctx.ids(), account_id: accountId, tag_id: tag.id, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.columns(["account_id", "tag_id"]).doNothing())
    .execute();
  return getTag(ctx, raw, accountId);
}

/** Unfollows; the answer is then what getTag tells this viewer (nothing, for a tag now unknown to them). */
export async function unfollowTag(ctx: AppContext, accountId: string, raw: string): Promise<TagView> {
  const tag = await findTag(ctx, raw, accountId);
  if (tag) {
    await ctx.db
      .deleteFrom("tag_follows")
      .where("account_id", "=", accountId)
      .where("tag_id", "=", tag.id)
      .execute();
  }
  return getTag(ctx, raw, accountId);
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
      .select(["tf.id as follow_id", "t.id", "t.name", "t.display_name", "t.public_at"])
      .where("tf.account_id", "=", accountId),
    "tf.id",
    page,
  );
  return { tags: await tagViews(ctx, rows, accountId), cursorIds: rows.map((r) => r.follow_id) };
}

// ---- featured tags ----

export interface FeaturedTagView {
  id: string;
  tagId: string;
  name: string;
  statusesCount: number;
  lastStatusAt: string | null;
}

/** An account's featured tags with its public, non-reblog use of each. */
export async function featuredTags(ctx: AppContext, accountId: string): Promise<FeaturedTagView[]> {
  const rows = await ctx.db
    .selectFrom("featured_tags as ft")
    .innerJoin("tags as t", "t.id", "ft.tag_id")
    .select(["ft.id", "ft.tag_id", "t.name", "t.display_name", "t.public_at"])
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
      tagId: r.tag_id,
      name: tagDisplayName(r),
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
  const found = all.find((f) => f.tagId === tag.id);
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

/** POST /api/v1/tags/:name/unfeature: removes the account's featured tag of that name, if any. */
export async function unfeatureTagNamed(ctx: AppContext, accountId: string, raw: string): Promise<void> {
  const tag = await findTag(ctx, raw, accountId);
  if (!tag) return;
  await ctx.db
    .deleteFrom("featured_tags")
    .where("account_id", "=", accountId)
    .where("tag_id", "=", tag.id)
    .execute();
}

/** Tags the account used most in its last posts and has not featured yet (Mastodon: 10 most used). */
export async function featuredTagSuggestions(ctx: AppContext, accountId: string): Promise<TagView[]> {
  const rows = await ctx.db
    .selectFrom("status_tags as st")
    .innerJoin("statuses as s", "s.id", "st.status_id")
    .innerJoin("tags as t", "t.id", "st.tag_id")
    .select(["t.id", "t.name", "t.display_name", "t.public_at", (eb) => eb.fn.countAll().as("n")])
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
    .groupBy(["t.id", "t.name", "t.display_name", "t.public_at"])
    .orderBy("n", "desc")
    .orderBy("t.name")
    .limit(10)
    .execute();
  return tagViews(ctx, rows, accountId);
}
