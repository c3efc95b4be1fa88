/**
 * The inbox: Fedify has verified the HTTP signature and that the signing key belongs to the
 * activity's actor before a listener runs. Each listener then checks what the activity may do —
 * an actor acts only for itself and only on its own objects — resolves what it names, and calls
 * one core use case. Anything that does not check out is ignored (202, no side effect).
 */
import type { Federation, InboxContext } from "@fedify/fedify";
import {
  Accept,
  Announce,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Like,
  Move,
  Note,
  Reject,
  Undo,
  Update,
} from "@fedify/fedify/vocab";
import type { AppContext } from "../../app.ts";
import { deleteRemoteAccount } from "../../core/accounts/delete.ts";
import { receiveMove } from "../../core/accounts/move.ts";
import { findAccountByUri } from "../../core/accounts/remote.ts";
import { TorgaiError } from "../../core/errors.ts";
import { isDomainSuspended, markHeardFrom } from "../../core/fediverse/instances.ts";
import { findLocalActor } from "../../core/fediverse/objects.ts";
import {
  receiveBlock,
  receiveFollow,
  receiveFollowAccept,
  receiveFollowReject,
  receiveUnblock,
  receiveUnfollow,
} from "../../core/follows/remote.ts";
import { receiveRemoteFlag } from "../../core/reports-remote.ts";
import { deleteRemoteStatus, findStatusByUri } from "../../core/statuses/remote.ts";
import {
  ingestRemoteFavourite,
  ingestRemoteReblog,
  undoRemoteFavourite,
  undoRemoteReblog,
} from "../../core/statuses/remote-interactions.ts";
import { receiveRemoteVote } from "../../core/statuses/remote-votes.ts";
import { htmlToPlainText } from "../../core/text/sanitize.ts";
import type { Account } from "../../store/schema.ts";
import { isActorObject, isPostObject } from "../converters/from-as.ts";
import { guardedFetch } from "../fetch-guard.ts";
import { actorByUri, signedLookup, storeActor } from "../resolve.ts";
import { ingestPost } from "./posts.ts";

type Ctx = InboxContext<AppContext>;

/** The local account an actor URI of ours names, or null. */
async function localActorOf(fctx: Ctx, uri: URL | null): Promise<Account | null> {
  if (!uri) return null;
  const parsed = fctx.parseUri(uri);
  if (parsed?.type !== "actor") return null;
  return findLocalActor(fctx.data, parsed.identifier);
}

/** The sender, stored (Fedify has already tied the signature to this actor). */
async function senderOf(fctx: Ctx, actorId: URL | null): Promise<Account | null> {
  if (!actorId) return null;
  if (await isDomainSuspended(fctx.data, actorId.host)) return null;
  await markHeardFrom(fctx.data, actorId.host);
  const account = await actorByUri(fctx, actorId);
  return account && account.domain !== "" ? account : null;
}

export function registerInbox(federation: Federation<AppContext>): void {
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (fctx, follow) => {
      if (!follow.id) return;
      const target = await localActorOf(fctx, follow.objectId);
      const follower = await senderOf(fctx, follow.actorId);
      if (!target || !follower) return;
      await receiveFollow(fctx.data, follower, target, follow.id.href);
    })
    .on(Accept, async (fctx, accept) => {
      const target = await senderOf(fctx, accept.actorId);
      if (!target) return;
      const follower = await followerOfAnswer(fctx, accept);
      if (follower) await receiveFollowAccept(fctx.data, follower, target);
    })
    .on(Reject, async (fctx, reject) => {
      const target = await senderOf(fctx, reject.actorId);
      if (!target) return;
      const follower = await followerOfAnswer(fctx, reject);
      if (follower) await receiveFollowReject(fctx.data, follower, target);
    })
    .on(Undo, async (fctx, undo) => {
      const sender = await senderOf(fctx, undo.actorId);
      if (!sender) return;
      const object = await undo.getObject({ crossOrigin: "ignore", suppressError: true });
      if (!object) return;
      // an actor undoes only its own activities
      if (
        object instanceof Follow ||
        object instanceof Like ||
        object instanceof Announce ||
        object instanceof Block
      ) {
        if (object.actorId?.href !== sender.uri) return;
      }
      if (object instanceof Follow) {
        const target = await localActorOf(fctx, object.objectId);
        if (target) await receiveUnfollow(fctx.data, sender, target);
      } else if (object instanceof Block) {
        const target = await localActorOf(fctx, object.objectId);
        if (target) await receiveUnblock(fctx.data, sender, target);
      } else if (object instanceof Like) {
        const status = object.objectId
          ? await findStatusByUri(fctx.data.db, object.objectId.href)
          : undefined;
        await undoRemoteFavourite(fctx.data, {
          uri: object.id?.href,
          accountId: sender.id,
          statusId: status?.id,
        });
      } else if (object instanceof Announce) {
        if (object.id) await undoRemoteReblog(fctx.data, object.id.href, sender.id);
      }
    })
    .on(Create, async (fctx, create) => {
      const sender = await senderOf(fctx, create.actorId);
      if (!sender) return;
      const object = await create.getObject({ crossOrigin: "ignore", suppressError: true });
      if (!object || !isPostObject(object) || !object.id) return;
      // a vote: a Note named after an option, in reply to one of our polls, without content
      if (object instanceof Note && object.name && !object.content && object.replyTargetId) {
        const poll = await findStatusByUri(fctx.data.db, object.replyTargetId.href);
        if (poll?.local && poll.poll_id) {
          if (object.attributionId?.href === sender.uri)
            await receiveRemoteVote(fctx.data, sender, poll, object.name.toString());
          return;
        }
      }
      // embedded objects count as the sender's own only on the sender's origin
      await ingestPost(fctx, object, new URL(sender.uri).origin, { depth: 0, senderUri: sender.uri });
    })
    .on(Update, async (fctx, update) => {
      const sender = await senderOf(fctx, update.actorId);
      if (!sender) return;
      const object = await update.getObject({ crossOrigin: "ignore", suppressError: true });
      if (!object?.id) return;
      if (isActorObject(object)) {
        if (object.id.href !== sender.uri) return;
        await storeActor(fctx.data, object, new URL(sender.uri).origin);
      } else if (isPostObject(object)) {
        await ingestPost(fctx, object, new URL(sender.uri).origin, {
          depth: 0,
          senderUri: sender.uri,
          update: true,
        });
      }
    })
    .on(Delete, async (fctx, del) => {
      const objectId = del.objectId?.href;
      if (!objectId || !del.actorId) return;
      // the account deleting itself: known accounts only (never fetch a deleted actor)
      if (await isDomainSuspended(fctx.data, del.actorId.host)) return;
      const sender = await findAccountByUri(fctx.data, del.actorId.href);
      if (!sender || sender.domain === "") return;
      if (objectId === sender.uri) {
        // an account deleting itself (the signature is its own): its posts and follows go here
        await deleteRemoteAccount(fctx.data, sender.id);
        return;
      }
      await refusedIsNoop(fctx, () => deleteRemoteStatus(fctx.data, objectId, sender.id));
    })
    .on(Announce, async (fctx, announce) => {
      const sender = await senderOf(fctx, announce.actorId);
      if (!sender || !announce.id || !announce.objectId) return;
      let status = (await findStatusByUri(fctx.data.db, announce.objectId.href)) ?? null;
      if (!status) {
        const object = await announce.getObject({ crossOrigin: "ignore", suppressError: true });
        if (object && isPostObject(object) && object.id) {
          // an embedded copy of another server's post is not trusted: fetched from its origin
          const fetched =
            new URL(object.id.href).origin === new URL(sender.uri).origin
              ? object
              : await signedLookup(fctx, object.id.href).catch(() => null);
          if (fetched && isPostObject(fetched) && fetched.id)
            status = await ingestPost(fctx, fetched, fetched.id, { depth: 0 });
        }
      }
      if (status)
        await refusedIsNoop(fctx, () =>
          ingestRemoteReblog(fctx.data, {
            uri: announce.id?.href ?? "",
            accountId: sender.id,
            statusId: status.id,
            published: announce.published?.toString() ?? null,
          }),
        );
    })
    .on(Like, async (fctx, like) => {
      const sender = await senderOf(fctx, like.actorId);
      if (!sender || !like.objectId) return;
      const status = await findStatusByUri(fctx.data.db, like.objectId.href);
      if (status?.local && like.id)
        await refusedIsNoop(fctx, () =>
          ingestRemoteFavourite(fctx.data, {
            uri: like.id?.href ?? "",
            accountId: sender.id,
            statusId: status.id,
          }),
        );
    })
    .on(Block, async (fctx, block) => {
      const sender = await senderOf(fctx, block.actorId);
      const target = await localActorOf(fctx, block.objectId);
      if (sender && target) await receiveBlock(fctx.data, sender, target);
    })
    .on(Flag, async (fctx, flag) => {
      // a report from another server (its instance actor, usually) about our accounts
      const sender = await senderOf(fctx, flag.actorId);
      if (!sender || !flag.id) return;
      await receiveRemoteFlag(fctx.data, sender, {
        uri: flag.id.href,
        objectUris: flag.objectIds.slice(0, 100).map((u) => u.href),
        comment: htmlToPlainText(flag.content?.toString() ?? ""),
      });
    })
    .on(Move, async (fctx, move) => {
      const origin = await senderOf(fctx, move.actorId);
      // an account moves only itself
      if (!origin || move.objectId?.href !== origin.uri || !move.targetId) return;
      const target = await moveTarget(fctx, move.targetId);
      if (target) await receiveMove(fctx.data, origin, target);
    })
    .onUnverifiedActivity(async (fctx, activity, reason) => {
      // A deleted actor's key can no longer be fetched (its server answers 410 Gone), so its last
      // Delete of itself cannot be verified. The actor's own server is asked instead: only a 410
      // for the actor's id deletes it here — a forger cannot make that server say so.
      if (!(activity instanceof Delete) || reason.type !== "keyFetchError") return;
      const actorId = activity.actorId;
      if (!actorId || activity.objectId?.href !== actorId.href) return;
      const account = await findAccountByUri(fctx.data, actorId.href);
      if (
        account &&
        account.domain !== "" &&
        !account.suspended_at &&
        (await isGone(fctx.data, actorId.href))
      )
        await deleteRemoteAccount(fctx.data, account.id);
      // as Mastodon: a gone actor's Delete is taken (202), never retried
      return new Response(null, { status: 202 });
    })
    .onError((fctx, error) => {
      fctx.data.logger.warn({ err: error }, "inbox activity failed");
    });
}

/** Core refusing an activity (not visible, blocked, not the author…) means: no effect. */
async function refusedIsNoop(fctx: Ctx, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof TorgaiError)) throw err;
    fctx.data.logger.debug({ err: err.message }, "inbox activity refused");
  }
}

/** The local follower an Accept/Reject answers: the Follow it carries must be ours. */
async function followerOfAnswer(fctx: Ctx, answer: Accept | Reject): Promise<Account | null> {
  const objectId = answer.objectId;
  if (objectId && new URL(objectId.href).origin === new URL(fctx.data.config.baseUrl).origin) {
    // our Follow's id (`<actor>#follows/<id>`): the actor part names the follower
    const actorUrl = new URL(objectId.href);
    actorUrl.hash = "";
    const byId = await localActorOf(fctx, actorUrl);
    if (byId) return byId;
  }
  const object = await answer.getObject({ crossOrigin: "ignore", suppressError: true }).catch(() => null);
  if (object instanceof Follow) return localActorOf(fctx, object.actorId);
  return null;
}

/**
 * The account a Move names, as it is now: ours read from the store, a remote one fetched again (its
 * aliases must list the mover now, not when we last looked).
 */
async function moveTarget(fctx: Ctx, uri: URL): Promise<Account | null> {
  const known = await findAccountByUri(fctx.data, uri.href);
  if (known?.domain === "") return known;
  return actorByUri(fctx, uri, { refresh: "always" });
}

/** Whether the actor's own server says it is gone (410), through the outbound guard. */
async function isGone(ctx: AppContext, actorUri: string): Promise<boolean> {
  try {
    const res = await guardedFetch(ctx.config)(actorUri, {
      headers: { accept: "application/activity+json, application/ld+json" },
      redirect: "manual",
    });
    await res.body?.cancel();
    return res.status === 410;
  } catch (err) {
    ctx.logger.debug({ err, uri: actorUri }, "gone actor check failed");
    return false;
  }
}
