/**
 * Who hears that statuses are gone: one rule for deleting a status, undoing a reblog, deleting a
 * whole account, and (later) a remote Delete. Read inside the deleting transaction, before the rows
 * go (their home timeline rows and tags cascade with them); published only after commit.
 */
import type { AfterCommit, AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Status } from "../../store/schema.ts";
import { channels, type StreamEvent } from "../events.ts";
import { chunks } from "./audience.ts";
import { deletionChannels } from "./channels.ts";

export type DeletedStatus = Pick<
  Status,
  "id" | "account_id" | "visibility" | "reblog_of_id" | "in_reply_to_account_id" | "local"
>;

interface Deletion {
  status: DeletedStatus;
  /** reblogs of the status, deleted with it */
  reblogIds: string[];
  /** local accounts whose home holds the status or one of its reblogs */
  holders: string[];
  tags: string[];
}

export interface DeletionAudience {
  deletions: Deletion[];
  /** local followers of each author */
  followers: Map<string, string[]>;
}

/**
 * Reads who may have been shown `statuses` (and the reblogs that go with them): the author, the
 * author's local followers (the fan-out's reach), whoever's home holds the status or a reblog of it,
 * and the public and hashtag streams of deletionChannels. A fixed number of queries per 500 statuses.
 */
export async function deletionAudience(db: Db, statuses: DeletedStatus[]): Promise<DeletionAudience> {
  const rootIds = statuses.map((s) => s.id);
  const reblogsOf = new Map<string, string[]>();
  const rootOf = new Map<string, string>(rootIds.map((id) => [id, id]));
  for (const part of chunks(statuses.filter((s) => !s.reblog_of_id).map((s) => s.id))) {
    const rows = await db
      .selectFrom("statuses")
      .select(["id", "reblog_of_id"])
      .where("reblog_of_id", "in", part)
      .orderBy("id")
      .execute();
    for (const r of rows) {
      const root = r.reblog_of_id as string;
      const list = reblogsOf.get(root) ?? [];
      list.push(r.id);
      reblogsOf.set(root, list);
      rootOf.set(r.id, root);
    }
  }
  const holders = new Map<string, Set<string>>();
  for (const part of chunks([...rootOf.keys()])) {
    const rows = await db
      .selectFrom("home_feed")
      .select(["account_id", "status_id"])
      .where("status_id", "in", part)
      .execute();
    for (const r of rows) {
      const root = rootOf.get(r.status_id) as string;
      const set = holders.get(root) ?? new Set<string>();
      set.add(r.account_id);
      holders.set(root, set);
    }
  }
  const tags = new Map<string, string[]>();
  for (const part of chunks(statuses.filter((s) => !s.reblog_of_id).map((s) => s.id))) {
    const rows = await db
      .selectFrom("status_tags")
      .innerJoin("tags", "tags.id", "status_tags.tag_id")
      .select(["status_tags.status_id", "tags.name"])
      .where("status_tags.status_id", "in", part)
      .execute();
    for (const r of rows) {
      const list = tags.get(r.status_id) ?? [];
      list.push(r.name);
      tags.set(r.status_id, list);
    }
  }
  const authors = [...new Set(statuses.map((s) => s.account_id))];
  const followers = new Map<string, string[]>(authors.map((a) => [a, []]));
  for (const part of chunks(authors)) {
    const rows = await db
      .selectFrom("follows as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .select(["f.account_id", "f.target_account_id"])
      .where("f.target_account_id", "in", part)
      .where("a.domain", "=", "")
      .execute();
    for (const r of rows) followers.get(r.target_account_id)?.push(r.account_id);
  }
  return {
    deletions: statuses.map((status) => ({
      status,
      reblogIds: reblogsOf.get(status.id) ?? [],
      holders: [...(holders.get(status.id) ?? [])],
      tags: tags.get(status.id) ?? [],
    })),
    followers,
  };
}

/**
 * After commit, publishes `delete` for each status to its author, the author's local followers and
 * its holders; for each reblog that went with it, to the holders; and on its deletionChannels.
 */
export function announceDeletion(ctx: AppContext, after: AfterCommit, audience: DeletionAudience): void {
  if (audience.deletions.length === 0) return;
  after(() => {
    const publish = (channel: string, id: string) => {
      const event: StreamEvent = { event: "delete", id };
      ctx.events.publish(channel, event);
    };
    const reachedBy = new Map<string, Set<string>>();
    for (const [author, followers] of audience.followers)
      reachedBy.set(author, new Set([author, ...followers]));
    for (const { status, reblogIds, holders, tags } of audience.deletions) {
      const reached = reachedBy.get(status.account_id) ?? new Set([status.account_id]);
      for (const owner of reached) publish(channels.user(owner), status.id);
      for (const owner of holders) {
        if (!reached.has(owner)) publish(channels.user(owner), status.id);
        for (const id of reblogIds) publish(channels.user(owner), id);
      }
      const { everyId, statusOnly } = deletionChannels(status, tags);
      for (const channel of everyId) for (const id of [status.id, ...reblogIds]) publish(channel, id);
      for (const channel of statusOnly) publish(channel, status.id);
    }
  });
}
