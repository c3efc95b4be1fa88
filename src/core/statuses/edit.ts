/** Editing a status (Mastodon's UpdateStatusService): compose the revision, then persist and distribute it. */
import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { distributeStatusUpdate } from "../distribution/distribute.ts";
import { composeEdit, type EditStatusInput } from "./compose.ts";
import { getOwnStatus } from "./load.ts";
import { persistStatusEdit } from "./persist.ts";

export type { EditStatusInput } from "./compose.ts";

export async function editStatus(
  ctx: AppContext,
  author: Account,
  statusId: string,
  input: EditStatusInput,
): Promise<Status> {
  const revision = await composeEdit(ctx, author, statusId, input);
  return transaction(ctx, async (trx, after) => {
    const status = await getOwnStatus(ctx, statusId, author.id, trx);
    const edit = await persistStatusEdit(ctx, trx, status, revision);
    if (!edit) return status;
    await distributeStatusUpdate(ctx, trx, after, edit.status, edit.newlyMentioned);
    return edit.status;
  });
}

export interface StatusEditRow {
  id: string;
  account_id: string;
  text: string;
  content: string;
  spoiler_text: string;
  sensitive: number;
  poll_options: string | null;
  created_at: string;
}

/** The versions of a status, oldest first; a never-edited status has its current version only. */
export async function statusHistory(ctx: AppContext, status: Status): Promise<StatusEditRow[]> {
  const edits = await ctx.db
    .selectFrom("status_edits")
    .selectAll()
    .where("status_id", "=", status.id)
    .orderBy("id")
    .execute();
  if (edits.length > 0) return edits;
  let pollOptions: string | null = null;
  if (status.poll_id) {
    const p = await ctx.db
      .selectFrom("polls")
      .select("options")
      .where("id", "=", status.poll_id)
      .executeTakeFirst();
    pollOptions = p?.options ?? null;
  }
  return [
    {
      id: status.id,
      account_id: status.account_id,
      text: status.text,
      content: status.content,
      spoiler_text: status.spoiler_text,
      sensitive: status.sensitive,
      poll_options: pollOptions,
      created_at: status.edited_at ?? status.created_at,
    },
  ];
}
