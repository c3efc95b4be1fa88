import type { Marker } from "../../../core/markers.ts";

export interface MastodonMarker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

/** Markers keyed by timeline name, as GET/POST /api/v1/markers return them. */
export function serializeMarkers(markers: Marker[]): Record<string, MastodonMarker> {
  const out: Record<string, MastodonMarker> = {};
  for (const m of markers)
    out[m.timeline] = { last_read_id: m.last_read_id, version: m.version, updated_at: m.updated_at };
  return out;
}
