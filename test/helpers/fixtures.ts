/** Fixtures: rows written straight into the store (statuses, remote accounts, follows) and what tests read back. */
import type { AppContext } from "../../src/app.ts";
import type { StatusDraft } from "../../src/core/statuses/persist.ts";
import { attachStatusTags } from "../../src/core/tags.ts";
import { escapeHtml } from "../../src/core/text/escape.ts";
import type { JobName, JobPayloads } from "../../src/jobs/definitions.ts";
import { type Account, PROFILE_DEFAULTS, type Status } from "../../src/store/schema.ts";
import type { TestUser } from "./harness.ts";

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
    text: extra.text ?? "hi",
    content: `<p>${escapeHtml(extra.text ?? "hi")}</p>`,
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

/** Makes `follower` follow `target` directly in the store (tests do not depend on the follows API). */
export function follow(ctx: AppContext, follower: TestUser, target: TestUser): Promise<void> {
  return followById(ctx, follower.account.id, target.account.id);
}

/** Makes `followerId` follow `targetId` (a remote account too) directly in the store. */
export async function followById(
  ctx: AppContext,
  followerId: string,
  targetId: string,
  opts: { notify?: boolean } = {},
): Promise<void> {
  await ctx.db
    .insertInto("follows")
    .values({
      id: ctx.ids(),
      account_id: followerId,
      target_account_id: targetId,
      show_reblogs: 1,
      notify: opts.notify ? 1 : 0,
      languages: null,
      uri: null,
      created_at: ctx.now().toISOString(),
    })
    .execute();
}

/** Inserts remote accounts `@name@domain` straight into the store (no keys, no fetch); returns the rows. */
export async function insertRemoteAccounts(
  ctx: AppContext,
  domain: string,
  names: string[],
): Promise<Account[]> {
  const now = ctx.now().toISOString();
  const rows: Account[] = names.map((username) => ({
    id: ctx.ids(),
    username,
    domain,
    display_name: "",
    note: "",
    note_source: "",
    fields: "[]",
    locked: 0,
    bot: 0,
    discoverable: 1,
    indexable: 1,
    avatar_url: null,
    header_url: null,
    ...PROFILE_DEFAULTS,
    uri: `https://${domain}/users/${username}`,
    url: `https://${domain}/@${username}`,
    inbox_url: null,
    outbox_url: null,
    shared_inbox_url: null,
    followers_url: null,
    following_url: null,
    public_key_pem: null,
    ed25519_public_key: null,
    followers_count: 0,
    following_count: 0,
    statuses_count: 0,
    last_status_at: null,
    suspended_at: null,
    moved_to_account_id: null,
    featured_url: null,
    featured_tags_url: null,
    actor_type: "Person",
    public_key_id: null,
    ed25519_key_id: null,
    also_known_as: "[]",
    fetched_at: null,
    created_at: now,
    updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 100) {
    await ctx.db
      .insertInto("accounts")
      .values(rows.slice(i, i + 100))
      .execute();
  }
  return rows;
}

/** Payloads of the jobs of one type waiting in the queue, oldest first, as their schema reads them. */
export async function enqueued<N extends JobName>(ctx: AppContext, name: N): Promise<JobPayloads[N][]> {
  const rows = await ctx.db
    .selectFrom("jobs")
    .select("payload")
    .where("type", "=", name)
    .where("status", "=", "pending")
    .orderBy("id")
    .execute();
  return rows.map((r) => JSON.parse(r.payload) as JobPayloads[N]);
}

/** A remote post as the inbox will hand it to persistStatus (a Note already converted). */
export function remoteDraft(ctx: AppContext, author: Account, extra: Partial<StatusDraft> = {}): StatusDraft {
  const n = ctx.ids();
  return {
    id: ctx.ids(),
    uri: `https://${author.domain}/users/${author.username}/statuses/${n}`,
    url: `https://${author.domain}/@${author.username}/${n}`,
    accountId: author.id,
    local: false,
    content: "<p>remote</p>",
    visibility: "public",
    createdAt: ctx.now().toISOString(),
    ...extra,
  };
}
