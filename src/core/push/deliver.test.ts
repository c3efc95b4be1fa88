/**
 * Web Push end to end: a push service on localhost (played by the test) receives what the job
 * queue sends, checks the VAPID token against the key the instance publishes, decrypts with the
 * subscriber's private key and reads Mastodon's payload.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type J, json, postStatus } from "../../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import {
  newUserAgent,
  openPush,
  type PushService,
  startPushService,
  type UserAgent,
} from "../../../test/helpers/push-service.ts";
import type { AppContext } from "../../app.ts";

let service: PushService;
before(async () => {
  service = await startPushService();
});
after(() => service.close());

const PATH = "/api/v1/push/subscription";

async function subscribe(
  user: TestUser,
  opts: { standard?: boolean; alerts?: Record<string, boolean>; policy?: string; paddedKeys?: boolean } = {},
): Promise<{ ua: UserAgent; path: string; sub: J }> {
  const ua = newUserAgent();
  const path = `/push/${user.account.username}/${Math.random().toString(36).slice(2)}`;
  // some clients (masto.js's own suite) send standard base64 with padding rather than base64url
  const keys = opts.paddedKeys
    ? { p256dh: ua.publicKey.toString("base64"), auth: ua.auth.toString("base64") }
    : ua.keys;
  const res = await user.api(PATH, {
    json: {
      subscription: { endpoint: `${service.url}${path}`, keys, standard: opts.standard ?? false },
      data: { alerts: opts.alerts ?? { mention: true }, policy: opts.policy ?? "all" },
    },
  });
  assert.equal(res.status, 200, await res.clone().text());
  return { ua, path, sub: await res.json() };
}

const receivedAt = (path: string) => service.received.filter((r) => r.path === path);

async function serverKey(ctx: AppContext): Promise<string> {
  const instance: J = await json(apiCaller(ctx)("/api/v2/instance"));
  return instance.configuration.vapid.public_key;
}

describeStores(
  "Web Push delivery",
  (get) => {
    test("a mention arrives encrypted aes128gcm, VAPID-signed, with Mastodon's payload", async () => {
      const ctx = get();
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      await ctx.db
        .updateTable("accounts")
        .set({ display_name: "Бақыт" })
        .where("id", "=", alice.account.id)
        .execute();
      const { ua, path } = await subscribe(bob, { standard: true });
      await postStatus(ctx, alice, `@${bob.account.username} сәлем, қалың қалай?`);

      const got = receivedAt(path);
      assert.equal(got.length, 1);
      const push = got[0];
      assert.ok(push);
      assert.equal(push.headers["content-encoding"], "aes128gcm");
      assert.equal(push.headers["content-type"], "application/octet-stream");
      assert.equal(push.headers.ttl, "172800");
      assert.equal(push.headers.urgency, "normal");
      assert.match(String(push.headers.authorization), /^vapid t=[\w-]+\.[\w-]+\.[\w-]+,k=[\w-]{87}$/);
      const opened = openPush(push, ua, await serverKey(ctx));
      assert.equal(opened.claims.aud, service.url);
      assert.equal(opened.claims.sub, ctx.config.baseUrl, "no contact e-mail configured: the instance URL");
      const nowSec = Date.now() / 1000;
      assert.ok(opened.claims.exp > nowSec && opened.claims.exp <= nowSec + 24 * 3600, "expires within 24 h");

      const [notification]: J[] = await json(bob.api("/api/v1/notifications"));
      assert.deepEqual(opened.json, {
        access_token: bob.token,
        preferred_locale: "kk",
        notification_id: notification.id,
        notification_type: "mention",
        icon: notification.account.avatar_static,
        title: "Бақыт сізді атап өтті",
        body: `@${bob.account.username} сәлем, қалың қалай?`,
      });
      // what the app does with it: fetch the notification with the token it was given
      const fetched = await apiCaller(ctx)(`/api/v1/notifications/${opened.json.notification_id}`, {
        token: String(opened.json.access_token),
      });
      assert.equal(fetched.status, 200);
    });

    test("legacy subscriptions get aesgcm; the title follows the recipient's locale", async () => {
      const ctx = get();
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      await ctx.db.updateTable("users").set({ locale: "ru" }).where("id", "=", bob.user.id).execute();
      const { ua, path } = await subscribe(bob, { alerts: { favourite: true }, paddedKeys: true });
      const status = await postStatus(ctx, bob, "менің жазбам");
      assert.equal(
        (await alice.api(`/api/v1/statuses/${status.id}/favourite`, { method: "POST" })).status,
        200,
      );
      await ctx.queue.drain();

      const [push] = receivedAt(path);
      assert.ok(push);
      assert.equal(push.headers["content-encoding"], "aesgcm");
      assert.match(String(push.headers.encryption), /^salt=[A-Za-z0-9_-]{22}$/);
      const opened = openPush(push, ua, await serverKey(ctx));
      assert.equal(opened.json.notification_type, "favourite");
      assert.equal(opened.json.preferred_locale, "ru");
      assert.equal(opened.json.title, `${alice.account.username} добавил(а) ваш пост в избранное`);
      assert.equal(opened.json.body, "менің жазбам");
    });

    test("alerts choose the types pushed; the policy chooses whom from", async () => {
      const ctx = get();
      const author = await createTestUser(ctx);
      const friend = await createTestUser(ctx);
      const me = await createTestUser(ctx);
      const mentionMe = async (who: TestUser) => postStatus(ctx, who, `@${me.account.username} hi`);

      // mentions off: nothing
      const off = await subscribe(me, { alerts: { favourite: true } });
      await mentionMe(author);
      assert.equal(receivedAt(off.path).length, 0);

      // followed: only from accounts I follow
      const followed = await subscribe(me, { policy: "followed" });
      await mentionMe(author);
      assert.equal(receivedAt(followed.path).length, 0, "I do not follow the author");
      assert.equal(
        (await me.api(`/api/v1/accounts/${friend.account.id}/follow`, { method: "POST" })).status,
        200,
      );
      await ctx.queue.drain();
      await mentionMe(friend);
      assert.equal(receivedAt(followed.path).length, 1);

      // follower: only from accounts that follow me
      const follower = await subscribe(me, { policy: "follower" });
      await mentionMe(friend);
      assert.equal(receivedAt(follower.path).length, 0, "the friend does not follow me");
      assert.equal(
        (await author.api(`/api/v1/accounts/${me.account.id}/follow`, { method: "POST" })).status,
        200,
      );
      await ctx.queue.drain();
      await mentionMe(author);
      assert.equal(receivedAt(follower.path).length, 1);

      // none: nothing at all
      const none = await subscribe(me, { policy: "none", alerts: { mention: true, follow: true } });
      await mentionMe(author);
      assert.equal(receivedAt(none.path).length, 0);
      assert.equal(
        (await ctx.db.selectFrom("jobs").select("id").where("type", "=", "push.deliver").execute()).length,
        0,
      );
    });

    test("410 and 404 remove the subscription; 429 and 5xx are retried", async () => {
      const ctx = get();
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      const gone = await subscribe(bob);
      service.answers.push(410);
      await postStatus(ctx, alice, `@${bob.account.username} one`);
      assert.equal(receivedAt(gone.path).length, 1);
      assert.equal((await bob.api(PATH)).status, 404, "410: the subscription was removed");

      const missing = await subscribe(bob);
      service.answers.push(404);
      await postStatus(ctx, alice, `@${bob.account.username} two`);
      assert.equal(receivedAt(missing.path).length, 1);
      assert.equal((await bob.api(PATH)).status, 404, "404: removed too");

      const busy = await subscribe(bob, { standard: true });
      service.answers.push(429, 503);
      await postStatus(ctx, alice, `@${bob.account.username} three`);
      const jobs = () =>
        ctx.db
          .selectFrom("jobs")
          .selectAll()
          .where("type", "=", "push.deliver")
          .where("status", "=", "pending")
          .execute();
      let [job] = await jobs();
      assert.ok(job, "429: the delivery waits for a retry");
      assert.equal(job.attempts, 1);
      assert.match(String(job.last_error), /429/);
      assert.ok(job.run_at > new Date().toISOString(), "with backoff");
      const runNow = () =>
        ctx.db
          .updateTable("jobs")
          .set({ run_at: new Date(0).toISOString() })
          .where("id", "=", job?.id ?? "")
          .execute();
      await runNow();
      await ctx.queue.drain();
      [job] = await jobs();
      assert.ok(job, "503: retried again later");
      assert.equal(job.attempts, 2);
      await runNow();
      await ctx.queue.drain();
      assert.equal((await jobs()).length, 0);
      const delivered = receivedAt(busy.path);
      assert.equal(delivered.length, 3, "429, 503, then delivered");
      const last = delivered[2];
      assert.ok(last);
      assert.equal(openPush(last, busy.ua, await serverKey(ctx)).json.body, `@${bob.account.username} three`);
      assert.equal((await bob.api(PATH)).status, 200, "still subscribed");
    });

    test("a revoked token's subscription hears nothing more", async () => {
      const ctx = get();
      const alice = await createTestUser(ctx);
      const bob = await createTestUser(ctx);
      const { path } = await subscribe(bob);
      // the notification is recorded and its delivery enqueued before the token goes
      const res = await alice.api("/api/v1/statuses", { json: { status: `@${bob.account.username} late` } });
      assert.equal(res.status, 200);
      await ctx.db
        .updateTable("oauth_tokens")
        .set({ revoked_at: new Date().toISOString() })
        .where("user_id", "=", bob.user.id)
        .execute();
      await ctx.queue.drain();
      assert.equal(
        receivedAt(path).length,
        0,
        "the job refuses a subscription whose token is no longer live",
      );
      const left = await ctx.db
        .selectFrom("push_subscriptions")
        .select("id")
        .where("user_id", "=", bob.user.id)
        .execute();
      assert.deepEqual(left, [], "and removes it");
    });
  },
  { config: { TORGAI_ALLOW_PRIVATE_NETWORK: "1" } },
);

describeStores("Web Push without private networks", (get) => {
  test("a subscription to a loopback push service is refused and nothing is sent", async () => {
    const ctx = get();
    const bob = await createTestUser(ctx);
    const res = await bob.api(PATH, {
      json: { subscription: { endpoint: `${service.url}/x`, keys: newUserAgent().keys } },
    });
    assert.equal(res.status, 422);

    // one stored before the setting changed is refused at send time, once, without retries
    const alice = await createTestUser(ctx);
    const ok = await bob.api(PATH, {
      json: {
        subscription: { endpoint: "https://push.example.net/x", keys: newUserAgent().keys },
        data: { alerts: { mention: true } },
      },
    });
    assert.equal(ok.status, 200);
    const path = `/refused/${bob.account.username}`;
    await ctx.db
      .updateTable("push_subscriptions")
      .set({ endpoint: `${service.url}${path}` })
      .where("user_id", "=", bob.user.id)
      .execute();
    await postStatus(ctx, alice, `@${bob.account.username} hello`);
    assert.equal(receivedAt(path).length, 0, "the guard stopped the request");
    const left = await ctx.db
      .selectFrom("jobs")
      .select("status")
      .where("type", "=", "push.deliver")
      .execute();
    assert.deepEqual(left, [], "not retried");
  });
});
