import { type AfterCommit, type AppContext, transaction } from "../app.ts";
import type { Db } from "../store/db.ts";
import { type Page, paginate } from "../store/paginate.ts";
import type { Status } from "../store/schema.ts";
import { NotFoundError } from "./errors.ts";
import { channels } from "./events.ts";
import { notBlockedSql, visibleStatusIds } from "./timelines/visible.ts";

/**
 * Direct-message conversations as Mastodon's /api/v1/conversations shows them: one row per local
 * participant, pointing at the newest direct status, unread for recipients until they read it.
 */

/** Records a direct status in each local participant's conversation; safe to run twice. */
export async function recordDirectStatus(
  ctx: AppContext,
  trx: Db,
  after: AfterCommit,
  status: Pick<Status, "id" | "account_id" | "conversation_id">,
): Promise<void> {
  let conversationId = status.conversation_id;
  if (!conversationId) {
    conversationId = ctx.ids();
    await trx
      .insertInto("conversations")
      .values({ id: conversationId, uri: null, created_at: ctx.now().toISOString() })
      .execute();
    await trx
      .updateTable("statuses")
      .set({ conversation_id: conversationId })
      .where("id", "=", status.id)
      .execute();
  }
  const mentioned = await trx
    .selectFrom("mentions")
    .select("account_id")
    .where("status_id", "=", status.id)
    .execute();
  const participants = [...new Set([status.account_id, ...mentioned.map((m) => m.account_id)])];
  const locals = await trx
    .selectFrom("accounts")
    .select("id")
    .where("id", "in", participants)
    .where("domain", "=", "")
    .execute();
  const blockers = new Set(
    (
      await trx
        .selectFrom("blocks")
        .select("account_id")
        .where("target_account_id", "=", status.account_id)
        .where("account_id", "in", participants)
        .execute()
    ).map((r) => r.account_id),
  );
  // a private mention the recipient's policy filtered joins their conversations only once accepted
  const held = new Set(
    (
      await trx
        .selectFrom("notifications")
        .select("account_id")
        .where("status_id", "=", status.id)
        .where("type", "=", "mention")
        .where("filtered", "=", 1)
        .execute()
    ).map((r) => r.account_id),
  );
  const nowIso = ctx.now().toISOString();
  for (const { id: owner } of locals) {
    if (blockers.has(owner) || held.has(owner)) continue;
    const others = participants.filter((p) => p !== owner).sort();
    const unread = owner === status.account_id ? 0 : 1;
    const existing = await trx
      .selectFrom("account_conversations")
      .select(["id", "last_status_id", "unread"])
      .where("account_id", "=", owner)
      .where("conversation_id", "=", conversationId)
      .executeTakeFirst();
    let rowId: string;
    if (existing) {
      if (existing.last_status_id >= status.id) continue; // already recorded (job re-run) or older
      rowId = existing.id;
      await trx
        .updateTable("account_conversations")
        .set({
          participant_ids: JSON.stringify(others),
          last_status_id: status.id,
          unread: unread || existing.unread,
          updated_at: nowIso,
        })
        .where("id", "=", existing.id)
        .execute();
    } else {
      rowId = ctx.ids();
      await trx
        .insertInto("account_conversations")
        .values({
          id: rowId,
          account_id: owner,
          conversation_id: conversationId,
          participant_ids: JSON.stringify(others),
          last_status_id: status.id,
          unread,
          updated_at: nowIso,
        })
        .execute();
    }
    after(() => ctx.events.publish(channels.direct(owner), { event: "conversation", id: rowId }));
  }
}

export interface ConversationRow {
  id: string;
  unread: boolean;
  participantIds: string[];
  lastStatus: Status;
}

/** The viewer's conversations, newest activity first, paged by last status id as Mastodon does. */
export async function listConversations(
  ctx: AppContext,
  viewerId: string,
  page: Page,
): Promise<{ conversations: ConversationRow[]; cursorIds: string[] }> {
  const rows = await paginate(
    ctx.db
      .selectFrom("account_conversations as ac")
      .innerJoin("statuses as s", "s.id", "ac.last_status_id")
      .selectAll("s")
      .select(["ac.id as ac_id", "ac.unread as ac_unread", "ac.participant_ids as ac_participants"])
      .where("ac.account_id", "=", viewerId)
      // visibleStatusIds leaves blocks to its callers; a block either way hides the status (canView)
      .where(notBlockedSql(viewerId, "s.account_id")),
    "ac.last_status_id",
    page,
  );
  const visible = await visibleStatusIds(ctx.db, viewerId, rows);
  return {
    conversations: rows.filter((r) => visible.has(r.id)).map(toConversation),
    cursorIds: rows.map((r) => r.id),
  };
}

function toConversation(
  r: Status & { ac_id: string; ac_unread: number; ac_participants: string },
): ConversationRow {
  const { ac_id, ac_unread, ac_participants, ...status } = r;
  let participantIds: string[] = [];
  try {
    participantIds = (JSON.parse(ac_participants) as unknown[]).map(String);
  } catch {}
  return { id: ac_id, unread: !!ac_unread, participantIds, lastStatus: status as Status };
}

export async function getConversation(
  ctx: AppContext,
  viewerId: string,
  id: string,
): Promise<ConversationRow> {
  const row = await ctx.db
    .selectFrom("account_conversations as ac")
    .innerJoin("statuses as s", "s.id", "ac.last_status_id")
    .selectAll("s")
    .select(["ac.id as ac_id", "ac.unread as ac_unread", "ac.participant_ids as ac_participants"])
    .where("ac.account_id", "=", viewerId)
    .where("ac.id", "=", id)
    .where(notBlockedSql(viewerId, "s.account_id"))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return toConversation(row);
}

/** POST /api/v1/conversations/:id/read, and with `unread` true …/unread (Mastodon 4.5). */
export async function markConversationRead(
  ctx: AppContext,
  viewerId: string,
  id: string,
  unread = false,
): Promise<ConversationRow> {
  await getConversation(ctx, viewerId, id); // 404 for what the viewer may not see
  await transaction(ctx, async (trx) => {
    const res = await trx
      .updateTable("account_conversations")
      .set({ unread: unread ? 1 : 0 })
      .where("account_id", "=", viewerId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError();
  });
  return getConversation(ctx, viewerId, id);
}

export async function removeConversation(ctx: AppContext, viewerId: string, id: string): Promise<void> {
  const res = await ctx.db
    .deleteFrom("account_conversations")
    .where("account_id", "=", viewerId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError();
}
