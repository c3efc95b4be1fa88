/** POST /api/v1/reports: a report stored for the moderators. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { createReport, REPORT_CATEGORIES } from "../../core/reports.ts";
import { appOf, type HonoEnv, requireUser } from "../context.ts";
import { allParams, validate, zBool, zId, zList } from "../params.ts";
import { serializeAccount } from "./serializers/account.ts";

const ReportBody = z.object({
  account_id: zId,
  status_ids: zList(zId).refine((l) => !l || l.length <= 100, "too many statuses"),
  comment: z.string().max(1000, "comment is too long (maximum is 1000 characters)").optional(),
  category: z.enum(REPORT_CATEGORIES).optional(),
  rule_ids: zList(z.union([z.string().max(20), z.number()])),
  forward: zBool.optional(),
  forward_to_domains: zList(z.string().max(300)),
});

export function reportsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.post("/api/v1/reports", async (c) => {
    const v = requireUser(c, "write:reports");
    const p = validate(ReportBody, await allParams(c));
    const ctx = appOf(c);
    const r = await createReport(ctx, v.account.id, {
      targetAccountId: p.account_id,
      statusIds: p.status_ids ?? [],
      comment: p.comment ?? "",
      category: p.category,
      ruleIds: (p.rule_ids ?? []).map(String),
      forward: p.forward ?? false,
    });
    return c.json({
      id: r.id,
      action_taken: r.actionTakenAt !== null,
      action_taken_at: r.actionTakenAt,
      category: r.category,
      comment: r.comment,
      forwarded: r.forwarded,
      created_at: r.createdAt,
      status_ids: r.statusIds.length ? r.statusIds : null,
      rule_ids: r.ruleIds.length ? r.ruleIds : null,
      target_account: serializeAccount(ctx, r.target),
    });
  });

  return app;
}
