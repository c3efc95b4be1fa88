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
