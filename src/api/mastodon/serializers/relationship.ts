import type { Relationship } from "../../../core/follows/relationships.ts";

/** Mastodon Relationship entity. */
export type MastodonRelationship = Relationship;

export function serializeRelationship(r: Relationship): MastodonRelationship {
  return {
    id: r.id,
    following: r.following,
    showing_reblogs: r.showing_reblogs,
    notifying: r.notifying,
    languages: r.languages,
    followed_by: r.followed_by,
    blocking: r.blocking,
    blocked_by: r.blocked_by,
    muting: r.muting,
    muting_notifications: r.muting_notifications,
    muting_expires_at: r.muting_expires_at,
    requested: r.requested,
    requested_by: r.requested_by,
    domain_blocking: r.domain_blocking,
    endorsed: r.endorsed,
    note: r.note,
  };
}
