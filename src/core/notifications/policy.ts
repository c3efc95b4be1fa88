/**
 * The notification policy (Mastodon 4.3+, /api/v2/notifications/policy): for each kind of sender a
 * user chooses to accept, filter (kept aside as a request) or drop (never stored) notifications.
 * `decideNotification` is asked by createNotification, the one place notifications are made, so
 * local actions and the inbox obey the same rules — Mastodon's NotifyService conditions.
 */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { NotificationPolicyValue } from "../../store/schema.ts";
import { domainBlockFor } from "../fediverse/instances.ts";

export const POLICY_KEYS = [
  "for_not_following",
  "for_not_followers",
  "for_new_accounts",
  "for_private_mentions",
  "for_limited_accounts",
  "for_bots",
] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];
export type NotificationPolicy = Record<PolicyKey, NotificationPolicyValue>;

/** Mastodon's defaults: private mentions from strangers and limited accounts are filtered. */
export const DEFAULT_POLICY: NotificationPolicy = {
  for_not_following: "accept",
  for_not_followers: "accept",
  for_new_accounts: "accept",
  for_private_mentions: "filter",
  for_limited_accounts: "filter",
  for_bots: "accept",
};

/** Types a policy may filter or drop (Mastodon's Notification::PROPERTIES filterable). */
export const FILTERABLE_TYPES: ReadonlySet<string> = new Set([
  "mention",
  "reblog",
  "follow",
  "follow_request",
  "favourite",
  "quote",
]);
/** Types whose filtered notifications make (or update) a request of their sender. */
export const REQUEST_TYPES: readonly string[] = ["mention", "quote"];

const NEW_ACCOUNT_MS = 30 * 24 * 3600_000;
const NEW_FOLLOWER_MS = 3 * 24 * 3600_000;
/** How far up a thread a private mention is checked for being an answer to the recipient. */
const THREAD_DEPTH = 100;

export async function getPolicy(db: Db, accountId: string): Promise<NotificationPolicy> {
  const row = await db
    .selectFrom("notification_policies")
    .select(POLICY_KEYS)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row ?? { ...DEFAULT_POLICY };
}

/** The account's policy, for the API. */
export function policyOf(ctx: AppContext, accountId: string): Promise<NotificationPolicy> {
  return getPolicy(ctx.db, accountId);
}

export async function updatePolicy(
  ctx: AppContext,
  accountId: string,
  changes: Partial<NotificationPolicy>,
): Promise<NotificationPolicy> {
  const policy = { ...(await getPolicy(ctx.db, accountId)), ...changes };
  const updatedAt = ctx.now().toISOString();
  await ctx.db
    .insertInto("notification_policies")
    .values({ account_id: accountId, ...policy, updated_at: updatedAt })
    .onConflict((oc) => oc.column("account_id").doUpdateSet({ ...policy, updated_at: updatedAt }))
    .execute();
  return policy;
}

export interface NotificationCandidate {
  recipientId: string;
  fromId: string;
  type: string;
  statusId?: string | null;
}

export type PolicyDecision = "accept" | "filter" | "drop";

/**
 * What the recipient's policy does with a notification (blocks and mutes are checked before this,
 * by createNotification). Facts about the sender are looked up only when a policy needs them.
 * Limited ("silenced") accounts: those of a silenced domain (per-account silencing arrives with
 * moderation).
 */
export async function decideNotification(
  ctx: AppContext,
  trx: Db,
  n: NotificationCandidate,
): Promise<PolicyDecision> {
  if (!FILTERABLE_TYPES.has(n.type)) return "accept";
  const policy = await getPolicy(trx, n.recipientId);
  if (POLICY_KEYS.every((k) => policy[k] === "accept")) return "accept";

  // every fact is looked up once and only when a policy asks for it: with Mastodon's defaults a
  // favourite costs one query here, a mention two
  const now = ctx.now().getTime();
  const lazy = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => {
      p ??= f();
      return p;
    };
  };
  const sender = lazy(() =>
    trx
      .selectFrom("accounts as a")
      .leftJoin("users as u", "u.account_id", "a.id")
      .select(["a.created_at", "a.bot", "a.domain", "u.role"])
      .where("a.id", "=", n.fromId)
      .executeTakeFirst(),
  );
  const notFollowing = lazy(async () => {
    const f = await trx
      .selectFrom("follows")
      .select("id")
      .where("account_id", "=", n.recipientId)
      .where("target_account_id", "=", n.fromId)
      .executeTakeFirst();
    return !f;
  });
  const notFollower = lazy(async () => {
    const f = await trx
      .selectFrom("follows")
      .select("created_at")
      .where("account_id", "=", n.fromId)
      .where("target_account_id", "=", n.recipientId)
      .executeTakeFirst();
    // a follow younger than three days does not count yet, so following first cannot open the door
    return !f || Date.parse(f.created_at) > now - NEW_FOLLOWER_MS;
  });
  const newAccount = async () => {
    const a = await sender();
    return !!a && Date.parse(a.created_at) > now - NEW_ACCOUNT_MS;
  };
  const limited = async () => {
    const domain = (await sender())?.domain;
    // inside the caller's transaction (on SQLite another connection would wait for it forever)
    return !!domain && (await domainBlockFor(ctx, domain, trx))?.severity === "silence";
  };
  const bot = async () => !!(await sender())?.bot;
  const privateMention = lazy(() => isUnansweredPrivateMention(trx, n));

  const conditions: [PolicyKey, () => Promise<boolean>][] = [
    ["for_limited_accounts", async () => (await limited()) && (await notFollowing())],
    ["for_not_following", notFollowing],
    ["for_not_followers", notFollower],
    ["for_new_accounts", async () => (await newAccount()) && (await notFollowing())],
    ["for_private_mentions", async () => (await privateMention()) && (await notFollowing())],
    ["for_bots", async () => (await bot()) && (await notFollowing())],
  ];
  // a matching drop wins over a matching filter, as Mastodon checks drop conditions first
  let decision: PolicyDecision = "accept";
  search: for (const wanted of ["drop", "filter"] as const) {
    for (const [key, applies] of conditions) {
      if (policy[key] === wanted && (await applies())) {
        decision = wanted;
        break search;
      }
    }
  }
  if (decision === "accept") return "accept";
  // what overrides the policy: an accepted sender, and staff reaching a user by mention (from_staff)
  const permitted = await trx
    .selectFrom("notification_permissions")
    .select("account_id")
    .where("account_id", "=", n.recipientId)
    .where("from_account_id", "=", n.fromId)
    .executeTakeFirst();
  if (permitted) return "accept";
  const role = (await sender())?.role;
  if (n.type === "mention" && (role === "admin" || role === "moderator")) return "accept";
  return decision;
}

/**
 * A direct mention that does not answer a private mention the recipient sent the sender earlier in
 * the same thread (Mastodon's private_mention_not_in_response?).
 */
async function isUnansweredPrivateMention(trx: Db, n: NotificationCandidate): Promise<boolean> {
  if (n.type !== "mention" || !n.statusId) return false;
  const status = await trx
    .selectFrom("statuses")
    .select(["visibility", "in_reply_to_id"])
    .where("id", "=", n.statusId)
    .executeTakeFirst();
  if (status?.visibility !== "direct") return false;
  let next = status.in_reply_to_id;
  const seen = new Set<string>();
  for (let depth = 0; next && depth < THREAD_DEPTH && !seen.has(next); depth++) {
    seen.add(next);
    const s = await trx
      .selectFrom("statuses")
      .select(["id", "account_id", "visibility", "in_reply_to_id"])
      .where("id", "=", next)
      .executeTakeFirst();
    if (!s) break;
    if (s.account_id === n.recipientId && s.visibility === "direct") {
      const mention = await trx
        .selectFrom("mentions")
        .select("id")
        .where("status_id", "=", s.id)
        .where("account_id", "=", n.fromId)
        .where("silent", "=", 0)
        .executeTakeFirst();
      if (mention) return false;
    }
    next = s.in_reply_to_id;
  }
  return true;
}
