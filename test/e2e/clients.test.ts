/**
 * What Mastodon 4.3 apps (Elk, Phanpy, Tusky, Ivory, masto.js) call at start-up and in normal use
 * beyond the core microblog, through the real masto.js client on SQLite and PostgreSQL: grouped
 * notifications and the notification policy, search, hashtags (followed tags reach the home
 * timeline), featured tags, domain blocks, reports, the directory and suggestions, and the
 * endpoints of features Torgai does not offer, which must fail as Mastodon does — never a 404 route.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import { STORES } from "../helpers/harness.ts";
import { type E2EServer, eventually, startE2EServer, statusCodeOf } from "./server.ts";

const REDIRECT = "http://127.0.0.1/callback";
const SCOPES = "read write follow push";

for (const kind of STORES) {
  describe(`Mastodon 4.3 client conformance through masto.js [${kind}]`, () => {
    let srv: E2EServer;
    let aigerim: mastodon.rest.Client;
    let bolat: mastodon.rest.Client;
    let dana: mastodon.rest.Client;
    let anon: mastodon.rest.Client;
    let me: { a: mastodon.v1.Account; b: mastodon.v1.Account; d: mastodon.v1.Account };
    let tokenOf: Record<string, string>;

    before(async () => {
      srv = await startE2EServer(kind);
      anon = createRestAPIClient({ url: srv.url });
      const app = await anon.v1.apps.create({
        clientName: "Conformance",
        redirectUris: REDIRECT,
        scopes: SCOPES,
      });
      const oauth = createOAuthAPIClient({ url: srv.url });
      const appToken = await oauth.token.create({
        grantType: "client_credentials",
        clientId: app.clientId!,
        clientSecret: app.clientSecret!,
        redirectUri: REDIRECT,
        scope: SCOPES,
      });
      const asApp = createRestAPIClient({ url: srv.url, accessToken: appToken.accessToken });
      tokenOf = {};
      for (const u of ["aigerim", "bolat", "dana"]) {
        await asApp.v1.accounts.create({
          username: u,
          email: `${u}@example.kz`,
          password: `${u}-secret-pass`,
          agreement: true,
          locale: "kk",
        });
        tokenOf[u] = (
          await oauth.token.create({
            grantType: "password",
            clientId: app.clientId!,
            clientSecret: app.clientSecret!,
            redirectUri: REDIRECT,
            scope: SCOPES,
            username: `${u}@example.kz`,
            password: `${u}-secret-pass`,
          })
        ).accessToken;
      }
      aigerim = createRestAPIClient({ url: srv.url, accessToken: tokenOf.aigerim });
      bolat = createRestAPIClient({ url: srv.url, accessToken: tokenOf.bolat });
      dana = createRestAPIClient({ url: srv.url, accessToken: tokenOf.dana });
      me = {
        a: await aigerim.v1.accounts.verifyCredentials(),
        b: await bolat.v1.accounts.verifyCredentials(),
        d: await dana.v1.accounts.verifyCredentials(),
      };
    });
    after(async () => {
      await srv?.close();
    });

    test("grouped notifications (v2): groups, samples, statuses, unread count, one group, dismiss", async () => {
      const post = await aigerim.v1.statuses.create({ status: "Топтау сынағы", visibility: "public" });
      await bolat.v1.statuses.$select(post.id).favourite();
      await dana.v1.statuses.$select(post.id).favourite();
      await bolat.v1.accounts.$select(me.a.id).follow();
      await dana.v1.accounts.$select(me.a.id).follow();
      await dana.v1.statuses.create({ status: "@aigerim сәлем!" });

      const res = await eventually(async () => {
        const r = await aigerim.v2.notifications.list();
        return r.notificationGroups.length >= 3 ? r : null;
      }, "three notification groups");
      assert.deepEqual(
        res.notificationGroups.map((g) => g.type),
        ["mention", "follow", "favourite"],
      );
      const [mention, follow, fav] = res.notificationGroups;
      assert.match(mention.groupKey, /^ungrouped-\d+$/);
      assert.equal(mention.notificationsCount, 1);
      assert.match(follow.groupKey, /^follow-\d+$/);
      assert.equal(follow.notificationsCount, 2);
      assert.deepEqual(follow.sampleAccountIds, [me.d.id, me.b.id], "newest account first");
      assert.equal(fav.notificationsCount, 2);
      assert.equal((fav as { statusId: string }).statusId, post.id);
      assert.match(fav.groupKey, new RegExp(`^favourite-${post.id}-\\d+$`));
      assert.ok(fav.pageMinId && fav.pageMaxId && fav.latestPageNotificationAt);
      assert.equal(fav.mostRecentNotificationId, fav.pageMaxId);
      assert.ok(res.statuses.some((s) => s.id === post.id));
      assert.deepEqual(new Set(res.accounts.map((a) => a.id)), new Set([me.b.id, me.d.id]));

      // the v1 entity carries the same group key
      const v1 = await aigerim.v1.notifications.list({ types: ["follow"] });
      assert.ok(v1.every((n) => n.groupKey === follow.groupKey));

      // grouped_types narrows grouping; partial_avatars sends only each group's newest account
      const flat = await aigerim.v2.notifications.list({ groupedTypes: ["favourite"] });
      assert.equal(flat.notificationGroups.filter((g) => g.type === "follow").length, 2);
      const partial = await aigerim.v2.notifications.list({ expandAccounts: "partial_avatars" });
      assert.deepEqual(partial.accounts.map((a) => a.id).sort(), [me.d.id]);
      assert.deepEqual(
        partial.partialAccounts?.map((a) => a.id),
        [me.b.id],
      );
      assert.equal(
        await statusCodeOf(aigerim.v2.notifications.list({ expandAccounts: "nope" as "full" })),
        422,
      );

      // Link pagination walks the groups
      const pages = aigerim.v2.notifications.list({ limit: 2 }).values();
      const first = await pages.next();
      assert.equal(first.value?.notificationGroups.length, 2);
      const second = await pages.next();
      assert.ok((second.value?.notificationGroups.length ?? 0) >= 1);
      assert.ok(
        BigInt(second.value!.notificationGroups[0].mostRecentNotificationId) <
          BigInt(first.value!.notificationGroups[1].mostRecentNotificationId),
      );

      assert.equal((await aigerim.v2.notifications.unreadCount.fetch()).count, 3);
      await aigerim.v1.markers.create({ notifications: { lastReadId: mention.mostRecentNotificationId } });
      assert.equal((await aigerim.v2.notifications.unreadCount.fetch()).count, 0);

      const one = await aigerim.v2.notifications.$select(follow.groupKey).fetch();
      assert.equal(one.notificationGroups[0].notificationsCount, 2);
      const accounts = await aigerim.v2.notifications.$select(follow.groupKey).accounts.fetch();
      assert.deepEqual(
        accounts.map((a) => a.id),
        [me.d.id, me.b.id],
      );
      assert.equal(await statusCodeOf(bolat.v2.notifications.$select(follow.groupKey).fetch()), 404);
      await aigerim.v2.notifications.$select(follow.groupKey).dismiss();
      const after = await aigerim.v2.notifications.list();
      assert.ok(!after.notificationGroups.some((g) => g.type === "follow"));
    });

    test("notification policy: Mastodon's defaults, and an update is kept (flows: scheduled-and-requests.test.ts)", async () => {
      const policy = await aigerim.v2.notifications.policy.fetch();
      assert.equal(policy.forNotFollowing, "accept");
      assert.equal(policy.forPrivateMentions, "filter");
      assert.equal(policy.summary.pendingRequestsCount, 0);
      const updated = await aigerim.v2.notifications.policy.update({ forNewAccounts: "filter" });
      assert.equal(updated.forNewAccounts, "filter");
      await aigerim.v2.notifications.policy.update({ forNewAccounts: "accept" });
      assert.deepEqual(await aigerim.v1.notifications.requests.list(), []);
      assert.deepEqual(await aigerim.v1.notifications.requests.merged.fetch(), { merged: true });
    });

    test("search: accounts by prefix and acct, hashtags by prefix, statuses by URL", async () => {
      const host = new URL(srv.url).host;
      const byPrefix = await dana.v2.search.list({ q: "bol", type: "accounts" });
      assert.deepEqual(
        byPrefix.accounts.map((a) => a.id),
        [me.b.id],
      );
      const byAcct = await dana.v2.search.list({ q: `@aigerim@${host}` });
      assert.equal(byAcct.accounts[0]?.id, me.a.id);

      const tagged = await bolat.v1.statuses.create({ status: "Алматы таулары #Қазақстан #KazakhSteppe" });
      const tags = await dana.v2.search.list({ q: "#қаз", type: "hashtags" });
      assert.deepEqual(
        tags.hashtags.map((t) => t.name),
        ["Қазақстан"],
      );
      assert.equal(tags.hashtags[0].history?.length, 7);
      assert.deepEqual((await dana.v2.search.list({ q: "kazakhst" })).hashtags[0]?.name, "KazakhSteppe");

      const found = await dana.v2.search.list({ q: tagged.url!, resolve: true });
      assert.deepEqual(
        found.statuses.map((s) => s.id),
        [tagged.id],
      );
      const priv = await bolat.v1.statuses.create({ status: "жеке", visibility: "private" });
      assert.deepEqual((await dana.v2.search.list({ q: priv.uri })).statuses, []);
      assert.deepEqual((await bolat.v2.search.list({ q: priv.uri })).statuses[0]?.id, priv.id);
      // a word query finds no statuses until full-text search arrives
      assert.deepEqual((await dana.v2.search.list({ q: "Алматы", type: "statuses" })).statuses, []);
      // anonymous search works, but not paging
      assert.equal((await anon.v2.search.list({ q: "aig" })).accounts[0]?.id, me.a.id);
      assert.equal(await statusCodeOf(anon.v2.search.list({ q: "aig", offset: 5 })), 401);
    });

    test("hashtags: Tag entity, follow/unfollow, followed_tags, and followed tags fill the home", async () => {
      const unknown = await aigerim.v1.tags.$select("жаңатег").fetch();
      assert.equal(unknown.name, "жаңатег");
      assert.equal(unknown.following, false);
      assert.equal(unknown.history?.length, 7);
      assert.equal(await statusCodeOf(aigerim.v1.tags.$select("not a tag!").fetch()), 404);

      const followed = await aigerim.v1.tags.$select("Тоқаш").follow();
      assert.equal(followed.following, true);
      // until a public post uses it, a tag is listed under its case-folded name
      assert.deepEqual(
        (await aigerim.v1.followedTags.list()).map((t) => t.name),
        ["тоқаш"],
      );

      // Dana is not followed by Aigerim; her public #тоқаш post still reaches Aigerim's home
      const pub = await dana.v1.statuses.create({ status: "Ыстық #тоқаш", visibility: "public" });
      const unl = await dana.v1.statuses.create({ status: "Тағы #тоқаш", visibility: "unlisted" });
      await eventually(async () => {
        const home = await aigerim.v1.timelines.home.list({ limit: 40 });
        return home.some((s) => s.id === pub.id);
      }, "followed tag post in home");
      const home = await aigerim.v1.timelines.home.list({ limit: 40 });
      assert.ok(!home.some((s) => s.id === unl.id), "only public posts come through followed tags");

      const tag = await aigerim.v1.tags.$select("тоқаш").fetch();
      assert.equal(tag.following, true);
      assert.equal(tag.history?.[0]?.uses, "1", "the unlisted post does not count");
      const unfollowed = await aigerim.v1.tags.$select("тоқаш").unfollow();
      assert.equal(unfollowed.following, false);
      assert.deepEqual(await aigerim.v1.followedTags.list(), []);
    });

    test("featured tags: create, list on the profile, suggestions, remove", async () => {
      await bolat.v1.statuses.create({ status: "#Домбыра туралы" });
      const suggestions = await bolat.v1.featuredTags.suggestions.list();
      assert.ok(suggestions.some((t) => t.name === "Домбыра"));
      const f = await bolat.v1.featuredTags.create({ name: "Домбыра" });
      assert.equal(f.name, "Домбыра");
      assert.equal(f.statusesCount, "1" as unknown as number, "Mastodon sends the count as a string");
      assert.match(f.url, /\/tagged\//);
      assert.deepEqual(
        (await bolat.v1.featuredTags.list()).map((t) => t.id),
        [f.id],
      );
      assert.deepEqual(
        (await anon.v1.accounts.$select(me.b.id).featuredTags.list()).map((t) => t.name),
        ["Домбыра"],
      );
      await bolat.v1.featuredTags.$select(f.id).remove();
      assert.deepEqual(await bolat.v1.featuredTags.list(), []);
    });

    test("domain blocks: store, list, remove, refuse nonsense", async () => {
      await dana.v1.domainBlocks.create({ domain: "Spam.Example" });
      await dana.v1.domainBlocks.create({ domain: "spam.example" });
      assert.deepEqual(await dana.v1.domainBlocks.list(), ["spam.example"]);
      assert.equal(await statusCodeOf(dana.v1.domainBlocks.create({ domain: "not a domain" })), 422);
      await dana.v1.domainBlocks.remove({ domain: "spam.example" });
      assert.deepEqual(await dana.v1.domainBlocks.list(), []);
    });

    test("reports are stored and answered with the Report entity", async () => {
      const s = await bolat.v1.statuses.create({ status: "жарнама жарнама" });
      const report = await dana.v1.reports.create({
        accountId: me.b.id,
        statusIds: [s.id],
        comment: "спам",
        category: "spam",
      });
      assert.equal(report.targetAccount.id, me.b.id);
      assert.equal(report.category, "spam");
      assert.deepEqual(report.statusIds, [s.id]);
      assert.equal(report.actionTaken, false);
      const rows = await srv.ctx.db.selectFrom("reports").selectAll().where("id", "=", report.id).execute();
      assert.equal(rows.length, 1);
      const other = await aigerim.v1.statuses.create({ status: "басқа" });
      assert.equal(
        await statusCodeOf(dana.v1.reports.create({ accountId: me.b.id, statusIds: [other.id] })),
        404,
      );
    });

    test("directory and follow suggestions", async () => {
      const dir = await anon.v1.directory.list({ local: true, order: "new" });
      assert.deepEqual(
        dir.map((a) => a.id),
        [me.d.id, me.b.id, me.a.id],
      );
      const active = await dana.v1.directory.list({ order: "active", limit: 1 });
      assert.equal(active.length, 1);
      const v2 = await bolat.v2.suggestions.list();
      assert.ok(
        v2.every((s) => s.account.id !== me.b.id && s.account.id !== me.a.id),
        "not self, not followed",
      );
      assert.ok(v2.some((s) => s.account.id === me.d.id));
      const v1 = await bolat.v1.suggestions.list();
      assert.deepEqual(
        v1.map((a) => a.id),
        v2.map((s) => s.account.id),
      );
    });

    test("Web Push subscription through masto.js: create, fetch, update, remove", async () => {
      assert.equal(await statusCodeOf(aigerim.v1.push.subscription.fetch()), 404);
      const keys = {
        p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth: "tBHItJI5svbpez7KI4CCXg",
      };
      const created = await aigerim.v1.push.subscription.create({
        subscription: { endpoint: "https://push.example/x", keys },
        data: { alerts: { mention: true, follow: true } },
        policy: "follower",
      });
      const instance = await anon.v2.instance.fetch();
      assert.ok(instance.configuration.vapid.publicKey, "a VAPID key: clients offer Web Push");
      assert.equal(created.serverKey, instance.configuration.vapid.publicKey);
      assert.equal(created.endpoint, "https://push.example/x");
      assert.equal(created.alerts.mention, true);
      assert.equal(created.alerts.favourite, false);
      assert.equal(created.policy, "follower", "masto.js sends policy beside data");
      const updated = await aigerim.v1.push.subscription.update({ data: { alerts: { favourite: true } } });
      assert.equal(updated.id, created.id);
      assert.equal(updated.alerts.favourite, true);
      assert.equal(updated.alerts.mention, false, "data is replaced, as in Mastodon");
      assert.equal((await aigerim.v1.push.subscription.fetch()).id, created.id);
      const bad = aigerim.v1.push.subscription.create({
        subscription: { endpoint: "http://127.0.0.1/x", keys },
        policy: "all",
      });
      assert.equal(await statusCodeOf(bad), 422, "loopback push endpoints are refused");
      await aigerim.v1.push.subscription.remove();
      assert.equal(await statusCodeOf(aigerim.v1.push.subscription.fetch()), 404);
    });

    test("features Torgai lacks fail as Mastodon does for a disabled feature", async () => {
      const instance = await anon.v2.instance.fetch();
      assert.ok(instance.configuration.urls.streaming.startsWith("ws"));

      assert.deepEqual(await aigerim.v1.endorsements.list(), []);
      assert.deepEqual(await aigerim.v1.scheduledStatuses.list(), []);
      assert.equal(await statusCodeOf(aigerim.v1.scheduledStatuses.$select("1").fetch()), 404);
      const media = await statusCodeOf(
        aigerim.v2.media.create({ file: new Blob(["x"], { type: "image/png" }), skipPolling: true }),
      );
      assert.equal(media, 422);
      assert.equal((await aigerim.v1.profile.avatar.remove()).id, me.a.id);
      const own = await aigerim.v1.statuses.create({ status: "аудар" });
      assert.equal(await statusCodeOf(aigerim.v1.statuses.$select(own.id).translate({ lang: "en" })), 503);
      assert.equal(await statusCodeOf(aigerim.v1.admin.accounts.list()), 403);
      assert.deepEqual(await anon.v1.instance.languages.list(), [
        { code: "kk", name: "Kazakh" },
        { code: "ru", name: "Russian" },
        { code: "en", name: "English" },
      ]);
      const trends = await anon.v1.trends.tags.list();
      assert.ok(Array.isArray(trends));
    });
  });
}
