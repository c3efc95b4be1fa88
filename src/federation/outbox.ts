/**
 * Outbound events (core/fediverse/outbound.ts) become activities sent to the inboxes that may see
 * them. Recipients are computed here from the store: remote followers (for everything but direct
 * posts), remote mentioned accounts, the author of what is replied to, reblogged or liked. Fedify
 * then queues one delivery per inbox (shared inboxes preferred), signs and retries.
 */

import {
  Accept,
  type Activity,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Like,
  Move,
  Note,
  PUBLIC_COLLECTION,
  type Recipient,
  Reject,
  Tombstone,
  Undo,
  Update,
} from "@fedify/fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import type { AppContext } from "../app.ts";
import { mayDeliverTo } from "../core/fediverse/instances.ts";
import {
  loadAccount,
  loadNoteData,
  type RemoteRecipient,
  remoteFollowers,
  remoteRecipients,
} from "../core/fediverse/objects.ts";
import type { OutboundEvent } from "../core/fediverse/outbound.ts";
import { remoteVoterIds } from "../core/fediverse/recipients.ts";
import { loadFlagData } from "../core/reports-remote.ts";
import type { Account } from "../store/schema.ts";
import { toActivityForStatus, toPollUpdate, toUpdateForStatus } from "./activities.ts";
import { toActor } from "./converters/to-as.ts";
import { federationContext } from "./federation.ts";
import { instanceSender } from "./instance-actor.ts";

function asRecipient(r: RemoteRecipient): Recipient {
  return {
    id: new URL(r.uri),
    inboxId: new URL(r.inbox),
    endpoints: r.sharedInbox ? { sharedInbox: new URL(r.sharedInbox) } : null,
  };
}

function unique(list: RemoteRecipient[]): RemoteRecipient[] {
  const seen = new Map<string, RemoteRecipient>();
  for (const r of list) seen.set(r.accountId, r);
  return [...seen.values()];
}

/** `sender`: a local account, or the instance actor (forwarded reports). */
async function send(
  ctx: AppContext,
  sender: Account | "instance",
  recipients: RemoteRecipient[],
  activity: Activity,
): Promise<void> {
  // suspended and unavailable servers get nothing (one check per server, not per follower)
  const allowed = new Map<string, boolean>();
  const list: RemoteRecipient[] = [];
  for (const r of unique(recipients)) {
    const host = new URL(r.sharedInbox ?? r.inbox).host;
    if (!allowed.has(host)) allowed.set(host, await mayDeliverTo(ctx, host));
    if (allowed.get(host)) list.push(r);
  }
  if (list.length === 0) return;
  const fctx = federationContext(ctx);
  const identity = sender === "instance" ? await instanceSender(ctx) : { identifier: sender.username };
  await fctx.sendActivity(identity, list.map(asRecipient), activity, {
    preferSharedInbox: true,
    excludeBaseUris: [new URL(ctx.config.baseUrl)],
    // deliveries to one inbox keep the order of one actor's activities
    orderingKey: sender === "instance" ? ctx.uris.instanceActor() : sender.uri,
  });
}

const local = (a: Account): boolean => a.domain === "";

export async function deliver(ctx: AppContext, event: OutboundEvent): Promise<void> {
  const sender = await loadAccount(ctx, event.accountId);
  if (!sender || !local(sender)) return;
  // a deleted account's last word is its Delete (its keys outlive it for that); a report is
  // forwarded in the instance's name, whoever filed it
  if (event.type === "account.delete") return deliverAccountDelete(ctx, sender, event.recipients);
  if (event.type === "flag") return deliverFlag(ctx, event.reportId);
  if (sender.suspended_at) return;
  const actor = new URL(sender.uri);
  switch (event.type) {
    case "status.create":
    case "status.update": {
      const data = await loadNoteData(ctx, event.statusId);
      if (!data || data.author.id !== sender.id) return;
      const { status } = data;
      const extra = data.mentions.filter((m) => !m.local).map((m) => m.accountId);
      if (data.reblogOf) extra.push(data.reblogOf.authorId);
      if (status.in_reply_to_account_id) extra.push(status.in_reply_to_account_id);
      const recipients = [
        ...(status.visibility === "direct" ? [] : await remoteFollowers(ctx, sender.id)),
        ...(await remoteRecipients(
          ctx,
          status.visibility === "direct"
            ? data.mentions.filter((m) => !m.local).map((m) => m.accountId)
            : extra,
        )),
      ];
      const activity =
        event.type === "status.create"
          ? toActivityForStatus(ctx.uris, data)
          : toUpdateForStatus(ctx.uris, data);
      await send(ctx, sender, recipients, activity);
      return;
    }
    case "status.delete": {
      const extra = [...event.remoteMentionIds];
      if (event.reblogOfAuthorId) extra.push(event.reblogOfAuthorId);
      const recipients = [
        ...(event.visibility === "direct" ? [] : await remoteFollowers(ctx, sender.id)),
        ...(await remoteRecipients(ctx, extra)),
      ];
      const activity = event.reblogOfUri
        ? new Undo({
            id: new URL(`${event.uri}#undo`),
            actor,
            object: new URL(event.uri),
          })
        : new Delete({
            id: new URL(`${event.uri}#delete`),
            actor,
            object: new Tombstone({ id: new URL(event.uri) }),
          });
      await send(ctx, sender, recipients, activity);
      return;
    }
    case "like": {
      const data = await loadNoteData(ctx, event.statusId);
      if (!data || local(data.author)) return;
      const like = new Like({
        id: new URL(`${sender.uri}#likes/${event.statusId}`),
        actor,
        object: new URL(data.status.uri),
      });
      const activity = event.undo
        ? new Undo({ id: new URL(`${sender.uri}#likes/${event.statusId}/undo`), actor, object: like })
        : like;
      await send(ctx, sender, await remoteRecipients(ctx, [data.author.id]), activity);
      return;
    }
    case "follow": {
      const target = await loadAccount(ctx, event.targetId);
      if (!target || local(target)) return;
      const follow = new Follow({ id: new URL(event.uri), actor, object: new URL(target.uri) });
      const activity = event.undo
        ? new Undo({ id: new URL(`${event.uri}/undo`), actor, object: follow })
        : follow;
      await send(ctx, sender, await remoteRecipients(ctx, [target.id]), activity);
      return;
    }
    case "follow.answer": {
      const follower = await loadAccount(ctx, event.followerId);
      if (!follower || local(follower)) return;
      const follow = new Follow({
        id: event.followUri ? new URL(event.followUri) : null,
        actor: new URL(follower.uri),
        object: actor,
      });
      const id = new URL(`${sender.uri}#${event.accepted ? "accepts" : "rejects"}/follows/${follower.id}`);
      const activity = event.accepted
        ? new Accept({ id, actor, object: follow })
        : new Reject({ id, actor, object: follow });
      await send(ctx, sender, await remoteRecipients(ctx, [follower.id]), activity);
      return;
    }
    case "block": {
      const target = await loadAccount(ctx, event.targetId);
      if (!target || local(target)) return;
      const block = new Block({ id: new URL(event.uri), actor, object: new URL(target.uri) });
      const activity = event.undo
        ? new Undo({ id: new URL(`${event.uri}/undo`), actor, object: block })
        : block;
      await send(ctx, sender, await remoteRecipients(ctx, [target.id]), activity);
      return;
    }
    case "profile.update": {
      const fctx = federationContext(ctx);
      const keys = await fctx.getActorKeyPairs(sender.username);
      const movedTo = sender.moved_to_account_id ? await loadAccount(ctx, sender.moved_to_account_id) : null;
      const activity = new Update({
        id: new URL(`${sender.uri}#updates/${Date.parse(sender.updated_at)}`),
        actor,
        object: toActor(ctx.uris, sender, keys, { movedToUri: movedTo?.uri ?? null }),
        published: Temporal.Instant.from(sender.updated_at),
      });
      await send(ctx, sender, await remoteFollowers(ctx, sender.id), activity);
      return;
    }
    case "poll.update": {
      const data = await loadNoteData(ctx, event.statusId);
      if (!data?.poll || data.author.id !== sender.id || data.status.reblog_of_id) return;
      const { status } = data;
      const recipients = [
        ...(status.visibility === "direct" ? [] : await remoteFollowers(ctx, sender.id)),
        ...(await remoteRecipients(ctx, [
          ...data.mentions.filter((m) => !m.local).map((m) => m.accountId),
          ...(await remoteVoterIds(ctx.db, data.poll.poll.id)),
        ])),
      ];
      await send(ctx, sender, recipients, toPollUpdate(ctx.uris, data, ctx.ids()));
      return;
    }
    case "account.move": {
      const move = new Move({
        id: new URL(`${sender.uri}#moves/${Date.parse(sender.updated_at)}`),
        actor,
        object: actor,
        target: new URL(event.targetUri),
      });
      await send(ctx, sender, await remoteFollowers(ctx, sender.id), move);
      return;
    }
    case "poll.vote": {
      const data = await loadNoteData(ctx, event.statusId);
      if (!data?.poll || local(data.author)) return;
      const recipients = await remoteRecipients(ctx, [data.author.id]);
      for (const choice of event.choices) {
        const name = data.poll.options[choice];
        if (name === undefined) continue;
        const id = new URL(`${sender.uri}#votes/${data.poll.poll.id}/${choice}`);
        const vote = new Note({
          id,
          attribution: actor,
          name,
          replyTarget: new URL(data.status.uri),
          to: new URL(data.author.uri),
        });
        await send(
          ctx,
          sender,
          recipients,
          new Create({
            id: new URL(`${id.href}/activity`),
            actor,
            object: vote,
            to: new URL(data.author.uri),
          }),
        );
      }
      return;
    }
  }
}

/** Delete(actor) to the servers that knew the account; signed with the keys it kept for this. */
async function deliverAccountDelete(
  ctx: AppContext,
  sender: Account,
  recipients: RemoteRecipient[],
): Promise<void> {
  const actor = new URL(sender.uri);
  const activity = new Delete({
    id: new URL(`${sender.uri}#delete`),
    actor,
    object: actor,
    to: PUBLIC_COLLECTION,
  });
  await send(ctx, sender, recipients, activity);
}

/** A forwarded report: Flag of the account and its reported posts, from the instance actor. */
async function deliverFlag(ctx: AppContext, reportId: string): Promise<void> {
  const flag = await loadFlagData(ctx, reportId);
  if (!flag) return;
  const activity = new Flag({
    id: new URL(flag.uri),
    actor: new URL(ctx.uris.instanceActor()),
    objects: [new URL(flag.target.uri), ...flag.statusUris.map((u) => new URL(u))],
    content: flag.comment,
    to: new URL(flag.target.uri),
  });
  await send(ctx, "instance", await remoteRecipients(ctx, [flag.target.id]), activity);
}
