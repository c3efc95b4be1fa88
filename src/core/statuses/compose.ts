/**
 * Composing local posts, edits and reblogs: everything decided before the write transaction opens —
 * validation, the author's defaults, the parent of a reply, language, mentions and hashtags (finding
 * a mentioned account will need the network once federation lands, so never inside a transaction),
 * rendering. The result is a StatusDraft or StatusRevision for persist.ts.
 */
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { Account, Status } from "../../store/schema.ts";
import { userSettings } from "../accounts/settings.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { CODE_POINTS_PER_CHAR, codePointsOver, graphemeCount } from "../text/count.ts";
import { countableLength, type TokenizedText, tokenize } from "../text/extract.ts";
import { canView, type Visibility } from "../visibility.ts";
import { mentionKeys, parseStatusText } from "./entities.ts";
import { detectPostLanguage } from "./language.ts";
import { getOwnStatus } from "./load.ts";
import type { StatusDraft, StatusRevision } from "./persist.ts";
import { newPoll, type PollInput, validatePoll } from "./polls.ts";

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
  /** the only accounts the post may mention (Mastodon's `allowed_mentions`); others refuse it */
  allowedMentions?: string[];
}

export interface EditStatusInput {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** undefined keeps the poll, null removes it */
  poll?: PollInput | null;
  mediaIds?: string[];
}

// made on first use: building it maps ICU's language-name data (about 4 MB resident) that an
// idle server never reads
let displayNames: Intl.DisplayNames | undefined;
function languageNames(): Intl.DisplayNames {
  displayNames ??= new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });
  return displayNames;
}

/** ISO 639-1 (or 639-3 where no 2-letter code exists) language tag as Mastodon stores it, or null. */
export function normalizeLanguage(lang: string | null | undefined): string | null {
  if (lang === undefined || lang === null || lang.trim() === "") return null;
  const code = lang.trim().toLowerCase().split(/[-_]/)[0];
  if (!/^[a-z]{2,3}$/.test(code) || languageNames().of(code) === code)
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

export function localStatusUris(ctx: AppContext, username: string, id: string) {
  return {
    uri: ctx.uris.status(username, id),
    url: ctx.uris.post(username, id),
  };
}

/** Client line endings as the text is stored. */
function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** A new local post, checked and rendered; throws ValidationError or NotFoundError (the parent). */
export async function composeStatus(
  ctx: AppContext,
  author: Account,
  input: CreateStatusInput,
): Promise<StatusDraft> {
  const text = normalizeText(input.text ?? "");
  const spoiler = (input.spoilerText ?? "").trim();
  if (text.trim() === "" && !input.poll && !input.mediaIds?.length)
    throw new ValidationError("Validation failed: Text can't be blank");
  if (input.mediaIds?.length && input.poll)
    throw new ValidationError("Validation failed: Cannot attach both media and a poll");
  if (input.mediaIds?.length)
    throw new ValidationError("Validation failed: Media attachments are not supported yet");
  const tokenized = validateStatusText(ctx, text, spoiler);
  if (input.poll) validatePoll(ctx, input.poll);
  const language = normalizeLanguage(input.language) ?? (await detectPostLanguage(text, spoiler));

  if (input.inReplyToId) {
    const parent = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", input.inReplyToId)
      .executeTakeFirst();
    // a reblog cannot be replied to; persist checks again that the parent still exists
    if (!parent || parent.reblog_of_id || !(await canView(ctx, ctx.db, parent, author.id)))
      throw new NotFoundError("The status you are trying to reply to does not appear to exist.");
  }
  const defaults = input.visibility && language ? null : await postingDefaults(ctx.db, author);
  const parsed = await parseStatusText(ctx, ctx.db, tokenized);
  // the id (time-ordered) and time are taken last, so the post is dated as late as possible before it commits
  const id = ctx.ids();
  return {
    id,
    ...localStatusUris(ctx, author.username, id),
    accountId: author.id,
    local: true,
    inReplyToId: input.inReplyToId ?? null,
    text,
    content: parsed.html,
    spoilerText: spoiler,
    sensitive: !!input.sensitive || spoiler !== "",
    visibility: input.visibility ?? defaults?.visibility ?? "public",
    language: language ?? defaults?.language ?? null,
    applicationId: input.applicationId ?? null,
    createdAt: ctx.now().toISOString(),
    mentions: parsed.mentioned.map((a) => a.id),
    tags: parsed.tags,
    poll: input.poll ? newPoll(ctx, input.poll) : null,
    idempotencyKey: input.idempotencyKey?.slice(0, 200) || null,
  };
}

/**
 * The new state of one of the author's statuses, checked and rendered from the status as it is now
 * (what the input leaves out is kept); NotFoundError for anyone else's.
 */
export async function composeEdit(
  ctx: AppContext,
  author: Account,
  statusId: string,
  input: EditStatusInput,
): Promise<StatusRevision> {
  if (input.mediaIds?.length)
    throw new ValidationError("Validation failed: Media attachments are not supported yet");
  if (input.poll) validatePoll(ctx, input.poll);
  const requestedLanguage = input.language === undefined ? undefined : normalizeLanguage(input.language);
  const status = await getOwnStatus(ctx, statusId, author.id);
  const language = requestedLanguage === undefined ? status.language : requestedLanguage;
  const text = input.text === undefined ? status.text : normalizeText(input.text);
  const spoiler = input.spoilerText === undefined ? status.spoiler_text : input.spoilerText.trim();
  const wantsPoll = input.poll === undefined ? !!status.poll_id : input.poll !== null;
  if (text.trim() === "" && !wantsPoll) throw new ValidationError("Validation failed: Text can't be blank");
  const tokenized = validateStatusText(ctx, text, spoiler);
  const parsed = await parseStatusText(ctx, ctx.db, tokenized);
  return {
    text,
    content: parsed.html,
    spoilerText: spoiler,
    sensitive: (input.sensitive ?? !!status.sensitive) || spoiler !== "",
    language,
    poll: input.poll === undefined ? undefined : input.poll && newPoll(ctx, input.poll),
    mentions: parsed.mentioned.map((a) => a.id),
    tags: parsed.tags,
  };
}

/**
 * A reblog of `original` (already checked visible to the account). Others' private and any direct
 * statuses cannot be reblogged; one's own private status can, and the reblog stays private.
 */
export function composeReblog(
  ctx: AppContext,
  account: Account,
  original: Status,
  requested?: Visibility,
): StatusDraft {
  if (
    original.visibility === "direct" ||
    (original.visibility === "private" && original.account_id !== account.id)
  )
    throw new ForbiddenError();
  const visibility: Visibility =
    original.visibility === "private"
      ? "private"
      : requested === "unlisted" || requested === "private"
        ? requested
        : "public";
  const id = ctx.ids();
  const uri = ctx.uris.activity(account.username, id);
  return {
    id,
    uri,
    url: uri,
    accountId: account.id,
    local: true,
    reblogOfId: original.id,
    visibility,
    createdAt: ctx.now().toISOString(),
  };
}
