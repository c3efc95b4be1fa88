/**
 * Reports (POST /api/v1/reports): stored for moderators with the reported statuses; one about a
 * remote account can be forwarded to its server (a Flag), and other servers' Flags about our
 * accounts become reports here (core/reports-remote.ts). The admin side (resolving, notifying
 * moderators) arrives with the moderation tools; `listReports` is what it reads.
 */
import { type AppContext, transaction } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { getAccount } from "./accounts/lookup.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { federate } from "./fediverse/outbound.ts";
import { visibleTo } from "./visibility.ts";

export const REPORT_CATEGORIES = ["spam", "legal", "violation", "other"] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export interface ReportInput {
  targetAccountId: string;
  statusIds: string[];
  comment: string;
  category?: ReportCategory;
  ruleIds: string[];
  forward: boolean;
}

export interface ReportView {
  id: string;
  category: ReportCategory;
  comment: string;
  forwarded: boolean;
  statusIds: string[];
  ruleIds: string[];
  createdAt: string;
  actionTakenAt: string | null;
  target: Account;
}

export async function createReport(
  ctx: AppContext,
  reporterId: string,
  input: ReportInput,
): Promise<ReportView> {
  const target = await getAccount(ctx, input.targetAccountId);
  if (target.id === reporterId) throw new ValidationError("Validation failed: You cannot report yourself");
  const statusIds = [...new Set(input.statusIds)];
  if (statusIds.length) {
    const found = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("id", "in", statusIds)
      .where("account_id", "=", target.id)
      .where(visibleTo(reporterId))
      .execute();
    // Mastodon looks the statuses up among the target's the reporter can see and answers 404 for any
    // other (so a report cannot probe whether an invisible status exists)
    if (found.length !== statusIds.length) throw new NotFoundError();
  }
  // Mastodon has no rules yet here (GET /api/v1/instance/rules is empty), so rule ids cannot match
  if (input.ruleIds.length) throw new ValidationError("Validation failed: Rule ids are not valid rules");
  const category: ReportCategory = input.category ?? "other";
  if (category === "violation") throw new ValidationError("Validation failed: Rules can't be blank");
  const id = ctx.ids();
  // a report about a remote account may be forwarded to its server (a Flag from our instance actor)
  const forwarded = input.forward && target.domain !== "" && ctx.config.federation;
  const row = {
    id,
    account_id: reporterId,
    target_account_id: target.id,
    status_ids: JSON.stringify(statusIds),
    rule_ids: "[]",
    comment: input.comment,
    category,
    forward: forwarded ? 1 : 0,
    action_taken_at: null,
    created_at: ctx.now().toISOString(),
    uri: forwarded ? ctx.uris.report(id) : null,
  };
  await transaction(ctx, async (trx) => {
    await trx.insertInto("reports").values(row).execute();
    if (forwarded) await federate(ctx, trx, { type: "flag", accountId: reporterId, reportId: id });
  });
  ctx.logger.info({ reportId: row.id, targetAccountId: target.id, forwarded }, "report filed");
  return {
    id: row.id,
    category,
    comment: row.comment,
    forwarded,
    statusIds,
    ruleIds: [],
    createdAt: row.created_at,
    actionTakenAt: null,
    target,
  };
}

export interface ReportRow {
  id: string;
  reporter: Account;
  target: Account;
  statusIds: string[];
  comment: string;
  category: ReportCategory;
  forwarded: boolean;
  /** the Flag's id (forwarded or received), null for a local report kept here */
  uri: string | null;
  createdAt: string;
}

/** Open reports, newest first, for the instance's moderators. */
export async function listReports(ctx: AppContext, opts: { limit?: number } = {}): Promise<ReportRow[]> {
  const rows = await ctx.db
    .selectFrom("reports")
    .selectAll()
    .where("action_taken_at", "is", null)
    .orderBy("id", "desc")
    .limit(Math.min(opts.limit ?? 40, 200))
    .execute();
  const ids = [...new Set(rows.flatMap((r) => [r.account_id, r.target_account_id]))];
  const accounts = ids.length
    ? await ctx.db.selectFrom("accounts").selectAll().where("id", "in", ids).execute()
    : [];
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const out: ReportRow[] = [];
  for (const r of rows) {
    const reporter = byId.get(r.account_id);
    const target = byId.get(r.target_account_id);
    if (!reporter || !target) continue;
    out.push({
      id: r.id,
      reporter,
      target,
      statusIds: JSON.parse(r.status_ids) as string[],
      comment: r.comment,
      category: r.category,
      forwarded: !!r.forward,
      uri: r.uri,
      createdAt: r.created_at,
    });
  }
  return out;
}
