/** Test support for graph/timeline tests: raw status rows without going through createStatus. */
import type { AppContext } from "../../app.ts";
import type { Status } from "../../store/schema.ts";
import { attachStatusTags } from "../tags.ts";

export async function insertStatus(
  ctx: AppContext,
  accountId: string,
  extra: Partial<Status> & { mentions?: string[]; tags?: string[] } = {},
): Promise<Status> {
  const { mentions = [], tags = [], ...fields } = extra;
  const id = ctx.ids();
  const now = ctx.now().toISOString();
  const row: Status = {
    id,
    uri: `${ctx.config.baseUrl}/s/${id}`,
    url: `${ctx.config.baseUrl}/s/${id}`,
    account_id: accountId,
    local: 1,
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    reblog_of_id: null,
    conversation_id: null,
    text: "hi",
    content: "<p>hi</p>",
    spoiler_text: "",
    sensitive: 0,
    visibility: "public",
    language: null,
    application_id: null,
    poll_id: null,
    replies_count: 0,
    reblogs_count: 0,
    favourites_count: 0,
    created_at: now,
    edited_at: null,
    updated_at: now,
    ...fields,
  };
  await ctx.db.insertInto("statuses").values(row).execute();
  for (const accountId of mentions) {
    await ctx.db
      .insertInto("mentions")
      .values({ id: ctx.ids(), status_id: id, account_id: accountId, silent: 0 })
      .execute();
  }
  // tags go through the real path, which also makes them public when the status is
  await attachStatusTags(ctx, ctx.db, id, new Map(tags.map((name) => [name, name])), row.visibility);
  return row;
}

export async function homeIds(ctx: AppContext, ownerId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("home_feed")
    .select("status_id")
    .where("account_id", "=", ownerId)
    .orderBy("status_id", "desc")
    .execute();
  return rows.map((r) => r.status_id);
}

/** Collects events published on the given channels. */
export function recordEvents(
  ctx: AppContext,
  channelNames: string[],
): { channel: string; event: string; id: string }[] {
  const seen: { channel: string; event: string; id: string }[] = [];
  for (const channel of channelNames) ctx.events.subscribe(channel, (e) => seen.push({ channel, ...e }));
  return seen;
}
