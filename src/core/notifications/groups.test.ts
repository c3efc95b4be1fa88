import assert from "node:assert/strict";
import { test } from "node:test";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { blockAccount } from "../follows/blocks.ts";
import { createNotification, type NotificationType } from "./create.ts";
import { notificationGroupKey } from "./group-key.ts";
import {
  dismissNotificationGroup,
  getNotificationGroup,
  listNotificationGroups,
  notificationGroupAccountIds,
  unreadGroupCount,
} from "./groups.ts";

const HOUR = 3_600_000;

function notify(
  ctx: AppContext,
  recipientId: string,
  fromId: string,
  type: NotificationType,
  statusId?: string,
) {
  return createNotification(ctx, ctx.db, () => {}, { recipientId, fromId, type, statusId });
}

describeStores("grouped notifications", (get) => {
  test("group keys: favourite/reblog per status, follow per recipient, 12-hour span, none for mentions", async () => {
    const ctx = get();
    const owner = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const s = await insertStatus(ctx, owner.account.id);
    const t0 = new Date(Date.UTC(2025, 0, 1, 10, 30));
    const bucket = Math.floor(t0.getTime() / HOUR);
    const key = await notificationGroupKey(ctx.db, owner.account.id, "favourite", s.id, t0);
    assert.equal(key, `favourite-${s.id}-${bucket}`);
    assert.equal(await notificationGroupKey(ctx.db, owner.account.id, "mention", s.id, t0), null);
    assert.equal(await notificationGroupKey(ctx.db, owner.account.id, "favourite", null, t0), null);
    assert.equal(
      await notificationGroupKey(ctx.db, owner.account.id, "follow", null, t0),
      `follow-${bucket}`,
    );
    await ctx.db
      .insertInto("notifications")
      .values({
        id: ctx.ids(),
        account_id: owner.account.id,
        from_account_id: other.account.id,
        type: "favourite",
        status_id: s.id,
        group_key: key,
        created_at: t0.toISOString(),
      })
      .execute();
    // five hours later the group continues; twelve hours after its first hour a new one starts
    const later = new Date(t0.getTime() + 5 * HOUR);
    assert.equal(await notificationGroupKey(ctx.db, owner.account.id, "favourite", s.id, later), key);
    const muchLater = new Date(t0.getTime() + 12 * HOUR);
    assert.equal(
      await notificationGroupKey(ctx.db, owner.account.id, "favourite", s.id, muchLater),
      `favourite-${s.id}-${bucket + 12}`,
    );
  });

  test("a page holds one entry per group with counts, samples and page bounds", async () => {
    const ctx = get();
    const owner = await createTestUser(ctx);
    const fans = [await createTestUser(ctx), await createTestUser(ctx), await createTestUser(ctx)];
    const s = await insertStatus(ctx, owner.account.id);
    for (const f of fans) await notify(ctx, owner.account.id, f.account.id, "favourite", s.id);
    const mention = await insertStatus(ctx, fans[0].account.id, { mentions: [owner.account.id] });
    await notify(ctx, owner.account.id, fans[0].account.id, "mention", mention.id);

    const page = await listNotificationGroups(ctx, owner.account.id, {}, { limit: 40 });
    assert.deepEqual(
      page.groups.map((g) => [g.type, g.notificationsCount]),
      [
        ["mention", 1],
        ["favourite", 3],
      ],
    );
    const fav = page.groups[1];
    assert.deepEqual(fav.sampleAccountIds, fans.map((f) => f.account.id).reverse());
    assert.equal(fav.statusId, s.id);
    assert.ok(fav.pageMinId < fav.pageMaxId);
    assert.equal(page.cursorIds.length, 2);
    assert.ok(page.statuses.has(s.id) && page.statuses.has(mention.id));

    // grouping can be switched off per type
    const flat = await listNotificationGroups(
      ctx,
      owner.account.id,
      { groupedTypes: ["follow"] },
      { limit: 40 },
    );
    assert.equal(flat.groups.length, 4);
    assert.ok(flat.groups.every((g) => g.groupKey.startsWith("ungrouped-")));

    // limit counts groups, not notifications
    const one = await listNotificationGroups(ctx, owner.account.id, {}, { limit: 1 });
    assert.equal(one.groups[0].type, "mention");
    const next = await listNotificationGroups(
      ctx,
      owner.account.id,
      {},
      { limit: 1, maxId: one.cursorIds[0] },
    );
    assert.equal(next.groups[0].type, "favourite");
    assert.equal(next.groups[0].notificationsCount, 3);

    assert.equal(await unreadGroupCount(ctx, owner.account.id, {}, 100), 2);
    const { group } = await getNotificationGroup(ctx, owner.account.id, fav.groupKey);
    assert.equal(group.notificationsCount, 3);
    assert.equal((await notificationGroupAccountIds(ctx, owner.account.id, fav.groupKey)).length, 3);
    await assert.rejects(getNotificationGroup(ctx, fans[0].account.id, fav.groupKey), { status: 404 });

    await dismissNotificationGroup(ctx, owner.account.id, fav.groupKey);
    const left = await listNotificationGroups(ctx, owner.account.id, {}, { limit: 40 });
    assert.deepEqual(
      left.groups.map((g) => g.type),
      ["mention"],
    );
  });

  test("blocked accounts' notifications and invisible statuses drop out of the groups", async () => {
    const ctx = get();
    const owner = await createTestUser(ctx);
    const nice = await createTestUser(ctx);
    const rude = await createTestUser(ctx);
    await notify(ctx, owner.account.id, nice.account.id, "follow");
    await notify(ctx, owner.account.id, rude.account.id, "follow");
    await blockAccount(ctx, owner.account.id, rude.account.id);
    const page = await listNotificationGroups(ctx, owner.account.id, {}, { limit: 40 });
    assert.equal(page.groups.length, 1);
    assert.deepEqual(page.groups[0].sampleAccountIds, [nice.account.id]);
    assert.equal(page.groups[0].notificationsCount, 1);
  });
});
