import type { AppContext } from "../../app.ts";
import { type Page, paginate } from "../../store/paginate.ts";
import { blocksViewer, muteActive } from "../../store/predicates.ts";
import type { Account } from "../../store/schema.ts";
import { accountShownSql } from "../accounts/visible.ts";
import { ValidationError } from "../errors.ts";
import { loadTargetAccount, parseLanguages } from "./graph.ts";

export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  muting_expires_at: string | null;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

/** The viewer's relationship to each account in `ids` others may see, in request order, with a fixed number of queries. */
export async function getRelationships(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
): Promise<Relationship[]> {
  const want = [...new Set(ids)].slice(0, 100);
  if (want.length === 0) return [];
  const db = ctx.db;
  const nowIso = ctx.now().toISOString();
  const [existing, follows, followedBy, requests, requestedBy, blocks, blockedBy, mutes, notes, endorsed] =
    await Promise.all([
      db
        .selectFrom("accounts")
        .select(["id", "domain"])
        .where("id", "in", want)
        .where(accountShownSql())
        .execute(),
      db
        .selectFrom("follows")
        .select(["target_account_id as id", "show_reblogs", "notify", "languages"])
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .execute(),
      db
        .selectFrom("follows")
        .select("account_id as id")
        .where("target_account_id", "=", viewerId)
        .where("account_id", "in", want)
        .execute(),
      db
        .selectFrom("follow_requests")
        .select(["target_account_id as id", "show_reblogs", "notify", "languages"])
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .execute(),
      db
        .selectFrom("follow_requests")
        .select("account_id as id")
        .where("target_account_id", "=", viewerId)
        .where("account_id", "in", want)
        .execute(),
      db
        .selectFrom("blocks")
        .select("target_account_id as id")
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .execute(),
      db
        .selectFrom("blocks")
        .select("account_id as id")
        .where("target_account_id", "=", viewerId)
        .where("account_id", "in", want)
        .execute(),
      db
        .selectFrom("mutes")
        .select(["target_account_id as id", "hide_notifications", "expires_at"])
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .where(muteActive("mutes", nowIso))
        .execute(),
      db
        .selectFrom("account_notes")
        .select(["target_account_id as id", "comment"])
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .execute(),
      db
        .selectFrom("account_endorsements")
        .select("target_account_id as id")
        .where("account_id", "=", viewerId)
        .where("target_account_id", "in", want)
        .execute(),
    ]);
  const endorsedIds = new Set(endorsed.map((r) => r.id));
  const known = new Set(existing.map((r) => r.id));
  const domains = [...new Set(existing.map((r) => r.domain).filter((d) => d !== ""))];
  const blockedDomains = new Set(
    domains.length
      ? (
          await db
            .selectFrom("account_domain_blocks")
            .select("domain")
            .where("account_id", "=", viewerId)
            .where("domain", "in", domains)
            .execute()
        ).map((r) => r.domain)
      : [],
  );
  const domainOf = new Map(existing.map((r) => [r.id, r.domain]));
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const [f, fb, rq, rb, bl, bb, mu, no] = [
    follows,
    followedBy,
    requests,
    requestedBy,
    blocks,
    blockedBy,
    mutes,
    notes,
  ].map(byId) as [
    Map<string, (typeof follows)[number]>,
    Map<string, { id: string }>,
    Map<string, (typeof requests)[number]>,
    Map<string, { id: string }>,
    Map<string, { id: string }>,
    Map<string, { id: string }>,
    Map<string, (typeof mutes)[number]>,
    Map<string, (typeof notes)[number]>,
  ];
  return want
    .filter((id) => known.has(id))
    .map((id) => {
      const out = f.get(id) ?? rq.get(id);
      const mute = mu.get(id);
      return {
        id,
        following: f.has(id),
        showing_reblogs: out ? !!out.show_reblogs : false,
        notifying: out ? !!out.notify : false,
        languages: out ? parseLanguages(out.languages) : null,
        followed_by: fb.has(id),
        blocking: bl.has(id),
        blocked_by: bb.has(id),
        muting: !!mute,
        muting_notifications: mute ? !!mute.hide_notifications : false,
        muting_expires_at: mute?.expires_at ?? null,
        requested: rq.has(id),
        requested_by: rb.has(id),
        domain_blocking: blockedDomains.has(domainOf.get(id) ?? ""),
        endorsed: endorsedIds.has(id),
        note: no.get(id)?.comment ?? "",
      };
    });
}

export async function getRelationship(
  ctx: AppContext,
  viewerId: string,
  targetId: string,
): Promise<Relationship> {
  const [rel] = await getRelationships(ctx, viewerId, [targetId]);
  return rel;
}

/** Sets the viewer's private note on an account; an empty comment removes it. */
export async function setAccountNote(
  ctx: AppContext,
  viewerId: string,
  targetId: string,
  comment: string,
): Promise<void> {
  await loadTargetAccount(ctx.db, targetId);
  if (comment.length > 2000)
    throw new ValidationError("Validation failed: Comment is too long (maximum is 2000 characters)");
  if (comment === "") {
    await ctx.db
      .deleteFrom("account_notes")
      .where("account_id", "=", viewerId)
      .where("target_account_id", "=", targetId)
      .execute();
    return;
  }
  await ctx.db
    .insertInto("account_notes")
    .values({ account_id: viewerId, target_account_id: targetId, comment })
    .onConflict((oc) => oc.columns(["account_id", "target_account_id"]).doUpdateSet({ comment }))
    .execute();
}

/**
 * Followers (`direction` "followers") or followed accounts ("following") of `accountId`, paged by
 * follow id. Someone the account blocks sees an empty list, as on Mastodon.
 */
export async function listFollows(
  ctx: AppContext,
  accountId: string,
  direction: "followers" | "following",
  viewerId: string | null,
  page: Page,
): Promise<{ accounts: Account[]; cursorIds: string[] }> {
  await loadTargetAccount(ctx.db, accountId);
  if (await blocksViewer(ctx.db, accountId, viewerId)) return { accounts: [], cursorIds: [] };
  const [mine, other] =
    direction === "followers"
      ? (["f.target_account_id", "f.account_id"] as const)
      : (["f.account_id", "f.target_account_id"] as const);
  const rows = await paginate(
    ctx.db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", other)
      .selectAll("a")
      .select("f.id as cursor_id")
      .where(mine, "=", accountId)
      .where(accountShownSql("a")),
    "f.id",
    page,
  );
  return {
    accounts: rows.map(({ cursor_id: _c, ...a }) => a as Account),
    cursorIds: rows.map((r) => r.cursor_id),
  };
}

/** For each id: accounts the viewer follows that also follow it (Mastodon's familiar followers). */
export async function familiarFollowers(
  ctx: AppContext,
  viewerId: string,
  ids: string[],
): Promise<{ id: string; accounts: Account[] }[]> {
  const want = [...new Set(ids)].slice(0, 40);
  if (want.length === 0) return [];
  const rows = await ctx.db
    .selectFrom("follows as theirs")
    .innerJoin("follows as mine", (j) =>
      j.onRef("mine.target_account_id", "=", "theirs.account_id").on("mine.account_id", "=", viewerId),
    )
    .innerJoin("accounts as a", "a.id", "theirs.account_id")
    .selectAll("a")
    .select("theirs.target_account_id as familiar_of")
    .where("theirs.target_account_id", "in", want)
    .where(accountShownSql("a"))
    .orderBy("theirs.id", "desc")
    .execute();
  // an account others may not see gets no entry, as an unknown id gets none
  const shown = await ctx.db
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", want)
    .where(accountShownSql())
    .execute();
  const known = new Set(shown.map((r) => r.id));
  return want
    .filter((id) => known.has(id))
    .map((id) => ({
      id,
      accounts: rows
        .filter((r) => r.familiar_of === id)
        .slice(0, 10)
        .map(({ familiar_of: _f, ...a }) => a as Account),
    }));
}
