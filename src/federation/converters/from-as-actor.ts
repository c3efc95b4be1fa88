/** ActivityStreams actors (Fedify vocabulary) → core's RemoteActor. */
import { exportSpki } from "@fedify/fedify/runtime";
import {
  Application,
  CryptographicKey,
  Emoji,
  Group,
  Multikey,
  Organization,
  Person,
  PropertyValue,
  Service,
} from "@fedify/fedify/vocab";
import { type ActorType, REMOTE_CAPS, type RemoteActor, type RemoteField } from "../../core/remote/types.ts";
import { htmlToPlainText, safeHttpUrl, sanitizeRemoteHtml } from "../../core/text/sanitize.ts";
import {
  type Converted,
  collectEmojis,
  cut,
  type FromAsOptions,
  getterOptions,
  imageUrl,
  isoOf,
  pageUrl,
  refuse,
  sameOrigin,
  str,
} from "./from-as-common.ts";

export type ActorObject = Person | Service | Application | Group | Organization;

export function isActorObject(o: unknown): o is ActorObject {
  return (
    o instanceof Person ||
    o instanceof Service ||
    o instanceof Application ||
    o instanceof Group ||
    o instanceof Organization
  );
}

function actorType(a: ActorObject): ActorType {
  if (a instanceof Service) return "Service";
  if (a instanceof Application) return "Application";
  if (a instanceof Group) return "Group";
  if (a instanceof Organization) return "Organization";
  return "Person";
}

/** lower-cased host with a non-default port, as accounts.domain stores it */
export function domainOf(uri: URL): string {
  return uri.host.toLowerCase();
}

const USERNAME = /^[\p{L}\p{N}_.-]+$/u;

/** a collection/endpoint URL of the actor: kept only on the actor's own origin */
function ownUrl(u: URL | null | undefined, id: URL): string | null {
  if (!u || !sameOrigin(u, id)) return null;
  return safeHttpUrl(u.href);
}

async function keys(
  actor: ActorObject,
  id: URL,
  opts: FromAsOptions,
): Promise<Pick<RemoteActor, "publicKeyPem" | "publicKeyId" | "ed25519PublicKey" | "ed25519KeyId">> {
  const out = { publicKeyPem: null, publicKeyId: null, ed25519PublicKey: null, ed25519KeyId: null } as Pick<
    RemoteActor,
    "publicKeyPem" | "publicKeyId" | "ed25519PublicKey" | "ed25519KeyId"
  >;
  const g = getterOptions(opts);
  // only a key the actor owns, published on its own origin, can speak for it
  for await (const key of actor.getPublicKeys(g)) {
    if (!(key instanceof CryptographicKey) || !key.id || !sameOrigin(key.id, id)) continue;
    if (key.ownerId?.href !== id.href) continue;
    const pk = key.publicKey;
    if (pk?.algorithm.name !== "RSASSA-PKCS1-v1_5") continue;
    out.publicKeyPem = await exportSpki(pk);
    out.publicKeyId = key.id.href;
    break;
  }
  for await (const key of actor.getAssertionMethods(g)) {
    if (!(key instanceof Multikey) || !key.id || !sameOrigin(key.id, id)) continue;
    if (key.controllerId?.href !== id.href) continue;
    const pk = key.publicKey;
    if (pk?.algorithm.name !== "Ed25519") continue;
    out.ed25519PublicKey = await exportSpki(pk);
    out.ed25519KeyId = key.id.href;
    break;
  }
  return out;
}

/** Profile fields (PropertyValue attachments): names as plain text, values sanitised HTML, capped. */
async function fields(actor: ActorObject, opts: FromAsOptions): Promise<RemoteField[]> {
  const out: RemoteField[] = [];
  let seen = 0;
  for await (const a of actor.getAttachments(getterOptions(opts))) {
    if (++seen > REMOTE_CAPS.fields * 4 || out.length >= REMOTE_CAPS.fields) break;
    if (!(a instanceof PropertyValue)) continue;
    const name = cut(htmlToPlainText(str(a.name) ?? ""), REMOTE_CAPS.fieldChars);
    const raw = str(a.value) ?? "";
    if (!name || raw.length > REMOTE_CAPS.fieldChars * 4) continue;
    out.push({ name, value: sanitizeRemoteHtml(raw) });
  }
  return out;
}

/**
 * An actor document → RemoteActor, or why not: its id must share the document's origin; it needs
 * a preferredUsername. Display name, bio and fields are sanitised and capped; collections and
 * endpoints on another origin are dropped (an actor cannot point our deliveries elsewhere), and so
 * are keys not owned by the actor on its own origin.
 */
export async function toRemoteActor(
  actor: ActorObject,
  opts: FromAsOptions,
): Promise<Converted<RemoteActor>> {
  const id = actor.id;
  if (!id) return refuse("missing-id", "actor without an id");
  if (!sameOrigin(id, opts.origin))
    return refuse("origin-mismatch", `actor ${id.href} not served from its own origin`);
  if (id.protocol !== "https:" && id.protocol !== "http:")
    return refuse("missing-id", "actor id not http(s)");
  const username = str(actor.preferredUsername)?.trim() ?? "";
  if (!username) return refuse("missing-field", "actor without preferredUsername");
  const type = actorType(actor);
  // an instance actor is named after its server, port included (`host:port` is no handle otherwise)
  const instanceActor = type === "Application" && username.toLowerCase() === domainOf(id);
  if (username.length > REMOTE_CAPS.usernameChars || (!USERNAME.test(username) && !instanceActor))
    return refuse("missing-field", "actor username is not a valid handle");
  const g = getterOptions(opts);
  const summary = str(actor.summary) ?? "";
  const tags: Emoji[] = [];
  let seen = 0;
  for await (const t of actor.getTags(g)) {
    if (++seen > REMOTE_CAPS.emojis * 4) break;
    if (t instanceof Emoji) tags.push(t);
  }
  const inbox = ownUrl(actor.inboxId, id);
  const moved = actor.successorId ?? null;
  const aliases = actor.aliasIds
    .map((u) => safeHttpUrl(u.href))
    .filter((u): u is string => !!u)
    .slice(0, REMOTE_CAPS.alsoKnownAs);
  const value: RemoteActor = {
    uri: id.href,
    url: pageUrl(actor.urls) ?? id.href,
    type,
    username,
    domain: domainOf(id),
    displayName: cut(
      htmlToPlainText(str(actor.name) ?? "").replace(/\s+/g, " "),
      REMOTE_CAPS.displayNameChars,
    ),
    note: summary.length > REMOTE_CAPS.noteChars ? "" : sanitizeRemoteHtml(summary),
    fields: await fields(actor, opts),
    emojis: await collectEmojis(tags, opts),
    avatarUrl: imageUrl(await actor.getIcon(g)),
    headerUrl: imageUrl(await actor.getImage(g)),
    locked: actor.manuallyApprovesFollowers === true,
    bot: type === "Service" || type === "Application",
    // Mastodon's defaults for a remote actor that says nothing: not discoverable, not indexable
    discoverable: actor.discoverable === true,
    indexable: actor.indexable === true,
    inbox,
    sharedInbox: ownUrl(actor.endpoints?.sharedInbox, id),
    outbox: ownUrl(actor.outboxId, id),
    followers: ownUrl(actor.followersId, id),
    following: ownUrl(actor.followingId, id),
    featured: ownUrl(actor.featuredId, id),
    featuredTags: ownUrl(actor.featuredTagsId, id),
    ...(await keys(actor, id, opts)),
    alsoKnownAs: aliases,
    movedTo: moved ? safeHttpUrl(moved.href) : null,
    published: isoOf(actor.published),
  };
  return { ok: true, value };
}
