/** Posting a status: validation, rendering, and every row it touches in one transaction. */
import { type AppContext, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { userSettings } from "../accounts/settings.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { createNotification } from "../notifications/create.ts";
import { CODE_POINTS_PER_CHAR, codePointsOver, graphemeCount } from "../text/count.ts";
import { countableLength, type TokenizedText, tokenize } from "../text/extract.ts";
import { addToHomeFeed } from "../timelines/feed.ts";
import { canView, type Visibility } from "../visibility.ts";
import { mentionKeys, parseStatusText, storeStatusEntities } from "./entities.ts";
import { detectPostLanguage } from "./language.ts";
import { insertPoll, type PollInput, validatePoll } from "./polls.ts";

export interface CreateStatusInput {
  text?: string;
  inReplyToId?: string | null;
  spoilerText?: string;
  sensitive?: boolean;
  visibility?: Visibility;
  language?: string | null;
  poll?: PollInput | null;
  mediaIds?: string[];
  idempotencyKey?: string | null;
  applicationId?: string | null;
}

const IDEMPOTENCY_WINDOW_MS = 3600_000;
const displayNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });

/** ISO 639-1 (or 639-3 where no 2-letter code exists) language tag as Mastodon stores it, or null. */
export function normalizeLanguage(lang: string | null | undefined): string | null {
  if (lang === undefined || lang === null || lang.trim() === "") return null;
  const code = lang.trim().toLowerCase().split(/[-_]/)[0];
  if (!/^[a-z]{2,3}$/.test(code) || displayNames.of(code) === code)
    throw new ValidationError("Validation failed: Language is not a valid language code");
  return code;
}

/** Code points a post (text and spoiler together) may hold, however few characters it counts. */
export function maxStatusCodePoints(ctx: AppContext): number {
  return Math.max(CODE_POINTS_PER_CHAR * ctx.config.maxStatusChars, 10_000);
}

/**
 * Checks a post's text and tokenises it (the only time it is scanned): first the hard cap in code
 * points, before any costly work; then the length as Mastodon counts it (spoiler graphemes plus the
 * text with links as 23); then how many distinct accounts it names.
 */
export function validateStatusText(ctx: AppContext, text: string, spoiler: string): TokenizedText {
  const maxCodePoints = maxStatusCodePoints(ctx);
  if (codePointsOver(spoiler + text, maxCodePoints)) {
    throw new ValidationError(
      `Validation failed: Text is too long (maximum is ${maxCodePoints} code points, links and combining marks included)`,
    );
  }
  const tokenized = tokenize(text);
  if (graphemeCount(spoiler) + countableLength(tokenized) > ctx.config.maxStatusChars) {
    throw new ValidationError(
      `Validation failed: Text character limit of ${ctx.config.maxStatusChars} exceeded`,
    );
  }
  if (mentionKeys(ctx, tokenized).size > ctx.config.maxMentions) {
    throw new ValidationError(
      `Validation failed: Text mentions too many accounts (maximum is ${ctx.config.maxMentions})`,
    );
  }
  return tokenized;
}

/**
 * The author's posting defaults, as Mastodon: the chosen default visibility (else private for a
 * locked account, public otherwise) and default language (used when none is given or detected).
 */
async function postingDefaults(
  db: Db,
  author: Account,
): Promise<{ visibility: Visibility; language: string | null }> {
  const user = await db
    .selectFrom("users")
    .select("settings")
    .where("account_id", "=", author.id)
    .executeTakeFirst();
  const s = userSettings(user ?? { settings: "{}" }, author);
  let language: string | null = null;
  try {
    if (s.default_language) language = normalizeLanguage(s.default_language);
  } catch {
    // a stored language that is no longer valid falls back to detection
  }
  return { visibility: s.default_privacy, language };
}

async function findIdempotent(ctx: AppContext, accountId: string, key: string): Promise<Status | null> {
  const since = new Date(ctx.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
  const row = await ctx.db
    .selectFrom("idempotency_keys")
    .innerJoin("statuses", "statuses.id", "idempotency_keys.status_id")
    .selectAll("statuses")
    .where("idempotency_keys.account_id", "=", accountId)
    .where("idempotency_keys.key", "=", key)
    .where("idempotency_keys.created_at", ">", since)
    .executeTakeFirst();
  return row ?? null;
}

export function localStatusUris(ctx: AppContext, username: string, id: string) {
  return {
    uri: ctx.uris.status(username, id),
    url: ctx.uris.post(username, id),
  };
}

export async function createStatus(
  ctx: AppContext,
  author: Account,
  input: CreateStatusInput,
): Promise<Status> {
  const text = (input.text ?? "").replace(/\r\n?/g, "\n");
  const spoiler = (input.spoilerText ?? "").trim();
  const key = input.idempotencyKey?.slice(0, 200) || null;
  if (key) {
    const existing = await findIdempotent(ctx, author.id, key);
    if (existing) return existing;
  }
  if (text.trim() === "" && !input.poll && !input.mediaIds?.length)
    throw new ValidationError("Validation failed: Text can't be blank");
  if (input.mediaIds?.length && input.poll)
    throw new ValidationError("Validation failed: Cannot attach both media and a poll");
  if (input.mediaIds?.length)
    throw new ValidationError("Validation failed: Media attachments are not supported yet");
  const tokenized = validateStatusText(ctx, text, spoiler);
  if (input.poll) validatePoll(ctx, input.poll);
  const language = normalizeLanguage(input.language) ?? (await detectPostLanguage(text, spoiler));

  try {
    return await transaction(ctx, async (trx, after) => {
      let parent: Status | undefined;
      if (input.inReplyToId) {
        parent = await trx
          .selectFrom("statuses")
          .selectAll()
          .where("id", "=", input.inReplyToId)
          .executeTakeFirst();
        if (parent?.reblog_of_id) parent = undefined;
        if (!parent || !(await canView(ctx, trx, parent, author.id))) {
          throw new NotFoundError("The status you are trying to reply to does not appear to exist.");
        }
      }
      const defaults = input.visibility && language ? null : await postingDefaults(trx, author);
      const visibility = input.visibility ?? defaults?.visibility ?? "public";
      const parsed = await parseStatusText(ctx, trx, tokenized);
      const nowIso = ctx.now().toISOString();
      const id = ctx.ids();
      let conversationId = parent?.conversation_id ?? null;
      if (!conversationId) {
        conversationId = ctx.ids();
        await trx
          .insertInto("conversations")
          .values({ id: conversationId, uri: null, created_at: nowIso })
          .execute();
      }
      const status: Status = {
        id,
        ...localStatusUris(ctx, author.username, id),
        account_id: author.id,
        local: 1,
        in_reply_to_id: parent?.id ?? null,
        in_reply_to_account_id: parent?.account_id ?? null,
        reblog_of_id: null,
        conversation_id: conversationId,
        text,
        content: parsed.html,
        spoiler_text: spoiler,
        sensitive: input.sensitive || spoiler !== "" ? 1 : 0,
        visibility,
        language: language ?? defaults?.language ?? null,
        application_id: input.applicationId ?? null,
        poll_id: null,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        created_at: nowIso,
        edited_at: null,
        updated_at: nowIso,
      };
      if (input.poll) status.poll_id = ctx.ids();
      await trx.insertInto("statuses").values(status).execute();
      if (input.poll && status.poll_id) await insertPoll(ctx, trx, input.poll, author.id, id, status.poll_id);
      await storeStatusEntities(ctx, trx, status, parsed);
      if (key) {
        const stale = new Date(ctx.now().getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
        await trx
          .deleteFrom("idempotency_keys")
          .where("account_id", "=", author.id)
          .where("key", "=", key)
          .where("created_at", "<=", stale)
          .execute();
        await trx
          .insertInto("idempotency_keys")
          .values({ account_id: author.id, key, status_id: id, created_at: nowIso })
          .execute();
      }
      await trx
        .updateTable("accounts")
        .set((eb) => ({
          statuses_count: visibility === "direct" ? eb.ref("statuses_count") : eb("statuses_count", "+", 1),
          last_status_at: nowIso,
        }))
        .where("id", "=", author.id)
        .execute();
      // Mastodon counts only public and unlisted replies
      if (parent && (visibility === "public" || visibility === "unlisted")) {
        await trx
          .updateTable("statuses")
          .set((eb) => ({ replies_count: eb("replies_count", "+", 1) }))
          .where("id", "=", parent.id)
          .execute();
      }
      await addToHomeFeed(trx, author.id, status);
      const muted = new Set(
        parent?.conversation_id && parsed.mentioned.length
          ? (
              await trx
                .selectFrom("conversation_mutes")
                .select("account_id")
                .where("conversation_id", "=", parent.conversation_id)
                .execute()
            ).map((r) => r.account_id)
          : [],
      );
      for (const account of parsed.mentioned) {
        if (muted.has(account.id)) continue;
        await createNotification(ctx, trx, after, {
          recipientId: account.id,
          fromId: author.id,
          type: "mention",
          statusId: id,
        });
      }
      await ctx.queue.enqueue(trx, "status.fanout", { statusId: id });
      return status;
    });
  } catch (err) {
    // the same Idempotency-Key sent twice at once: the primary key decides, the loser gets the winner's status
    if (key && /unique|duplicate/i.test(String((err as Error)?.message))) {
      const existing = await findIdempotent(ctx, author.id, key);
      if (existing) return existing;
    }
    throw err;
  }
}
