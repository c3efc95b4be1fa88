import type { AppContext } from "../app.ts";
import { ValidationError } from "./errors.ts";

export const MARKER_TIMELINES = ["home", "notifications"] as const;
export type MarkerTimeline = (typeof MARKER_TIMELINES)[number];

export interface Marker {
  timeline: MarkerTimeline;
  last_read_id: string;
  version: number;
  updated_at: string;
}

export async function getMarkers(
  ctx: AppContext,
  accountId: string,
  timelines: MarkerTimeline[],
): Promise<Marker[]> {
  if (timelines.length === 0) return [];
  const rows = await ctx.db
    .selectFrom("markers")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("timeline", "in", timelines)
    .execute();
  return rows.map((r) => ({ ...r, timeline: r.timeline as MarkerTimeline }));
}

/** Saves read positions; each save of a timeline bumps its version (Mastodon's lock_version). */
export async function saveMarkers(
  ctx: AppContext,
  accountId: string,
  positions: Partial<Record<MarkerTimeline, string>>,
): Promise<Marker[]> {
  const nowIso = ctx.now().toISOString();
  const saved: Marker[] = [];
  await ctx.db.transaction().execute(async (trx) => {
    for (const timeline of MARKER_TIMELINES) {
      const lastReadId = positions[timeline];
      if (lastReadId === undefined) continue;
      if (!/^\d{1,20}$/.test(lastReadId))
        throw new ValidationError("Validation failed: last_read_id must be an id");
      const row = await trx
        .insertInto("markers")
        .values({ account_id: accountId, timeline, last_read_id: lastReadId, version: 0, updated_at: nowIso })
        .onConflict((oc) =>
          oc.columns(["account_id", "timeline"]).doUpdateSet((eb) => ({
            last_read_id: lastReadId,
            version: eb("markers.version", "+", 1),
            updated_at: nowIso,
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      saved.push({ ...row, timeline });
    }
  });
  return saved;
}
