/** The activities our actions become (pure: data in, vocab objects out). */

import { Announce, Create, PUBLIC_COLLECTION, Update } from "@fedify/fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { NoteData } from "../core/fediverse/objects.ts";
import type { LocalUris } from "../core/uris.ts";
import { addressing, toNote } from "./converters/to-as.ts";

/** A status as it is announced: Create(Note) for a post, Announce for a reblog. */
export function toActivityForStatus(uris: LocalUris, data: NoteData): Create | Announce {
  const { status, author } = data;
  const actor = new URL(author.uri);
  if (data.reblogOf) {
    const followers = new URL(uris.followers(author.username));
    const original = new URL(data.reblogOf.authorUri);
    const publicly = status.visibility === "public" || status.visibility === "unlisted";
    return new Announce({
      id: new URL(status.uri),
      actor,
      object: new URL(data.reblogOf.uri),
      published: Temporal.Instant.from(status.created_at),
      tos: status.visibility === "public" ? [PUBLIC_COLLECTION] : [followers],
      ccs: publicly ? [status.visibility === "public" ? followers : PUBLIC_COLLECTION, original] : [original],
    });
  }
  const { tos, ccs } = addressing(
    uris,
    author.username,
    status.visibility,
    data.mentions.map((m) => m.uri),
  );
  return new Create({
    id: new URL(`${status.uri}/activity`),
    actor,
    object: toNote(uris, data),
    published: Temporal.Instant.from(status.created_at),
    tos,
    ccs,
  });
}

/** An edit: Update(Note), addressed as the post. */
export function toUpdateForStatus(uris: LocalUris, data: NoteData): Update {
  const { status, author } = data;
  const { tos, ccs } = addressing(
    uris,
    author.username,
    status.visibility,
    data.mentions.map((m) => m.uri),
  );
  const at = status.edited_at ?? status.updated_at;
  return new Update({
    id: new URL(`${status.uri}#updates/${Date.parse(at)}`),
    actor: new URL(author.uri),
    object: toNote(uris, data),
    published: Temporal.Instant.from(at),
    tos,
    ccs,
  });
}

/**
 * A poll's new counts: Update(Question) without an edit. Each carries its own id (`nonce`): a
 * server drops an activity id it has seen, and the same post's counts change many times.
 */
export function toPollUpdate(uris: LocalUris, data: NoteData, nonce: string): Update {
  const { status, author } = data;
  const { tos, ccs } = addressing(
    uris,
    author.username,
    status.visibility,
    data.mentions.map((m) => m.uri),
  );
  return new Update({
    id: new URL(`${status.uri}#updates/poll/${nonce}`),
    actor: new URL(author.uri),
    object: toNote(uris, data),
    published: Temporal.Now.instant(),
    tos,
    ccs,
  });
}
