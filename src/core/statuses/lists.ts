/** Paginated lists around statuses: who favourited/reblogged, the viewer's favourites and bookmarks. */
import type { AppContext } from "../../app.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import type { Account, Status } from "../../store/schema.ts";
import { accountShownSql } from "../accounts/visible.ts";
import { visibleTo } from "../visibility.ts";
import { getVisibleStatus } from "./load.ts";

/** Items with the row id used as the pagination key (Link headers use it, as Mastodon does). */
export interface Keyed<T> {
  key: string;
  item: T;
}

export async function favouritedBy(
  ctx: AppContext,
  statusId: string,
  viewerId: string | null,
  page: Page,
): Promise<Keyed<Account>[]> {
  const status = await getVisibleStatus(ctx, statusId, viewerId);
  const rows = await paginate(
    ctx.db
      .selectFrom("favourites")
      .innerJoin("accounts", "accounts.id", "favourites.account_id")
      .selectAll("accounts")
      .select("favourites.id as key")
      .where("favourites.status_id", "=", status.id)
      .where(accountShownSql("accounts")),
    "favourites.id",
    page,
  );
  return rows.map(({ key, ...a }) => ({ key, item: a as Account }));
}

export async function rebloggedBy(
  ctx: AppContext,
  statusId: string,
  viewerId: string | null,
  page: Page,
): Promise<Keyed<Account>[]> {
  const status = await getVisibleStatus(ctx, statusId, viewerId);
  const rows = await paginate(
    ctx.db
      .selectFrom("statuses")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .selectAll("accounts")
      .select("statuses.id as key")
      .where("statuses.reblog_of_id", "=", status.id)
      .where(visibleTo(viewerId))
      .where(accountShownSql("accounts")),
    "statuses.id",
    page,
  );
  return rows.map(({ key, ...a }) => ({ key, item: a as Account }));
}

async function viewerList(
  ctx: AppContext,
  table: "favourites" | "bookmarks",
  viewer: Account,
  page: Page,
): Promise<Keyed<Status>[]> {
  const rows = await paginate(
    ctx.db
      .selectFrom(table)
      .innerJoin("statuses", "statuses.id", `${table}.status_id`)
      .selectAll("statuses")
      .select(`${table}.id as key`)
      .where(`${table}.account_id`, "=", viewer.id)
      .where(visibleTo(viewer.id)),
    `${table}.id`,
    page,
  );
  return rows.map(({ key, ...s }) => ({ key, item: s as Status }));
}

export function favouritesOf(ctx: AppContext, viewer: Account, page: Page): Promise<Keyed<Status>[]> {
  return viewerList(ctx, "favourites", viewer, page);
}

export function bookmarksOf(ctx: AppContext, viewer: Account, page: Page): Promise<Keyed<Status>[]> {
  return viewerList(ctx, "bookmarks", viewer, page);
}
