import { type AppContext, transaction } from "../../app.ts";
import type { Status } from "../../store/schema.ts";
import { recordDirectStatus } from "../conversations.ts";
import { channels } from "../events.ts";
import { createNotification } from "../notifications/create.ts";
import { statusTagNames } from "../statuses/entities.ts";
import { trimHomeFeed } from "../timelines/feed.ts";
import { chunks, homeAudience, listAudience } from "./audience.ts";
import { announcementChannels, isAnnounced } from "./channels.ts";
import { tagFollowerAudience } from "./tag-audience.ts";

/**
 * The `status.fanout` job (enqueued by distributeStatus): puts a new status or reblog, local or
 * remote, into the home timelines of those who may see it, raises 'status' notifications, records
 * direct conversations and publishes stream events (user, list, and announcementChannels).
 * At-least-once safe: rows already present are not added (nor announced) again.
 */
export async function fanoutStatus(ctx: AppContext, statusId: string): Promise<void> {
  const status = await ctx.db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "=", statusId)
    .executeTakeFirst();
  if (!status) return; // deleted before the job ran
  const original = status.reblog_of_id
    ? await ctx.db.selectFrom("statuses").selectAll().where("id", "=", status.reblog_of_id).executeTakeFirst()
    : null;
  if (status.reblog_of_id && !original) return;
  const nowIso = ctx.now().toISOString();
  const audience = await homeAudience(ctx.db, status, original ?? null, nowIso);
  // followed hashtags bring public posts from anyone (Mastodon 4)
  audience.home = [...new Set([...audience.home, ...(await tagFollowerAudience(ctx.db, status, nowIso))])];

  const present = new Set<string>();
  for (const part of chunks(audience.home)) {
    const rows = await ctx.db
      .selectFrom("home_feed")
      .select("account_id")
      .where("status_id", "=", status.id)
      .where("account_id", "in", part)
      .execute();
    for (const r of rows) present.add(r.account_id);
  }
  const fresh = audience.home.filter((id) => !present.has(id));

  await transaction(ctx, async (trx, after) => {
    for (const part of chunks(fresh)) {
      await trx
        .insertInto("home_feed")
        .values(
          part.map((owner) => ({
            account_id: owner,
            status_id: status.id,
            author_id: status.account_id,
            reblog_of_id: status.reblog_of_id,
          })),
        )
        .onConflict((oc) => oc.columns(["account_id", "status_id"]).doNothing())
        .execute();
    }
    for (const owner of fresh) await trimHomeFeed(trx, owner);
    // the author's own row is written with the status; their stream still hears of it from here
    const announce = new Set(fresh);
    if (audience.home.includes(status.account_id)) announce.add(status.account_id);
    after(() => {
      for (const owner of announce)
        ctx.events.publish(channels.user(owner), { event: "update", id: status.id });
    });

    if (audience.notify.length && status.visibility !== "direct") {
      const notified = new Set<string>();
      for (const part of chunks(audience.notify)) {
        const rows = await trx
          .selectFrom("notifications")
          .select("account_id")
          .where("status_id", "=", status.id)
          .where("type", "=", "status")
          .where("account_id", "in", part)
          .execute();
        for (const r of rows) notified.add(r.account_id);
      }
      for (const recipientId of audience.notify) {
        if (notified.has(recipientId)) continue;
        await createNotification(ctx, trx, after, {
          recipientId,
          fromId: status.account_id,
          type: "status",
          statusId: status.id,
        });
      }
    }

    if (status.visibility === "direct" && !status.reblog_of_id) {
      await recordDirectStatus(ctx, trx, after, status);
    }
  });

  await publishBeyondHome(ctx, status, original ?? null, "update", nowIso);
}

/** List, public and hashtag stream events for a status (new or edited). */
async function publishBeyondHome(
  ctx: AppContext,
  status: Status,
  original: Status | null,
  event: "update" | "status.update",
  nowIso: string,
): Promise<void> {
  const lists = await listAudience(ctx.db, status, original, nowIso);
  for (const listId of lists) ctx.events.publish(channels.list(listId), { event, id: status.id });
  if (!isAnnounced(status)) return;
  const tags = await statusTagNames(ctx.db, status.id);
  for (const channel of announcementChannels(status, tags))
    ctx.events.publish(channel, { event, id: status.id });
}

/**
 * The `status.update_fanout` job (an edit, enqueued by distributeStatusUpdate): `status.update` to
 * every home that holds the status or a reblog of it, the lists and announcementChannels. ('update'
 * notifications to rebloggers are raised in the editing transaction.)
 */
export async function fanoutStatusUpdate(ctx: AppContext, statusId: string): Promise<void> {
  const status = await ctx.db
    .selectFrom("statuses")
    .selectAll()
    .where("id", "=", statusId)
    .executeTakeFirst();
  if (!status || status.reblog_of_id) return;
  const nowIso = ctx.now().toISOString();
  const owners = await ctx.db
    .selectFrom("home_feed")
    .select("account_id")
    .distinct()
    .where((eb) => eb.or([eb("status_id", "=", status.id), eb("reblog_of_id", "=", status.id)]))
    .execute();
  for (const { account_id } of owners) {
    ctx.events.publish(channels.user(account_id), { event: "status.update", id: status.id });
  }
  await publishBeyondHome(ctx, status, null, "status.update", nowIso);
}
