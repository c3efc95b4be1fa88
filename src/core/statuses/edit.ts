/** Editing a status (Mastodon's UpdateStatusService): history rows, poll changes, 'update' notices. */
import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Poll, Status } from "../../store/schema.ts";
import { ValidationError } from "../errors.ts";
import { createNotification } from "../notifications/create.ts";
import { normalizeLanguage, validateStatusText } from "./create.ts";
import { parseStatusText, storeStatusEntities } from "./entities.ts";
import { getOwnStatus } from "./load.ts";
import { insertPoll, type PollInput, validatePoll } from "./polls.ts";

export interface EditStatusInput {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** undefined keeps the poll, null removes it */
  poll?: PollInput | null;
  mediaIds?: string[];
}

async function snapshot(ctx: AppContext, trx: Db, s: Status, createdAt: string): Promise<void> {
  let pollOptions: string | null = null;
  if (s.poll_id) {
    const poll = await trx
      .selectFrom("polls")
      .select("options")
      .where("id", "=", s.poll_id)
      .executeTakeFirst();
    pollOptions = poll?.options ?? null;
  }
  await trx
    .insertInto("status_edits")
    .values({
      id: ctx.ids(),
      status_id: s.id,
      account_id: s.account_id,
      text: s.text,
      content: s.content,
      spoiler_text: s.spoiler_text,
      sensitive: s.sensitive,
      poll_options: pollOptions,
      created_at: createdAt,
    })
    .execute();
}

function samePoll(poll: Poll, input: PollInput): boolean {
  const options = JSON.parse(poll.options) as string[];
  const next = input.options.map((o) => o.trim());
  return (
    options.length === next.length &&
    options.every((o, i) => o === next[i]) &&
    !!poll.multiple === !!input.multiple
  );
}

export async function editStatus(
  ctx: AppContext,
  author: Account,
  statusId: string,
  input: EditStatusInput,
): Promise<Status> {
  if (input.mediaIds?.length)
    throw new ValidationError("Validation failed: Media attachments are not supported yet");
  if (input.poll) validatePoll(ctx, input.poll);
  const language = input.language === undefined ? undefined : normalizeLanguage(input.language);
  return transaction(ctx, async (trx, after) => {
    const status = await getOwnStatus(ctx, statusId, author.id, trx);
    const text = input.text === undefined ? status.text : input.text.replace(/\r\n?/g, "\n");
    const spoiler = input.spoilerText === undefined ? status.spoiler_text : input.spoilerText.trim();
    const sensitive = (input.sensitive ?? !!status.sensitive) || spoiler !== "" ? 1 : 0;
    const oldPoll = status.poll_id
      ? await trx.selectFrom("polls").selectAll().where("id", "=", status.poll_id).executeTakeFirst()
      : undefined;
    const wantsPoll = input.poll === undefined ? !!oldPoll : input.poll !== null;
    if (text.trim() === "" && !wantsPoll) throw new ValidationError("Validation failed: Text can't be blank");
    const tokenized = validateStatusText(ctx, text, spoiler);

    const pollChanged =
      input.poll === null
        ? !!oldPoll
        : input.poll !== undefined && (!oldPoll || !samePoll(oldPoll, input.poll));
    const pollSettingsChanged =
      !!input.poll && !!oldPoll && !pollChanged && oldPoll.hide_totals !== (input.poll.hideTotals ? 1 : 0);
    const nextLanguage = language === undefined ? status.language : language;
    const unchanged =
      text === status.text &&
      spoiler === status.spoiler_text &&
      sensitive === status.sensitive &&
      nextLanguage === status.language &&
      !pollChanged &&
      !pollSettingsChanged;
    if (unchanged) return status;

    const nowIso = ctx.now().toISOString();
    const first = await trx
      .selectFrom("status_edits")
      .select("id")
      .where("status_id", "=", status.id)
      .executeTakeFirst();
    // Mastodon keeps the original version as the first history entry
    if (!first) await snapshot(ctx, trx, status, status.created_at);

    let pollId = status.poll_id;
    if (pollChanged) {
      if (oldPoll) await trx.deleteFrom("polls").where("id", "=", oldPoll.id).execute(); // votes cascade
      pollId = null;
      if (input.poll) pollId = (await insertPoll(ctx, trx, input.poll, author.id, status.id)).id;
    } else if (pollSettingsChanged && oldPoll && input.poll) {
      await trx
        .updateTable("polls")
        .set({ hide_totals: input.poll.hideTotals ? 1 : 0 })
        .where("id", "=", oldPoll.id)
        .execute();
    }

    const oldMentions = new Set(
      (
        await trx.selectFrom("mentions").select("account_id").where("status_id", "=", status.id).execute()
      ).map((m) => m.account_id),
    );
    const parsed = await parseStatusText(ctx, trx, tokenized);
    const updated: Status = {
      ...status,
      text,
      content: parsed.html,
      spoiler_text: spoiler,
      sensitive,
      language: nextLanguage,
      poll_id: pollId,
      edited_at: nowIso,
      updated_at: nowIso,
    };
    await trx
      .updateTable("statuses")
      .set({
        text,
        content: parsed.html,
        spoiler_text: spoiler,
        sensitive,
        language: nextLanguage,
        poll_id: pollId,
        edited_at: nowIso,
        updated_at: nowIso,
      })
      .where("id", "=", status.id)
      .execute();
    // mentions dropped from the text stay as silent mentions, so who could see the post still can
    const fresh = parsed.mentioned.filter((a) => !oldMentions.has(a.id));
    await storeStatusEntities(ctx, trx, status, { ...parsed, mentioned: fresh });
    await trx
      .deleteFrom("status_tags")
      .where("status_id", "=", status.id)
      .where("tag_id", "not in", (eb) =>
        eb
          .selectFrom("tags")
          .select("id")
          .where("name", "in", ["", ...parsed.tags.keys()]),
      )
      .execute();
    const kept = parsed.mentioned.map((a) => a.id);
    await trx
      .updateTable("mentions")
      .set({ silent: 1 })
      .where("status_id", "=", status.id)
      .where("account_id", "not in", ["", ...kept])
      .execute();
    await trx
      .updateTable("mentions")
      .set({ silent: 0 })
      .where("status_id", "=", status.id)
      .where("account_id", "in", ["", ...kept])
      .execute();
    await snapshot(ctx, trx, updated, nowIso);

    for (const a of fresh) {
      await createNotification(ctx, trx, after, {
        recipientId: a.id,
        fromId: author.id,
        type: "mention",
        statusId: status.id,
      });
    }
    const boosters = await trx
      .selectFrom("statuses")
      .innerJoin("accounts", "accounts.id", "statuses.account_id")
      .select("statuses.account_id")
      .where("statuses.reblog_of_id", "=", status.id)
      .where("accounts.domain", "=", "")
      .execute();
    for (const b of new Set(boosters.map((r) => r.account_id))) {
      await createNotification(ctx, trx, after, {
        recipientId: b,
        fromId: author.id,
        type: "update",
        statusId: status.id,
      });
    }
    // `status.update` stream events (homes, lists, public and hashtag streams) come from this job
    await ctx.queue.enqueue(trx, "status.update_fanout", { statusId: status.id });
    return updated;
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
