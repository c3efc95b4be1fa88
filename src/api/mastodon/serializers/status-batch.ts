/**
 * What the status serialisers share while rendering one bundle: Mastodon's shapes of mentions and
 * tags, and each author rendered once per bundle. No loading here: core/statuses/hydrate.ts loads.
 */
import type { AccountView } from "../../../core/accounts/hydrate.ts";
import type { MentionView } from "../../../core/statuses/hydrate.ts";
import { type MastodonAccount, serializeAccount } from "./account.ts";
import type { RenderContext } from "./context.ts";
import type { MastodonMention, MastodonTag } from "./status.ts";

export function toMastodonMentions(mentions: readonly MentionView[]): MastodonMention[] {
  return mentions.map((m) => ({
    id: m.id,
    username: m.username,
    url: m.url,
    acct: m.domain ? `${m.username}@${m.domain}` : m.username,
  }));
}

export function toMastodonTags(ctx: RenderContext, tags: readonly string[]): MastodonTag[] {
  return tags.map((name) => ({ name, url: ctx.uris.tag(name) }));
}

/** Authors rendered once per bundle (a page often holds several statuses of one author). */
export class RenderedAccounts {
  readonly #ctx: RenderContext;
  readonly #byId = new Map<string, MastodonAccount>();

  constructor(ctx: RenderContext) {
    this.#ctx = ctx;
  }

  get(a: AccountView): MastodonAccount {
    let json = this.#byId.get(a.id);
    if (!json) {
      json = serializeAccount(this.#ctx, a);
      this.#byId.set(a.id, json);
    }
    return json;
  }
}
