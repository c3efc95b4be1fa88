/**
 * A remote post (Note, Article, Page, Question) into our store: converted (origin rule, caps,
 * sanitised HTML), its author, mentions and parent resolved, then handed to core's ingestion,
 * which persists and distributes it like a local post. Missing ancestors are fetched up to a depth
 * cap, so a reply threads into its conversation without letting one post pull in a whole server.
 */
import type { Context } from "@fedify/fedify";
import type { AppContext } from "../../app.ts";
import { findMentionedAccounts } from "../../core/accounts/remote.ts";
import { TorgaiError } from "../../core/errors.ts";
import { findStatusByUri, ingestRemoteNote, updateRemoteNote } from "../../core/statuses/remote.ts";
import type { Status } from "../../store/schema.ts";
import { isPostObject, type PostObject, toRemoteNote } from "../converters/from-as.ts";
import { actorByUri, signedLookup } from "../resolve.ts";

/** How many missing ancestors one incoming post may fetch. */
export const MAX_ANCESTOR_FETCHES = 8;
/** Unknown mentioned accounts fetched per post (the rest must be known already). */
const MAX_MENTION_FETCHES = 5;

export interface IngestOptions {
  /** ancestors fetched so far for the post that started this */
  depth: number;
  /** the compacted JSON, when the caller has it (attachment extras) */
  raw?: unknown;
  /** the verified sender of the activity that carried it: must be the author */
  senderUri?: string;
  /** an Update: a held post takes the new version */
  update?: boolean;
}

export async function ingestPost(
  fctx: Context<AppContext>,
  post: PostObject,
  origin: string | URL,
  opts: IngestOptions,
): Promise<Status | null> {
  const ctx = fctx.data;
  if (!post.id) return null;
  const existing = (await findStatusByUri(ctx.db, post.id.href)) ?? null;
  const authorUri = post.attributionId?.href;
  if (!authorUri) return existing;
  if (opts.senderUri && opts.senderUri !== authorUri) return existing;
  const author = await actorByUri(fctx, authorUri);
  if (!author || author.domain === "") return existing;
  const converted = await toRemoteNote(post, {
    origin,
    followersUrl: author.followers_url,
    raw: opts.raw,
  });
  if (!converted.ok) {
    ctx.logger.debug({ uri: post.id.href, reason: converted.message }, "remote post refused");
    return existing;
  }
  const note = converted.value;
  if (note.actorUri !== author.uri) return existing;

  const mentionIds: string[] = [];
  let fetched = 0;
  const known = await findMentionedAccounts(
    ctx,
    note.mentions.map((m) => m.href),
  );
  for (const m of note.mentions) {
    let account = known.get(m.href) ?? null;
    if (!account && fetched < MAX_MENTION_FETCHES) {
      fetched++;
      account = await actorByUri(fctx, m.href);
    }
    if (account) mentionIds.push(account.id);
  }

  let parentId: string | null = null;
  if (note.inReplyTo) {
    let parent = (await findStatusByUri(ctx.db, note.inReplyTo)) ?? null;
    if (!parent && opts.depth < MAX_ANCESTOR_FETCHES) {
      try {
        const object = await signedLookup(fctx, note.inReplyTo);
        if (object && isPostObject(object) && object.id)
          parent = await ingestPost(fctx, object, object.id, { depth: opts.depth + 1 });
      } catch (err) {
        ctx.logger.debug({ err, uri: note.inReplyTo }, "ancestor fetch failed");
      }
    }
    parentId = parent?.id ?? null;
  }

  const resolved = { accountId: author.id, mentionIds, inReplyToId: parentId };
  try {
    if (existing && opts.update) return (await updateRemoteNote(ctx, note, resolved)) ?? existing;
    return (await ingestRemoteNote(ctx, note, resolved)).status;
  } catch (err) {
    // core refuses what does not check out (wrong author, suspended, another origin): no effect
    if (err instanceof TorgaiError) {
      ctx.logger.debug({ uri: note.uri, err: err.message }, "remote post refused");
      return existing;
    }
    throw err;
  }
}
