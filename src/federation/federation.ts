/**
 * The Fedify federation of one context: actor documents (with RSA and Ed25519 keys), WebFinger,
 * the collections, our Notes, and the inbox listeners. One instance per AppContext (a context
 * resource), so each server in a multi-instance test has its own, and closeContext forgets it.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { createFederation, type Federation } from "@fedify/fedify";
import { Object as APObject, Hashtag } from "@fedify/fedify/vocab";
import { type AppContext, owned, type ResourceKey, resourceKey } from "../app.ts";
import {
  featuredTagNames,
  findLocalActor,
  findLocalActorOrGone,
  findLocalStatus,
  followerRecipients,
  followUris,
  isFollowedBy,
  isMentioned,
  loadAccount,
  loadNoteData,
  localPrivateKeys,
  localStatusAudience,
  outboxStatusIds,
  pinnedStatusIds,
} from "../core/fediverse/objects.ts";
import { Lru } from "../core/lru.ts";
import { hasMessageListener, wantsAutoListen } from "../jobs/message-listeners.ts";
import { toActivityForStatus } from "./activities.ts";
import { toActor, toNote } from "./converters/to-as.ts";
import {
  authenticatedDocumentLoaderFactory,
  documentLoaderFactory,
  guardedFetch,
  installFetchGuard,
} from "./fetch-guard.ts";
import { registerInbox } from "./inbox/index.ts";
import { createKvStore } from "./kv.ts";
import { createMessageQueue } from "./mq.ts";

const PAGE = 40;

/** Imported key pairs per account: importing a PEM costs more than the request it signs. */
const keyCache = resourceKey("federation.keys", () => new Lru<string, CryptoKeyPair[]>(1_000));

/** node:crypto's CryptoKey is the web one; only the type declarations differ. */
const asKey = (k: unknown) => k as CryptoKey;

async function keyPairsOf(
  ctx: AppContext,
  accountId: string,
  publicPem: string | null,
  edPublic: string | null,
) {
  const cache = owned(ctx, keyCache);
  const hit = cache.get(accountId);
  if (hit) return hit;
  const keys = await localPrivateKeys(ctx, accountId);
  if (!keys || !publicPem) return [];
  const pairs: CryptoKeyPair[] = [
    {
      privateKey: asKey(
        createPrivateKey(keys.rsa).toCryptoKey({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, [
          "sign",
        ]),
      ),
      publicKey: asKey(
        createPublicKey(publicPem).toCryptoKey({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, [
          "verify",
        ]),
      ),
    },
  ];
  if (edPublic && keys.ed25519) {
    pairs.push({
      privateKey: asKey(createPrivateKey(keys.ed25519).toCryptoKey("Ed25519", true, ["sign"])),
      publicKey: asKey(createPublicKey(edPublic).toCryptoKey("Ed25519", true, ["verify"])),
    });
  }
  cache.set(accountId, pairs);
  return pairs;
}

function build(ctx: AppContext): Federation<AppContext> {
  // every request Fedify makes — documents, keys, WebFinger, deliveries — goes through the guard;
  // tests on localhost (private addresses allowed) keep the process's default dispatcher
  if (!ctx.config.allowPrivateNetwork) installFetchGuard(ctx.config);
  const kv = createKvStore(ctx);
  const loaders = documentLoaderFactory(guardedFetch(ctx.config), kv);
  const federation = createFederation<AppContext>({
    kv,
    // Fedify's inbox, outbox and fan-out tasks are jobs of our durable queue (mq.ts); this
    // process consumes them once listen() is called (a worker's first fedify.message job does)
    queue: createMessageQueue(ctx),
    manuallyStartQueue: true,
    origin: ctx.config.baseUrl,
    documentLoaderFactory: loaders,
    contextLoaderFactory: loaders,
    authenticatedDocumentLoaderFactory: authenticatedDocumentLoaderFactory(ctx.config),
    // Mastodon and most servers still expect draft-cavage first; Fedify retries with RFC 9421
    // where a server asks for it (double-knocking)
    firstKnock: "draft-cavage-http-signatures-12",
  });

  federation
    .setActorDispatcher("/users/{identifier}", async (fctx, identifier) => {
      const account = await findLocalActorOrGone(fctx.data, identifier);
      if (!account) return null;
      const keys = await fctx.getActorKeyPairs(identifier);
      const movedTo = account.moved_to_account_id
        ? await loadAccount(fctx.data, account.moved_to_account_id)
        : null;
      return toActor(fctx.data.uris, account, keys, { movedToUri: movedTo?.uri ?? null });
    })
    .setKeyPairsDispatcher(async (fctx, identifier) => {
      // a deleted account keeps signing its last deliveries (the Delete of itself)
      const account = await findLocalActorOrGone(fctx.data, identifier);
      if (!account) return [];
      return keyPairsOf(fctx.data, account.id, account.public_key_pem, account.ed25519_public_key);
    })
    .mapHandle(async (fctx, handle) => {
      // WebFinger names are case-insensitive; the actor URI keeps the registered spelling
      const row = await fctx.data.db
        .selectFrom("accounts")
        .select("username")
        .where((eb) => eb(eb.fn("lower", ["username"]), "=", handle.toLowerCase()))
        .where("domain", "=", "")
        .where("suspended_at", "is", null)
        .executeTakeFirst();
      return row?.username ?? null;
    });

  federation
    .setFollowersDispatcher("/users/{identifier}/followers", async (fctx, identifier, cursor) => {
      const account = await findLocalActor(fctx.data, identifier);
      if (!account) return null;
      // the whole list (cursor null) is what deliveries to "followers" read
      const page = await followerRecipients(fctx.data, account.id, cursor, cursor === null ? null : PAGE);
      return {
        items: page.items.map((r) => ({
          id: new URL(r.uri),
          inboxId: new URL(r.inbox),
          endpoints: r.sharedInbox ? { sharedInbox: new URL(r.sharedInbox) } : null,
        })),
        nextCursor: page.next,
      };
    })
    .setFirstCursor(() => "")
    .setCounter(
      async (fctx, identifier) => (await findLocalActor(fctx.data, identifier))?.followers_count ?? null,
    );

  federation
    .setFollowingDispatcher("/users/{identifier}/following", async (fctx, identifier, cursor) => {
      const account = await findLocalActor(fctx.data, identifier);
      if (!account) return null;
      const page = await followUris(fctx.data, account.id, "following", cursor, PAGE);
      return { items: page.items.map((u) => new URL(u)), nextCursor: page.next };
    })
    .setFirstCursor(() => "")
    .setCounter(
      async (fctx, identifier) => (await findLocalActor(fctx.data, identifier))?.following_count ?? null,
    );

  federation
    .setOutboxDispatcher("/users/{identifier}/outbox", async (fctx, identifier, cursor) => {
      const account = await findLocalActor(fctx.data, identifier);
      if (!account) return null;
      const page = await outboxStatusIds(fctx.data, account.id, cursor || null, 20);
      const items = [];
      for (const id of page.items) {
        const data = await loadNoteData(fctx.data, id);
        if (data) items.push(toActivityForStatus(fctx.data.uris, data));
      }
      return { items, nextCursor: page.next };
    })
    .setFirstCursor(() => "")
    .setCounter(
      async (fctx, identifier) => (await findLocalActor(fctx.data, identifier))?.statuses_count ?? null,
    );

  federation.setFeaturedDispatcher("/users/{identifier}/collections/featured", async (fctx, identifier) => {
    const account = await findLocalActor(fctx.data, identifier);
    if (!account) return null;
    const items = [];
    for (const id of await pinnedStatusIds(fctx.data, account.id)) {
      const data = await loadNoteData(fctx.data, id);
      if (data) items.push(toNote(fctx.data.uris, data));
    }
    return { items };
  });

  federation.setFeaturedTagsDispatcher("/users/{identifier}/collections/tags", async (fctx, identifier) => {
    const account = await findLocalActor(fctx.data, identifier);
    if (!account) return null;
    const names = await featuredTagNames(fctx.data, account.id);
    return {
      items: names.map(
        (n) => new Hashtag({ href: new URL(fctx.data.uris.tag(n.toLowerCase())), name: `#${n}` }),
      ),
    };
  });

  // Our Notes: public and unlisted ones to anyone; followers-only ones to a signed fetch by a
  // follower (or someone mentioned); direct ones only to those they mention.
  federation
    .setObjectDispatcher(APObject, "/users/{identifier}/statuses/{id}", async (fctx, values) => {
      const data = await findLocalStatus(fctx.data, values.identifier, values.id);
      // a Note, or a Question when the status carries a poll
      return data ? toNote(fctx.data.uris, data) : null;
    })
    .authorize(async (fctx, values) => {
      const audience = await localStatusAudience(fctx.data, values.identifier, values.id);
      if (!audience) return true; // the dispatcher answers 404
      const v = audience.visibility;
      if (v === "public" || v === "unlisted") return true;
      const owner = await fctx.getSignedKeyOwner();
      const ownerUri = owner?.id?.href;
      if (!ownerUri) return false;
      if (await isMentioned(fctx.data, audience.statusId, ownerUri)) return true;
      return v === "private" && (await isFollowedBy(fctx.data, audience.authorId, ownerUri));
    });

  registerInbox(federation);
  return federation;
}

const federationKey = resourceKey("federation", build);

/** A Fedify context on our own origin, for sending and lookups outside a request. */
export function federationContext(ctx: AppContext) {
  return getFederation(ctx).createContext(new URL(ctx.config.baseUrl), ctx);
}

/** The context's federation, made on first use. */
export function getFederation(ctx: AppContext): Federation<AppContext> {
  const federation = owned(ctx, federationKey);
  // a worker that has loaded Fedify anyway consumes its messages at once
  if (wantsAutoListen(ctx) && !ctx.resources.has(listening as ResourceKey<unknown>)) owned(ctx, listening);
  return federation;
}

const listening = resourceKey(
  "federation.listening",
  (ctx: AppContext) => {
    const abort = new AbortController();
    // registers the listener at once (mq.ts); resolves only when the signal aborts
    owned(ctx, federationKey)
      .startQueue(ctx, { signal: abort.signal })
      .catch((err) => ctx.logger.error({ err }, "federation queue stopped"));
    return abort;
  },
  (abort) => abort.abort(),
);

/** This process consumes Fedify's queued tasks from now on (idempotent); resolves once it does. */
export async function listenToFederationQueue(ctx: AppContext): Promise<void> {
  owned(ctx, listening);
  // startQueue registers its listener after a few ticks of its own
  for (let i = 0; i < 200 && !hasMessageListener(ctx); i++) await new Promise((r) => setTimeout(r, 5));
}
