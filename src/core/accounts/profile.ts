import type { AppContext } from "../../app.ts";
import { transaction } from "../../app.ts";
import type { Account, AccountUpdate, User } from "../../store/schema.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { federate } from "../fediverse/outbound.ts";
import { CODE_POINTS_PER_CHAR, codePointsOver } from "../text/count.ts";
import { countableLength } from "../text/extract.ts";
import { linkifyText, renderNote } from "./note.ts";
import { mergeSettings, type UserSettings } from "./settings.ts";

/**
 * Mastodon's profile limits, counted as Mastodon counts them: the display name and each field name
 * and value in code points (Ruby's `String#length`), the bio in grapheme clusters with links as 23
 * and mentions without their domain (`NoteLengthValidator`). The display name rides along with every
 * post and notification the account appears in, so a count a reader sees as "30" must not hide
 * 150,000 combining marks.
 */
export const LIMITS = {
  displayName: 30,
  note: 500,
  fields: 4,
  fieldName: 255,
  fieldValue: 255,
  /** avatar and header descriptions (Mastodon 4.6), in code points */
  imageDescription: 150,
} as const;
/** the bio counts graphemes, so it also has a hard cap in code points */
export const NOTE_MAX_CODE_POINTS = CODE_POINTS_PER_CHAR * LIMITS.note;

export interface ProfileField {
  name: string;
  value: string;
}

export interface ProfileUpdate {
  displayName?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  fields?: ProfileField[];
  /** Mastodon 4.6 profile settings (PATCH /api/v1/profile) */
  avatarDescription?: string;
  headerDescription?: string;
  showMedia?: boolean;
  showMediaReplies?: boolean;
  showFeatured?: boolean;
  source?: Partial<Pick<UserSettings, "default_privacy" | "default_sensitive" | "default_language">>;
}

/** Stored field: `value` is rendered HTML (as the API shows it), `raw` the text the user typed. */
interface StoredField {
  name: string;
  value: string;
  verified_at: string | null;
  raw: string;
}

/** The fields as the user typed them (CredentialAccount.source.fields). */
export function sourceFields(
  account: Pick<Account, "fields">,
): { name: string; value: string; verified_at: string | null }[] {
  try {
    const list = JSON.parse(account.fields) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((f): f is Record<string, unknown> => !!f && typeof f === "object")
      .map((f) => ({
        name: String(f.name ?? ""),
        value: String(f.raw ?? f.value ?? ""),
        verified_at: typeof f.verified_at === "string" ? f.verified_at : null,
      }));
  } catch {
    return [];
  }
}

function tooLong(what: string, max: number): ValidationError {
  return new ValidationError(`Validation failed: ${what} is too long (maximum is ${max} characters)`);
}

function renderFields(fields: ProfileField[]): string {
  const kept = fields
    .map((f) => ({ name: f.name.trim(), value: f.value.trim() }))
    .filter((f) => f.name !== "" || f.value !== "");
  if (kept.length > LIMITS.fields) {
    throw new ValidationError(`Validation failed: Fields is too long (maximum is ${LIMITS.fields} fields)`);
  }
  const stored: StoredField[] = kept.map((f) => {
    if (codePointsOver(f.name, LIMITS.fieldName)) throw tooLong("Field name", LIMITS.fieldName);
    if (codePointsOver(f.value, LIMITS.fieldValue)) throw tooLong("Field value", LIMITS.fieldValue);
    return { name: f.name, value: linkifyText(f.value), verified_at: null, raw: f.value };
  });
  return JSON.stringify(stored);
}

/** PATCH update_credentials: validates, renders note and fields, updates account and user together. */
export async function updateProfile(
  ctx: AppContext,
  accountId: string,
  input: ProfileUpdate,
): Promise<{ account: Account; user: User }> {
  const patch: AccountUpdate = {};
  if (input.displayName !== undefined) {
    const name = input.displayName.replace(/[\r\n]+/g, " ").trim();
    if (codePointsOver(name, LIMITS.displayName)) throw tooLong("Display name", LIMITS.displayName);
    patch.display_name = name;
  }
  if (input.note !== undefined) {
    if (codePointsOver(input.note, NOTE_MAX_CODE_POINTS)) {
      throw new ValidationError(
        `Validation failed: Note is too long (maximum is ${NOTE_MAX_CODE_POINTS} code points, links and combining marks included)`,
      );
    }
    if (countableLength(input.note.trim()) > LIMITS.note) throw tooLong("Note", LIMITS.note);
    patch.note_source = input.note;
    patch.note = renderNote(input.note);
  }
  if (input.locked !== undefined) patch.locked = input.locked ? 1 : 0;
  if (input.bot !== undefined) patch.bot = input.bot ? 1 : 0;
  if (input.discoverable !== undefined) patch.discoverable = input.discoverable ? 1 : 0;
  if (input.indexable !== undefined) patch.indexable = input.indexable ? 1 : 0;
  if (input.fields !== undefined) patch.fields = renderFields(input.fields);
  for (const [key, value, what] of [
    ["avatar_description", input.avatarDescription, "Avatar description"],
    ["header_description", input.headerDescription, "Header description"],
  ] as const) {
    if (value === undefined) continue;
    if (codePointsOver(value, LIMITS.imageDescription)) throw tooLong(what, LIMITS.imageDescription);
    patch[key] = value.trim();
  }
  if (input.showMedia !== undefined) patch.show_media = input.showMedia ? 1 : 0;
  if (input.showMediaReplies !== undefined) patch.show_media_replies = input.showMediaReplies ? 1 : 0;
  if (input.showFeatured !== undefined) patch.show_featured = input.showFeatured ? 1 : 0;
  const lang = input.source?.default_language;
  if (lang !== undefined && lang !== null && lang !== "" && !/^[a-z]{2,3}$/.test(lang)) {
    throw new ValidationError("Validation failed: Language is not a valid ISO 639 code");
  }

  return transaction(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .selectAll()
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError();
    if (Object.keys(patch).length > 0) {
      patch.updated_at = ctx.now().toISOString();
      await trx.updateTable("accounts").set(patch).where("id", "=", accountId).execute();
      await federate(ctx, trx, { type: "profile.update", accountId });
    }
    if (input.source && Object.values(input.source).some((v) => v !== undefined)) {
      const source = { ...input.source };
      if (source.default_language === "") source.default_language = null;
      user.settings = mergeSettings(user, source);
      await trx.updateTable("users").set({ settings: user.settings }).where("id", "=", user.id).execute();
    }
    const account = await trx
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    return { account, user };
  });
}

/**
 * DELETE /api/v1/profile/avatar|header: back to the default image (no URL of its own), and its
 * description with it, as Mastodon does.
 */
export async function removeProfileImage(
  ctx: AppContext,
  accountId: string,
  kind: "avatar" | "header",
): Promise<{ account: Account; user: User }> {
  const patch: AccountUpdate =
    kind === "avatar"
      ? { avatar_url: null, avatar_description: "" }
      : { header_url: null, header_description: "" };
  patch.updated_at = ctx.now().toISOString();
  return transaction(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .selectAll()
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError();
    const before = await trx
      .selectFrom("accounts")
      .select(["avatar_url", "header_url", "avatar_description", "header_description"])
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    const set =
      kind === "avatar"
        ? before.avatar_url || before.avatar_description
        : before.header_url || before.header_description;
    // removing what is not there changes nothing, and tells no other server
    if (set) {
      await trx.updateTable("accounts").set(patch).where("id", "=", accountId).execute();
      await federate(ctx, trx, { type: "profile.update", accountId });
    }
    const account = await trx
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    return { account, user };
  });
}
