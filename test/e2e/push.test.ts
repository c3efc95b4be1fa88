/**
 * Web Push through a real server (HTTP and its job worker) and the real masto.js client, on SQLite
 * and PostgreSQL: an app subscribes with browser-made keys, someone mentions its user, and the push
 * service played here receives the message, checks the VAPID token against the key the instance
 * publishes, decrypts it, and the app uses what it carries to fetch the notification.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import { STORES } from "../helpers/harness.ts";
import { newUserAgent, openPush, type PushService, startPushService } from "../helpers/push-service.ts";
import { type E2EServer, eventually, startE2EServer } from "./server.ts";

const REDIRECT = "http://127.0.0.1/callback";
const SCOPES = "read write follow push";

for (const kind of STORES) {
  describe(`Web Push end to end through masto.js [${kind}]`, () => {
    let srv: E2EServer;
    let service: PushService;
    const clients: Record<string, mastodon.rest.Client> = {};
    const tokens: Record<string, string> = {};

    before(async () => {
      service = await startPushService();
      // the push service is on loopback: allowed here only
      srv = await startE2EServer(kind, { TORGAI_ALLOW_PRIVATE_NETWORK: "1" });
      const anon = createRestAPIClient({ url: srv.url });
      const app = await anon.v1.apps.create({ clientName: "Push", redirectUris: REDIRECT, scopes: SCOPES });
      const oauth = createOAuthAPIClient({ url: srv.url });
      const appToken = await oauth.token.create({
        grantType: "client_credentials",
        clientId: app.clientId ?? "",
        clientSecret: app.clientSecret ?? "",
        redirectUri: REDIRECT,
        scope: SCOPES,
      });
      const asApp = createRestAPIClient({ url: srv.url, accessToken: appToken.accessToken });
      for (const [u, locale] of [
        ["erlan", "kk"],
        ["olga", "ru"],
      ] as const) {
        await asApp.v1.accounts.create({
          username: u,
          email: `${u}@example.kz`,
          password: `${u}-secret-pass`,
          agreement: true,
          locale,
        });
        const t = await oauth.token.create({
          grantType: "password",
          clientId: app.clientId ?? "",
          clientSecret: app.clientSecret ?? "",
          redirectUri: REDIRECT,
          scope: SCOPES,
          username: `${u}@example.kz`,
          password: `${u}-secret-pass`,
        });
        tokens[u] = t.accessToken;
        clients[u] = createRestAPIClient({ url: srv.url, accessToken: t.accessToken });
      }
    });
    after(async () => {
      await srv?.close();
      await service?.close();
    });

    test("a mention reaches the phone: VAPID checks out, the payload decrypts and leads to the notification", async () => {
      const erlan = clients.erlan as mastodon.rest.Client;
      const olga = clients.olga as mastodon.rest.Client;
      const ua = newUserAgent();
      const sub = await olga.v1.push.subscription.create({
        subscription: { endpoint: `${service.url}/olga`, keys: ua.keys },
        data: { alerts: { mention: true } },
        policy: "all",
      });
      const instance = await createRestAPIClient({ url: srv.url }).v2.instance.fetch();
      assert.equal(sub.serverKey, instance.configuration.vapid.publicKey);

      await erlan.v1.statuses.create({ status: "@olga сәлем! Қалайсың?" });
      const push = await eventually(
        async () => service.received.find((r) => r.path === "/olga"),
        "a push message",
      );
      const opened = openPush(push, ua, instance.configuration.vapid.publicKey);
      assert.equal(opened.encoding, "aesgcm", "Mastodon's default for subscriptions without standard");
      assert.equal(opened.claims.aud, service.url);
      assert.equal(opened.json.notification_type, "mention");
      assert.equal(opened.json.preferred_locale, "ru");
      assert.equal(opened.json.title, "erlan упомянул(а) вас");
      assert.equal(opened.json.body, "@olga сәлем! Қалайсың?");
      assert.equal(opened.json.access_token, tokens.olga);

      // what the app does: fetch the notification with the token and id it was given
      const app = createRestAPIClient({ url: srv.url, accessToken: String(opened.json.access_token) });
      const n = await app.v1.notifications.$select(String(opened.json.notification_id)).fetch();
      assert.equal(n.type, "mention");
      assert.equal(n.account.username, "erlan");
      assert.equal(opened.json.icon, n.account.avatarStatic);

      // favourites are not among the alerts: nothing more arrives for them
      const mine = await olga.v1.statuses.create({ status: "менің жазбам" });
      await erlan.v1.statuses.$select(mine.id).favourite();
      await erlan.v1.statuses.create({ status: "@olga тағы бір" });
      await eventually(
        async () => service.received.filter((r) => r.path === "/olga").length >= 2,
        "the second mention",
      );
      const all = service.received.filter((r) => r.path === "/olga");
      assert.deepEqual(
        all.map((r) => openPush(r, ua, instance.configuration.vapid.publicKey).json.notification_type),
        ["mention", "mention"],
        "the favourite between the two mentions was not pushed",
      );
      await olga.v1.push.subscription.remove();
    });

    test("standard subscriptions get aes128gcm; a 410 from the push service ends the subscription", async () => {
      const erlan = clients.erlan as mastodon.rest.Client;
      const olga = clients.olga as mastodon.rest.Client;
      const ua = newUserAgent();
      // masto.js has no `standard` parameter: the app sends it as Mastodon documents it
      const res = await fetch(`${srv.url}/api/v1/push/subscription`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.erlan}`, "content-type": "application/json" },
        body: JSON.stringify({
          subscription: { endpoint: `${service.url}/erlan`, keys: ua.keys, standard: true },
          data: { alerts: { follow: true }, policy: "all" },
        }),
      });
      assert.equal(res.status, 200);
      service.answers.push(410);
      const me = await erlan.v1.accounts.verifyCredentials();
      await olga.v1.accounts.$select(me.id).follow();
      const push = await eventually(
        async () => service.received.find((r) => r.path === "/erlan"),
        "a push message",
      );
      const key = (await createRestAPIClient({ url: srv.url }).v2.instance.fetch()).configuration.vapid
        .publicKey;
      const opened = openPush(push, ua, key);
      assert.equal(opened.encoding, "aes128gcm");
      assert.equal(opened.json.notification_type, "follow");
      assert.equal(opened.json.title, "olga сізге жазылды");
      await eventually(
        async () =>
          (
            await fetch(`${srv.url}/api/v1/push/subscription`, {
              headers: { authorization: `Bearer ${tokens.erlan}` },
            })
          ).status === 404,
        "the subscription removed after 410",
      );
    });
  });
}
