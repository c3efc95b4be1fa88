import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { registerTestApp } from "../../../test/helpers/oauth.ts";
import { newUserAgent } from "../../../test/helpers/push-service.ts";

const PATH = "/api/v1/push/subscription";
const PASSWORD = "correct horse battery staple";

describeStores("Web Push subscription API", (get) => {
  test("form POST subscribes; GET shows it with the instance's key; one per token", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const ua = newUserAgent();
    const res = await alice.api(PATH, {
      form: {
        "subscription[endpoint]": "https://push.example.net/send/abc",
        "subscription[keys][p256dh]": ua.keys.p256dh,
        "subscription[keys][auth]": ua.keys.auth,
        "data[alerts][mention]": "true",
        "data[alerts][favourite]": "1",
        "data[alerts][follow]": "false",
        "data[alerts][admin.sign_up]": "true",
        "data[policy]": "followed",
      },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const sub: J = await res.json();
    const instance: J = await json(apiCaller(ctx)("/api/v2/instance"));
    const key = instance.configuration.vapid.public_key;
    assert.match(key, /^B[A-Za-z0-9_-]{86}$/, "an uncompressed P-256 point, base64url");
    assert.equal(sub.server_key, key);
    assert.equal(sub.endpoint, "https://push.example.net/send/abc");
    assert.equal(sub.standard, false, "Mastodon's default: the legacy encoding");
    assert.equal(sub.policy, "followed");
    assert.equal(sub.alerts.mention, true);
    assert.equal(sub.alerts.favourite, true);
    assert.equal(sub.alerts.follow, false);
    assert.equal(sub.alerts["admin.sign_up"], true);
    assert.equal(sub.alerts.quote, false, "every alert key is present");
    assert.equal(typeof sub.id, "string");

    const shown: J = await json(alice.api(PATH));
    assert.deepEqual(shown, sub);

    // the same token subscribing again replaces its subscription
    const again: J = await json(
      alice.api(PATH, {
        json: {
          subscription: { endpoint: "https://push.example.net/send/def", keys: ua.keys, standard: true },
          data: { alerts: { reblog: true }, policy: "all" },
        },
      }),
    );
    assert.notEqual(again.id, sub.id);
    assert.equal(again.standard, true);
    assert.equal(again.alerts.reblog, true);
    assert.equal(again.alerts.mention, false);
    const rows = await ctx.db
      .selectFrom("push_subscriptions")
      .select("id")
      .where("user_id", "=", alice.user.id)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [again.id],
    );
    // two requests racing with one token: both answered, one subscription left
    const racing = await Promise.all(
      [1, 2].map((n) =>
        alice.api(PATH, {
          json: { subscription: { endpoint: `https://push.example.net/race/${n}`, keys: ua.keys } },
        }),
      ),
    );
    assert.deepEqual(
      racing.map((r) => r.status),
      [200, 200],
    );
    const afterRace = await ctx.db
      .selectFrom("push_subscriptions")
      .select("endpoint")
      .where("user_id", "=", alice.user.id)
      .execute();
    assert.equal(afterRace.length, 1);
    assert.match(afterRace[0]?.endpoint ?? "", /\/race\/[12]$/);
    // the key is generated once: apps see the same one
    const registered: J = await json(
      apiCaller(ctx)("/api/v1/apps", {
        json: { client_name: "x", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" },
      }),
    );
    assert.equal(registered.vapid_key, key);
  });

  test("PUT replaces alerts and policy; DELETE removes; GET and PUT without one are 404", async () => {
    const ctx = get();
    const bob = await createTestUser(ctx);
    assert.equal((await bob.api(PATH)).status, 404);
    assert.equal((await bob.api(PATH, { method: "PUT", json: { data: { policy: "none" } } })).status, 404);
    const ua = newUserAgent();
    await bob.api(PATH, {
      json: {
        subscription: { endpoint: "https://push.example.net/b", keys: ua.keys },
        data: { alerts: { mention: true, poll: true } },
      },
    });
    const put = await bob.api(PATH, {
      method: "PUT",
      form: { "data[alerts][follow]": "true", "data[policy]": "follower" },
    });
    assert.equal(put.status, 200);
    const updated: J = await put.json();
    assert.equal(updated.policy, "follower");
    assert.equal(updated.alerts.follow, true);
    assert.equal(updated.alerts.mention, false, "data is replaced, as in Mastodon");
    assert.equal(updated.endpoint, "https://push.example.net/b");

    const del = await bob.api(PATH, { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), {});
    assert.equal((await bob.api(PATH)).status, 404);
    assert.equal((await bob.api(PATH, { method: "DELETE" })).status, 200, "deleting nothing is fine");
  });

  test("bad input answers 422 and writes nothing; scope push and a user are required", async () => {
    const ctx = get();
    const carol = await createTestUser(ctx);
    const ua = newUserAgent();
    const attempt = async (body: J) => {
      const res = await carol.api(PATH, { json: body });
      return { status: res.status, body: (await res.json()) as J };
    };
    const good = { endpoint: "https://push.example.net/c", keys: ua.keys };
    for (const [why, body] of [
      ["no subscription", {}],
      ["no endpoint", { subscription: { keys: ua.keys } }],
      ["no keys", { subscription: { endpoint: good.endpoint } }],
      ["not a URL", { subscription: { ...good, endpoint: "push me" } }],
      ["http endpoint", { subscription: { ...good, endpoint: "http://push.example.net/c" } }],
      ["loopback endpoint", { subscription: { ...good, endpoint: "https://127.0.0.1/c" } }],
      ["private endpoint", { subscription: { ...good, endpoint: "https://[fd00::1]/c" } }],
      ["localhost", { subscription: { ...good, endpoint: "https://localhost/c" } }],
      ["p256dh not a point", { subscription: { ...good, keys: { ...ua.keys, p256dh: "AAAA" } } }],
      ["p256dh not base64", { subscription: { ...good, keys: { ...ua.keys, p256dh: "not base64!" } } }],
      ["unknown policy", { subscription: good, data: { policy: "friends" } }],
    ] as const) {
      const r = await attempt(body);
      assert.equal(r.status, 422, `${why}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error, "string", why);
    }
    assert.equal((await carol.api(PATH)).status, 404, "nothing was written");

    const readOnly = await createTestUser(ctx, { scopes: ["read", "write"] });
    assert.equal((await readOnly.api(PATH, { json: { subscription: good } })).status, 403);
    assert.equal((await apiCaller(ctx)(PATH)).status, 401);
  });

  test("revoking the token removes its subscription; a refreshed token keeps it", async () => {
    const ctx = get();
    const dana = await createTestUser(ctx);
    const app = await registerTestApp(ctx, { scopes: "read push" });
    const api = apiCaller(ctx);
    const tokenFor = async () =>
      (await json(
        api("/oauth/token", {
          form: {
            grant_type: "password",
            username: dana.account.username,
            password: PASSWORD,
            client_id: app.client_id,
            client_secret: app.client_secret,
            scope: "read push",
          },
        }),
      )) as J;
    const subscribe = (token: string) =>
      api(PATH, {
        token,
        json: { subscription: { endpoint: "https://push.example.net/d", keys: newUserAgent().keys } },
      });

    const first = await tokenFor();
    assert.equal((await subscribe(first.access_token)).status, 200);
    const second = await tokenFor();
    assert.equal((await subscribe(second.access_token)).status, 200);
    assert.equal((await api(PATH, { token: second.access_token })).status, 200, "each token has its own");

    const revoked = await api("/oauth/revoke", {
      form: { token: first.access_token, client_id: app.client_id, client_secret: app.client_secret },
    });
    assert.equal(revoked.status, 200);
    const count = async () =>
      (
        await ctx.db
          .selectFrom("push_subscriptions")
          .select("id")
          .where("user_id", "=", dana.user.id)
          .execute()
      ).length;
    assert.equal(await count(), 1, "the revoked token's subscription is gone, the other stays");

    const refreshed: J = await json(
      api("/oauth/token", {
        form: {
          grant_type: "refresh_token",
          refresh_token: second.refresh_token,
          client_id: app.client_id,
          client_secret: app.client_secret,
        },
      }),
    );
    assert.ok(refreshed.access_token);
    const kept = await api(PATH, { token: refreshed.access_token });
    assert.equal(kept.status, 200, "the new token took the subscription over");
    assert.equal(((await kept.json()) as J).endpoint, "https://push.example.net/d");
    assert.equal(await count(), 1);
  });
});
