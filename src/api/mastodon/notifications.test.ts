import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json, postStatus as post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("notifications, markers and conversations API", (getCtx) => {
  test("types filters, single fetch, dismiss, clear, unread count with markers", async () => {
    const ctx = getCtx();
    const me = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await fan.api(`/api/v1/accounts/${me.account.id}/follow`, { method: "POST" });
    const mention = await post(ctx, fan, `@${me.account.username} hi`);
    const priv = await post(ctx, fan, `@${me.account.username} psst`, { visibility: "private" });

    const all = await json(me.api("/api/v1/notifications"));
    assert.deepEqual(
      all.map((n: J) => n.type),
      ["mention", "mention", "follow"],
    );
    const [m] = all;
    assert.equal(m.status.id, priv.id, "mentioned accounts may see private posts that mention them");
    assert.equal(m.account.id, fan.account.id);
    assert.ok(m.created_at && m.group_key);
    assert.ok(!("status" in all[2]), "follow notifications carry no status");

    const onlyFollow = await json(me.api("/api/v1/notifications?types[]=follow"));
    assert.deepEqual(
      onlyFollow.map((n: J) => n.type),
      ["follow"],
    );
    const noMentions = await json(me.api("/api/v1/notifications?exclude_types[]=mention"));
    assert.deepEqual(
      noMentions.map((n: J) => n.type),
      ["follow"],
    );
    const byAccount = await json(me.api(`/api/v1/notifications?account_id=${me.account.id}`));
    assert.deepEqual(byAccount, []);
    const paged = await me.api("/api/v1/notifications?limit=1");
    assert.match(paged.headers.get("link") ?? "", /max_id=\d+>; rel="next"/);

    const one = await json(me.api(`/api/v1/notifications/${m.id}`));
    assert.equal(one.id, m.id);
    assert.equal(
      (await fan.api(`/api/v1/notifications/${m.id}`)).status,
      404,
      "others' notifications are not found",
    );

    // unread count follows the notifications marker
    assert.deepEqual(await json(me.api("/api/v1/notifications/unread_count")), { count: 3 });
    const saved = await json(
      me.api("/api/v1/markers", { form: { "notifications[last_read_id]": all[1].id } }),
    );
    assert.equal(saved.notifications.last_read_id, all[1].id);
    assert.equal(saved.notifications.version, 0);
    assert.deepEqual(await json(me.api("/api/v1/notifications/unread_count")), { count: 1 });
    const again = await json(me.api("/api/v1/markers", { json: { notifications: { last_read_id: m.id } } }));
    assert.equal(again.notifications.version, 1);
    await me.api("/api/v1/markers", { json: { home: { last_read_id: mention.id } } });
    const markers = await json(me.api("/api/v1/markers?timeline[]=home&timeline[]=notifications"));
    assert.deepEqual(Object.keys(markers).sort(), ["home", "notifications"]);
    assert.equal(markers.home.last_read_id, mention.id);
    assert.deepEqual(await json(me.api("/api/v1/markers?timeline[]=home", { token: fan.token })), {});
    assert.equal((await me.api("/api/v1/markers", { json: { home: { last_read_id: "x" } } })).status, 422);

    // a notification whose post the reader can no longer see is skipped
    await me.api(`/api/v1/accounts/${fan.account.id}/block`, { method: "POST" });
    assert.deepEqual(await json(me.api("/api/v1/notifications")), []);
    await me.api(`/api/v1/accounts/${fan.account.id}/unblock`, { method: "POST" });

    assert.equal((await me.api(`/api/v1/notifications/${m.id}/dismiss`, { method: "POST" })).status, 200);
    assert.equal((await me.api(`/api/v1/notifications/${m.id}`)).status, 404);
    assert.equal((await me.api("/api/v1/notifications/clear", { method: "POST" })).status, 200);
    assert.deepEqual(await json(me.api("/api/v1/notifications")), []);
  });

  test("followers with notify get 'status' notifications; private posts never reach non-followers", async () => {
    const ctx = getCtx();
    const author = await createTestUser(ctx);
    const bell = await createTestUser(ctx);
    await bell.api(`/api/v1/accounts/${author.account.id}/follow`, { json: { notify: true } });
    const s = await post(ctx, author, "news", { visibility: "private" });
    const notes = await json(bell.api("/api/v1/notifications?types[]=status"));
    assert.deepEqual(
      notes.map((n: J) => n.status.id),
      [s.id],
    );
    // unfollowing: the private post is no longer visible, so its notification is skipped
    await bell.api(`/api/v1/accounts/${author.account.id}/unfollow`, { method: "POST" });
    assert.deepEqual(await json(bell.api("/api/v1/notifications?types[]=status")), []);
  });

  test("direct posts make conversations that can be read and removed", async () => {
    const ctx = getCtx();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const c = await createTestUser(ctx);
    // b follows a, so a's private mention is not held as a request (notification-requests.test.ts)
    await follow(ctx, b, a);
    const dm = await post(ctx, a, `@${b.account.username} just us`, { visibility: "direct" });
    const convs = await json(b.api("/api/v1/conversations"));
    assert.equal(convs.length, 1);
    assert.equal(convs[0].unread, true);
    assert.deepEqual(
      convs[0].accounts.map((x: J) => x.id),
      [a.account.id],
    );
    assert.equal(convs[0].last_status.id, dm.id);
    const mine = await json(a.api("/api/v1/conversations"));
    assert.equal(mine[0].unread, false);
    assert.deepEqual(await json(c.api("/api/v1/conversations")), []);

    const reply = await post(ctx, b, `@${a.account.username} sure`, {
      visibility: "direct",
      in_reply_to_id: dm.id,
    });
    const updated = await json(a.api("/api/v1/conversations"));
    assert.equal(updated.length, 1);
    assert.equal(updated[0].last_status.id, reply.id);
    assert.equal(updated[0].unread, true);

    const read = await json(a.api(`/api/v1/conversations/${updated[0].id}/read`, { method: "POST" }));
    assert.equal(read.unread, false);
    assert.equal(
      (await c.api(`/api/v1/conversations/${updated[0].id}/read`, { method: "POST" })).status,
      404,
    );
    // marked unread again (Mastodon 4.5), and the list says so
    const unread = await json(a.api(`/api/v1/conversations/${updated[0].id}/unread`, { method: "POST" }));
    assert.equal(unread.unread, true);
    assert.equal((await json(a.api("/api/v1/conversations")))[0].unread, true);
    assert.equal(
      (await c.api(`/api/v1/conversations/${updated[0].id}/unread`, { method: "POST" })).status,
      404,
    );
    assert.equal((await a.api(`/api/v1/conversations/${updated[0].id}`, { method: "DELETE" })).status, 200);
    assert.deepEqual(await json(a.api("/api/v1/conversations")), []);
  });
});
