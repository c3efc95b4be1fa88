import type { Status } from "../../store/schema.ts";

/**
 * The status columns the serialiser reads: list queries select these rather than `*`, which would
 * also copy each status's source text (`text`, as long as the HTML) into JavaScript.
 */
export const STATUS_VIEW_COLUMNS = [
  "id",
  "uri",
  "url",
  "account_id",
  "in_reply_to_id",
  "in_reply_to_account_id",
  "reblog_of_id",
  "conversation_id",
  "content",
  "spoiler_text",
  "sensitive",
  "visibility",
  "language",
  "application_id",
  "poll_id",
  "replies_count",
  "reblogs_count",
  "favourites_count",
  "created_at",
  "edited_at",
] as const satisfies readonly (keyof Status)[];

export type StatusView = Pick<Status, (typeof STATUS_VIEW_COLUMNS)[number]>;

/**
 * The columns that can change without an edit (counters) or that the serialiser needs around the
 * cached parts of a status: a page read with only these skips the content when the rendered parts
 * for (id, edited_at) are cached.
 */
export const STATUS_KEY_COLUMNS = [
  "id",
  "account_id",
  "reblog_of_id",
  "conversation_id",
  "visibility",
  "application_id",
  "poll_id",
  "replies_count",
  "reblogs_count",
  "favourites_count",
  "edited_at",
] as const satisfies readonly (keyof StatusView)[];

export type StatusKey = Pick<Status, (typeof STATUS_KEY_COLUMNS)[number]>;
