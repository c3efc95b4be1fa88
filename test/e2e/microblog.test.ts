/**
 * End to end through the real masto.js client against a running server (HTTP, WebSocket streaming,
 * background worker), on SQLite and on PostgreSQL: register, sign in through the HTML OAuth page,
 * post, follow, interact, get notified, paginate, stream — and never see what one may not see.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient, type mastodon } from "masto";
import { STORES } from "../helpers/harness.ts";
import { pkce, signInWithBrowser } from "./oauth-browser.ts";
import { type E2EServer, eventually, startE2EServer, statusCodeOf } from "./server.ts";

const REDIRECT = "http://127.0.0.1/callback";
const SCOPES = "read write follow push";

for (const kind of STORES) {
  describe(`microblog through masto.js [${kind}]`, () => {
    let srv: E2EServer;
    let app: mastodon.v1.Client;
    let aigerim: mastodon.rest.Client;
    let bolat: mastodon.rest.Client;
    let dana: mastodon.rest.Client;
    let aigerimToken: string;
    let bolatToken: string;
    let me: { a: mastodon.v1.Account; b: mastodon.v1.Account; d: mastodon.v1.Account };

    before(async () => {
      srv = await startE2EServer(kind);
    });
    after(async () => {
      await srv?.close();
    });

    test("a client registers an app, registers users, and they sign in", async () => {
      const anon = createRestAPIClient({ url: srv.url });
      app = await anon.v1.apps.create({ clientName: "E2E client", redirectUris: REDIRECT, scopes: SCOPES });
      assert.ok(app.clientId && app.clientSecret);
      const oauth = createOAuthAPIClient({ url: srv.url });
      const appToken = await oauth.token.create({
        grantType: "client_credentials",
        clientId: app.clientId!,
        clientSecret: app.clientSecret!,
        redirectUri: REDIRECT,
        scope: SCOPES,
      });
      const asApp = createRestAPIClient({ url: srv.url, accessToken: appToken.accessToken });
      for (const username of ["aigerim", "bolat", "dana"]) {
        const t = await asApp.v1.accounts.create({
          username,
          email: `${username}@example.kz`,
          password: `${username}-secret-pass`,
          agreement: true,
          locale: "kk",
        });
        assert.ok(t.accessToken);
      }

      // Aigerim signs in the way a real app makes her: the browser page, then a code exchange with PKCE.
      const oauthSignIn = async () => {
        const { verifier, challenge } = pkce();
        const code = await signInWithBrowser({
          baseUrl: srv.url,
          clientId: app.clientId!,
          redirectUri: REDIRECT,
          scope: SCOPES,
          login: "aigerim@example.kz",
          password: "aigerim-secret-pass",
          codeChallenge: challenge,
        });
        const exchange = () =>
          oauth.token.create({
            grantType: "authorization_code",
            clientId: app.clientId!,
            clientSecret: app.clientSecret!,
            redirectUri: REDIRECT,
            code,
            codeVerifier: verifier,
          } as Parameters<typeof oauth.token.create>[0]);
        return { token: (await exchange()).accessToken, exchange };
      };
      const first = await oauthSignIn();
      const firstClient = createRestAPIClient({ url: srv.url, accessToken: first.token });
      assert.equal((await firstClient.v1.accounts.verifyCredentials()).username, "aigerim");
      // A code is single use; replaying it also revokes what it issued (RFC 6749 §4.1.2).
      assert.equal(await statusCodeOf(first.exchange()), 400);
      assert.equal(await statusCodeOf(firstClient.v1.accounts.verifyCredentials()), 401);
      aigerimToken = (await oauthSignIn()).token;

      // Bolat and Dana use the password grant (enabled only in test mode), by email as Mastodon does.
      const pw = async (u: string) =>
        (
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
      bolatToken = await pw("bolat");
      aigerim = createRestAPIClient({ url: srv.url, accessToken: aigerimToken });
      bolat = createRestAPIClient({ url: srv.url, accessToken: bolatToken });
      dana = createRestAPIClient({ url: srv.url, accessToken: await pw("dana") });
      me = {
        a: await aigerim.v1.accounts.verifyCredentials(),
        b: await bolat.v1.accounts.verifyCredentials(),
        d: await dana.v1.accounts.verifyCredentials(),
      };
      assert.equal(me.a.username, "aigerim");
      assert.equal(me.b.acct, "bolat");
    });

    test("posting, following and the home timeline", async () => {
      const p1 = await aigerim.v1.statuses.create({ status: "Сәлем, әлем! #Торғай", visibility: "public" });
      assert.match(p1.content, /Сәлем, әлем!/);
      assert.equal(p1.tags[0]?.name, "торғай");
      const own = await aigerim.v1.timelines.home.list({ limit: 5 });
      assert.equal(own[0]?.id, p1.id, "the author sees her post at once");

      const rel = await bolat.v1.accounts.$select(me.a.id).follow();
      assert.equal(rel.following, true);
      const [r] = await bolat.v1.accounts.relationships.fetch({ id: [me.a.id] });
      assert.equal(r.following, true);
      const p2 = await aigerim.v1.statuses.create({ status: "Екінші жазба", visibility: "public" });
      await eventually(async () => {
        const home = await bolat.v1.timelines.home.list({ limit: 20 });
        return home.some((s) => s.id === p2.id) && home.some((s) => s.id === p1.id);
      }, "Aigerim's posts in Bolat's home");
      const aFollowers = await aigerim.v1.accounts.$select(me.a.id).followers.list();
      assert.deepEqual(
        aFollowers.map((a) => a.id),
        [me.b.id],
      );
    });

    test("favourite, boost, reply, and notifications", async () => {
      const post = await aigerim.v1.statuses.create({ status: "Бүгін ауа райы керемет" });
      const fav = await bolat.v1.statuses.$select(post.id).favourite();
      assert.equal(fav.favourited, true);
      assert.equal(fav.favouritesCount, 1);
      const boost = await bolat.v1.statuses.$select(post.id).reblog();
      assert.equal(boost.reblog?.id, post.id);
      const reply = await bolat.v1.statuses.create({ status: "@aigerim иә, рас!", inReplyToId: post.id });
      assert.equal(reply.inReplyToId, post.id);
      assert.equal(reply.mentions[0]?.id, me.a.id);

      const ctx = await aigerim.v1.statuses.$select(post.id).context.fetch();
      assert.deepEqual(
        ctx.descendants.map((s) => s.id),
        [reply.id],
      );
      const fresh = await aigerim.v1.statuses.$select(post.id).fetch();
      assert.equal(fresh.reblogsCount, 1);
      assert.equal(fresh.repliesCount, 1);

      const types = await eventually(async () => {
        const list = await aigerim.v1.notifications.list({ limit: 30 });
        const t = new Set(list.map((n) => n.type));
        return ["follow", "favourite", "reblog", "mention"].every((x) => t.has(x as never)) ? list : null;
      }, "notifications");
      const favN = types.find((n) => n.type === "favourite");
      assert.equal(favN?.account.id, me.b.id);
      assert.equal(favN?.status?.id, post.id);
      const mentions = await aigerim.v1.notifications.list({ types: ["mention"] });
      assert.ok(mentions.length >= 1 && mentions.every((n) => n.type === "mention"));
    });

    test("pagination follows the Link headers through the whole home timeline", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await aigerim.v1.statuses.create({ status: `Нөмір ${i}` })).id);
      await eventually(async () => {
        const home = await bolat.v1.timelines.home.list({ limit: 1 });
        return home[0]?.id === ids[24];
      }, "fan-out of 25 posts");
      const seen: string[] = [];
      for await (const page of bolat.v1.timelines.home.list({ limit: 10 })) {
        assert.ok(page.length <= 10);
        seen.push(...page.map((s) => s.id));
        if (seen.length > 200) break;
      }
      assert.equal(new Set(seen).size, seen.length, "no status twice");
      const sorted = [...seen].sort((x, y) => (BigInt(y) > BigInt(x) ? 1 : -1));
      assert.deepEqual(seen, sorted, "newest first");
      for (const id of ids) assert.ok(seen.includes(id), `status ${id} reached by paging`);
      // min_id pages towards newer posts
      const newer = await bolat.v1.timelines.home.list({ minId: ids[19], limit: 3 });
      assert.deepEqual(
        newer.map((s) => s.id),
        [ids[22], ids[21], ids[20]],
      );
    });

    test("streaming delivers new posts of followed accounts", async () => {
      const instance = await bolat.v2.instance.fetch();
      const streaming = createStreamingAPIClient({
        streamingApiUrl: instance.configuration.urls.streaming,
        accessToken: bolatToken,
        retry: false,
      });
      const sub = streaming.user.subscribe();
      try {
        const received = (async () => {
          for await (const event of sub) {
            if (event.event === "update" && event.payload.content.includes("Тікелей эфир"))
              return event.payload;
          }
          return null;
        })();
        await streaming.prepare(); // masto connects lazily; wait for the socket
        await new Promise((r) => setTimeout(r, 200)); // and for the subscribe message to arrive
        const post = await aigerim.v1.statuses.create({ status: "Тікелей эфир басталды" });
        const got = await Promise.race([received, new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
        assert.notEqual(got, "timeout", "no update event within 5 s");
        assert.equal((got as mastodon.v1.Status).id, post.id);
      } finally {
        sub.unsubscribe();
        streaming.close();
      }
    });

    test("followers-only and direct posts never reach anyone else", async () => {
      const priv = await aigerim.v1.statuses.create({ status: "Тек оқырмандарыма", visibility: "private" });
      const dm = await aigerim.v1.statuses.create({ status: "@bolat құпия хабар", visibility: "direct" });
      // Bolat follows Aigerim and is mentioned: he sees both.
      assert.equal((await bolat.v1.statuses.$select(priv.id).fetch()).id, priv.id);
      assert.equal((await bolat.v1.statuses.$select(dm.id).fetch()).id, dm.id);
      await eventually(async () => {
        const convs = await bolat.v1.conversations.list();
        return convs.some((c) => c.lastStatus?.id === dm.id);
      }, "direct conversation for Bolat");
      // Dana does not follow and is not mentioned: 404 everywhere, absent from every list.
      assert.equal(await statusCodeOf(dana.v1.statuses.$select(priv.id).fetch()), 404);
      assert.equal(await statusCodeOf(dana.v1.statuses.$select(dm.id).fetch()), 404);
      assert.equal(await statusCodeOf(dana.v1.statuses.$select(dm.id).favourite()), 404);
      assert.equal(await statusCodeOf(dana.v1.statuses.$select(priv.id).reblog()), 404);
      const ofA = await dana.v1.accounts.$select(me.a.id).statuses.list({ limit: 40 });
      const pub = await dana.v1.timelines.public.list({ limit: 40 });
      const anonPub = await createRestAPIClient({ url: srv.url }).v1.timelines.public.list({
        limit: 40,
        local: true,
      });
      const danaHome = await dana.v1.timelines.home.list({ limit: 40 });
      for (const list of [ofA, pub, anonPub, danaHome]) {
        assert.ok(!list.some((s) => s.id === priv.id || s.id === dm.id));
      }
      assert.ok(pub.length > 0, "public posts are visible");
      // Bolat may not boost a followers-only post of someone else.
      assert.notEqual(await statusCodeOf(bolat.v1.statuses.$select(priv.id).reblog()), 200);
    });

    test("edits keep history; deletes return the source; bad input gets clear errors", async () => {
      const post = await aigerim.v1.statuses.create({ status: "Қате жазба" });
      const edited = await aigerim.v1.statuses.$select(post.id).update({ status: "Түзетілген жазба" });
      assert.ok(edited.editedAt);
      const history = await bolat.v1.statuses.$select(post.id).history.list();
      assert.equal(history.length, 2);
      assert.match(history[0].content, /Қате жазба/);
      assert.equal(await statusCodeOf(bolat.v1.statuses.$select(post.id).update({ status: "хак" })), 404);
      const deleted = await aigerim.v1.statuses.$select(post.id).remove();
      assert.equal(deleted.text, "Түзетілген жазба");
      assert.equal(await statusCodeOf(bolat.v1.statuses.$select(post.id).fetch()), 404);

      assert.equal(await statusCodeOf(aigerim.v1.statuses.create({ status: "" })), 422);
      assert.equal(await statusCodeOf(aigerim.v1.statuses.create({ status: "x".repeat(5001) })), 422);
      const bad = createRestAPIClient({ url: srv.url, accessToken: "not-a-token" });
      assert.equal(await statusCodeOf(bad.v1.accounts.verifyCredentials()), 401);
      const readOnly = await createOAuthAPIClient({ url: srv.url }).token.create({
        grantType: "password",
        clientId: app.clientId!,
        clientSecret: app.clientSecret!,
        redirectUri: REDIRECT,
        scope: "read",
        username: "dana@example.kz",
        password: "dana-secret-pass",
      });
      const ro = createRestAPIClient({ url: srv.url, accessToken: readOnly.accessToken });
      assert.equal(await statusCodeOf(ro.v1.statuses.create({ status: "жаза алмаймын" })), 403);
    });
  });
}
