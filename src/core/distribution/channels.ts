/**
 * The public and hashtag stream channels that hear of a status, for its creation, its edits and its
 * deletion alike, local or remote. Pure: callers load the status's tag names. (User, list and
 * direct channels follow who holds the status, see fanout.ts and deletion.ts.)
 */
import type { Status } from "../../store/schema.ts";
import { channels } from "../events.ts";

export type AnnouncedStatus = Pick<
  Status,
  "account_id" | "visibility" | "reblog_of_id" | "in_reply_to_account_id" | "local"
>;

/** Whether a new or edited status is announced beyond home and list timelines at all. */
export function isAnnounced(status: AnnouncedStatus): boolean {
  return status.visibility === "public" && !status.reblog_of_id;
}

/**
 * Where a new or edited status is announced (`update`, `status.update`): public originals only, on
 * their hashtags' channels and, unless they reply to someone else (Mastodon keeps those off), on
 * the public stream. The `:local` variants carry only this server's posts.
 */
export function announcementChannels(status: AnnouncedStatus, tags: readonly string[]): string[] {
  if (!isAnnounced(status)) return [];
  const out: string[] = [];
  for (const name of tags) {
    out.push(channels.hashtag(name));
    if (status.local) out.push(channels.hashtagLocal(name));
  }
  const replyToOther = !!status.in_reply_to_account_id && status.in_reply_to_account_id !== status.account_id;
  if (!replyToOther) {
    out.push(channels.public);
    if (status.local) out.push(channels.publicLocal);
  }
  return out;
}

export interface DeletionChannels {
  /** hear the deletion of the status and of every reblog that goes with it */
  everyId: string[];
  /** hear the deletion of the status itself */
  statusOnly: string[];
}

/**
 * Where a deletion is announced beyond home timelines: a public status (or a reblog that is not
 * followers-only, as Mastodon announces reblog removals) on the public streams, with its reblogs;
 * an original on its hashtags' channels. Wider than announcementChannels on purpose: a client that
 * missed nothing loses nothing, and one that loaded the status some other way drops it.
 */
export function deletionChannels(status: AnnouncedStatus, tags: readonly string[]): DeletionChannels {
  const shown = status.visibility === "public" || (!!status.reblog_of_id && status.visibility !== "private");
  if (!shown) return { everyId: [], statusOnly: [] };
  const everyId = [channels.public, ...(status.local ? [channels.publicLocal] : [])];
  const statusOnly: string[] = [];
  for (const name of status.reblog_of_id ? [] : tags) {
    statusOnly.push(channels.hashtag(name));
    if (status.local) statusOnly.push(channels.hashtagLocal(name));
  }
  return { everyId, statusOnly };
}
