/**
 * Reports (POST /api/v1/reports): stored for moderators with the reported statuses. The admin side
 * (listing, resolving, notifying moderators) arrives with the moderation tools.
 */
import type { AppContext } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { getAccount } from "./accounts/lookup.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
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
  const row = {
    id: ctx.ids(),
    account_id: reporterId,
    target_account_id: target.id,
    status_ids: JSON.stringify(statusIds),
    rule_ids: "[]",
    comment: input.comment,
    category,
    // nothing to forward to until federation arrives; the wish is recorded
    forward: input.forward && target.domain !== "" ? 1 : 0,
    action_taken_at: null,
    created_at: ctx.now().toISOString(),
  };
  await ctx.db.insertInto("reports").values(row).execute();
  ctx.logger.info({ reportId: row.id, targetAccountId: target.id }, "report filed");
  return {
    id: row.id,
    category,
    comment: row.comment,
    forwarded: false,
    statusIds,
    ruleIds: [],
    createdAt: row.created_at,
    actionTakenAt: null,
    target,
  };
}
