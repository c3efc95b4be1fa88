/** Mastodon's ScheduledStatus entity (pure: renders what core returns). */
import type { ScheduledStatusView } from "../../../core/statuses/scheduled.ts";

export function toMastodonScheduledStatus(s: ScheduledStatusView) {
  const p = s.params;
  return {
    id: s.id,
    scheduled_at: new Date(s.scheduledAt).toISOString(),
    // the parameters as sent; those Mastodon fixes for the scheduled post are null or false there too
    params: {
      text: p.text,
      poll: p.poll,
      media_ids: p.media_ids,
      sensitive: p.sensitive,
      spoiler_text: p.spoiler_text,
      visibility: p.visibility,
      language: p.language,
      in_reply_to_id: p.in_reply_to_id,
      scheduled_at: null,
      idempotency: null,
      with_rate_limit: false,
      quoted_status_id: null,
    },
    // media uploads arrive with the media issue; until then no scheduled status holds any
    media_attachments: [],
  };
}
