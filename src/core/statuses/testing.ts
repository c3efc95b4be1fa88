/** Helpers for status tests (not shipped behaviour). */
import type { AppContext } from "../../app.ts";
import type { JobName, JobPayloads } from "../../jobs/definitions.ts";
import type { Account } from "../../store/schema.ts";
import type { TestUser } from "../../testing/harness.ts";
import type { StatusDraft } from "./persist.ts";

/** Makes `follower` follow `target` directly in the store (tests do not depend on the follows API). */
export async function follow(ctx: AppContext, follower: TestUser, target: TestUser): Promise<void> {
  await ctx.db
    .insertInto("follows")
    .values({
      id: ctx.ids(),
      account_id: follower.account.id,
      target_account_id: target.account.id,
      show_reblogs: 1,
      notify: 0,
      languages: null,
      uri: null,
      created_at: ctx.now().toISOString(),
    })
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in tests
export type Json = any;

/** POST /api/v1/statuses as `user`. */
export async function post(
  user: TestUser,
  json: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const res = await user.api("/api/v1/statuses", { method: "POST", json, headers });
  return { status: res.status, body: (await res.json()) as Json };
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
