import type { AccountView } from "../../../core/accounts/hydrate.ts";
import type { StatusEditRow } from "../../../core/statuses/edit.ts";
import { type MastodonAccount, serializeAccount } from "./account.ts";
import type { RenderContext } from "./context.ts";

export interface MastodonStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: MastodonAccount;
  poll: { options: { title: string }[] } | null;
  media_attachments: unknown[];
  emojis: unknown[];
}

/** Mastodon's StatusEdit entities (history of a status, oldest first). */
export function serializeStatusEdits(
  ctx: RenderContext,
  edits: StatusEditRow[],
  author: AccountView,
): MastodonStatusEdit[] {
  return edits.map((e) => {
    let options: string[] | null = null;
    try {
      options = e.poll_options ? (JSON.parse(e.poll_options) as string[]) : null;
    } catch {
      options = null;
    }
    return {
      content: e.content,
      spoiler_text: e.spoiler_text,
      sensitive: !!e.sensitive,
      created_at: e.created_at,
      account: serializeAccount(ctx, author),
      poll: options ? { options: options.map((title) => ({ title })) } : null,
      media_attachments: [],
      emojis: [],
    };
  });
}
