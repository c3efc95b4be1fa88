/**
 * Reports across servers. Forwarded: a report about a remote account goes to its server as a Flag
 * naming the account and the reported posts, with the comment but never the reporter (Mastodon
 * sends it from its instance actor, and so do we). Received: a Flag from another server about our
 * accounts becomes a report for our moderators, filed by the actor that sent it (their instance
 * actor, usually), one per reported local account; the same Flag twice is one report.
 */
import type { AppContext } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { findAccountByUri } from "./accounts/remote.ts";
import { domainBlockFor } from "./fediverse/instances.ts";

export interface FlagData {
  id: string;
  uri: string;
  comment: string;
  target: Account;
  /** uris of the reported posts (the target's) */
  statusUris: string[];
}

/** A forwarded report as its Flag needs it; null when it is gone or not to be forwarded. */
export async function loadFlagData(ctx: AppContext, reportId: string): Promise<FlagData | null> {
  const report = await ctx.db.selectFrom("reports").selectAll().where("id", "=", reportId).executeTakeFirst();
  if (!report?.forward || !report.uri) return null;
  const target = await ctx.db
    .selectFrom("accounts")
    .selectAll()
    .where("id", "=", report.target_account_id)
    .executeTakeFirst();
  if (!target || target.domain === "") return null;
  const ids = JSON.parse(report.status_ids) as string[];
  const statuses = ids.length
    ? await ctx.db
        .selectFrom("statuses")
        .select("uri")
        .where("id", "in", ids)
        .where("account_id", "=", target.id)
        .execute()
    : [];
  return {
    id: report.id,
    uri: report.uri,
    comment: report.comment,
    target,
    statusUris: statuses.map((s) => s.uri),
  };
}

/** The longest comment kept from another server's Flag (Mastodon's report comment limit). */
const MAX_REMOTE_COMMENT = 1000;
/** Objects one Flag may name (accounts and posts). */
const MAX_FLAG_OBJECTS = 100;

export interface RemoteFlag {
  /** the Flag activity's id */
  uri: string;
  /** what it names: actor and post ids */
  objectUris: string[];
  comment: string;
}

/**
 * Another server's Flag: a report per local account it names (directly or through their posts),
 * with those of its posts that are named. Anything not ours is ignored. Returns the reports made.
 */
export async function receiveRemoteFlag(
  ctx: AppContext,
  sender: Account,
  flag: RemoteFlag,
): Promise<string[]> {
  if (sender.domain === "") return [];
  // a server whose reports we refuse (domain block with reject_reports) files none
  if ((await domainBlockFor(ctx, sender.domain))?.reject_reports) return [];
  const uris = [...new Set(flag.objectUris)].slice(0, MAX_FLAG_OBJECTS);
  const targets = new Map<string, string[]>();
  for (const uri of uris) {
    const parsed = ctx.uris.parse(uri);
    if (parsed?.kind === "actor") {
      const account = await findAccountByUri(ctx, uri);
      if (account?.domain === "" && !targets.has(account.id)) targets.set(account.id, []);
    }
  }
  if (uris.length) {
    const statuses = await ctx.db
      .selectFrom("statuses")
      .select(["id", "account_id"])
      .where("uri", "in", uris)
      .where("local", "=", 1)
      .execute();
    for (const s of statuses) {
      const list = targets.get(s.account_id) ?? [];
      list.push(s.id);
      targets.set(s.account_id, list);
    }
  }
  const made: string[] = [];
  let n = 0;
  for (const [targetId, statusIds] of targets) {
    const id = ctx.ids();
    // one Flag naming two of our accounts: the second report's uri is told apart by a fragment
    const uri = n++ === 0 ? flag.uri : `${flag.uri}#${targetId}`;
    const res = await ctx.db
      .insertInto("reports")
      .values({
        id,
        account_id: sender.id,
        target_account_id: targetId,
        status_ids: JSON.stringify(statusIds),
        rule_ids: "[]",
        comment: [...flag.comment].slice(0, MAX_REMOTE_COMMENT).join(""),
        category: "other",
        forward: 0,
        action_taken_at: null,
        created_at: ctx.now().toISOString(),
        uri,
      })
      .onConflict((oc) => oc.column("uri").doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) made.push(id);
  }
  if (made.length) ctx.logger.info({ reports: made, from: sender.uri }, "remote report received");
  return made;
}
