/**
 * Mastodon 4.4–4.6 parity through the real masto.js client, on SQLite and PostgreSQL: what the
 * upstream masto.js end-to-end suite found missing (reblog wrapper flags, removal from followers,
 * indexed profile fields, registration details, allowed_mentions, the extended description) and
 * the features added with them (featured accounts, the profile API, collections, blur filters,
 * unread conversations, annual reports, the 4.4 version report).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import { STORES } from "../helpers/harness.ts";
import { type E2EServer, startE2EServer } from "./server.ts";

const REDIRECT = "http://127.0.0.1/callback";
const SCOPES = "read write follow push";

// biome-ignore lint/suspicious/noExplicitAny: a masto error's fields are read by name
type MastoError = any;

async function failure(p: Promise<unknown>): Promise<MastoError> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

for (const kind of STORES) {
  describe(`Mastodon 4.4–4.6 parity through masto.js [${kind}]`, () => {
    let srv: E2EServer;
    let asApp: mastodon.rest.Client;
    let anon: mastodon.rest.Client;
    const users: Record<string, { rest: mastodon.rest.Client; account: mastodon.v1.Account }> = {};

    before(async () => {
      srv = await startE2EServer(kind);
      anon = createRestAPIClient({ url: srv.url });
      const app = await anon.v1.apps.create({ clientName: "Parity", redirectUris: REDIRECT, scopes: SCOPES });
      const oauth = createOAuthAPIClient({ url: srv.url });
      const appToken = await oauth.token.create({
        grantType: "client_credentials",
        clientId: app.clientId!,
        clientSecret: app.clientSecret!,
        redirectUri: REDIRECT,
        scope: SCOPES,
      });
      asApp = createRestAPIClient({ url: srv.url, accessToken: appToken.accessToken });
      for (const u of ["aru", "bekzat", "symbat"]) {
        await asApp.v1.accounts.create({
          username: u,
          email: `${u}@example.kz`,
          password: `${u}-secret-pass`,
          agreement: true,
          locale: "kk",
        });
        const token = await oauth.token.create({
          grantType: "password",
          clientId: app.clientId!,
          clientSecret: app.clientSecret!,
          redirectUri: REDIRECT,
          scope: SCOPES,
          username: `${u}@example.kz`,
          password: `${u}-secret-pass`,
        });
        const rest = createRestAPIClient({ url: srv.url, accessToken: token.accessToken });
        users[u] = { rest, account: await rest.v1.accounts.verifyCredentials() };
      }
    });
    after(async () => {
      await srv?.close();
    });

    test("the reblog answer says reblogged; remove_from_followers; featured accounts", async () => {
      const { aru, bekzat } = users;
      const post = await aru.rest.v1.statuses.create({ status: "Бөлісіңіз" });
      const reblog = await bekzat.rest.v1.statuses.$select(post.id).reblog();
      assert.equal(reblog.reblogged, true);
      assert.equal(reblog.reblog?.reblogged, true);
      assert.equal((await bekzat.rest.v1.statuses.$select(post.id).unreblog()).reblogged, false);

      await bekzat.rest.v1.accounts.$select(aru.account.id).follow();
      await aru.rest.v1.accounts.$select(bekzat.account.id).removeFromFollowers();
      const [rel] = await aru.rest.v1.accounts.relationships.fetch({ id: [bekzat.account.id] });
      assert.equal(rel.followedBy, false);

      await aru.rest.v1.accounts.$select(bekzat.account.id).follow();
      assert.equal((await aru.rest.v1.accounts.$select(bekzat.account.id).endorse()).endorsed, true);
      assert.deepEqual(
        (await aru.rest.v1.endorsements.list()).map((a) => a.id),
        [bekzat.account.id],
      );
      assert.deepEqual(
        (await anon.v1.accounts.$select(aru.account.id).endorsements.list()).map((a) => a.id),
        [bekzat.account.id],
      );
      assert.equal((await aru.rest.v1.accounts.$select(bekzat.account.id).unpin()).endorsed, false);
      assert.equal((await aru.rest.v1.accounts.$select(bekzat.account.id).pin()).endorsed, true);
      await aru.rest.v1.accounts.$select(bekzat.account.id).unfollow();
      assert.deepEqual(await aru.rest.v1.endorsements.list(), []);
    });

    test("profile fields as masto sends them, the profile API, removing the avatar", async () => {
      const { symbat } = users;
      const me = await symbat.rest.v1.accounts.updateCredentials({
        fieldsAttributes: [{ name: "Қала", value: "Шымкент" }],
      });
      assert.deepEqual(
        me.fields.map((f) => [f.name, f.value]),
        [["Қала", "Шымкент"]],
      );
      // masto sends "undefined" for a field left unset: the fields stay
      await symbat.rest.v1.accounts.updateCredentials({ fieldsAttributes: undefined });
      assert.equal((await symbat.rest.v1.accounts.verifyCredentials()).fields.length, 1);

      const profile = await symbat.rest.v1.profile.update({
        avatarDescription: "Күлімсіреген қыз",
        showFeatured: false,
      });
      assert.equal(profile.avatarDescription, "Күлімсіреген қыз");
      assert.equal(profile.showFeatured, false);
      assert.equal(profile.avatar, null);
      assert.deepEqual((await symbat.rest.v1.profile.fetch()).fields, [
        { name: "Қала", value: "Шымкент", verifiedAt: null },
      ]);
      const reset = await symbat.rest.v1.profile.avatar.remove();
      assert.match(reset.avatar, /\/avatars\/original\/missing\.png$/);
      assert.equal((await symbat.rest.v1.profile.fetch()).avatarDescription, "");
    });

    test("registration errors carry details; allowed_mentions refuses unexpected accounts", async () => {
      const err = await failure(
        asApp.v1.accounts.create({ username: "", email: "", password: "", agreement: false, locale: "kk" }),
      );
      assert.equal(err.statusCode, 422);
      assert.deepEqual(err.details, {
        username: [{ error: "ERR_BLANK", description: "can't be blank" }],
        password: [{ error: "ERR_BLANK", description: "can't be blank" }],
        agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }],
      });
      const { aru, bekzat } = users;
      const refused = await failure(
        aru.rest.v1.statuses.create({ status: `@${bekzat.account.acct} сәлем`, allowedMentions: [] }),
      );
      assert.equal(refused.statusCode, 422);
      assert.deepEqual(
        refused.additionalProperties.unexpectedAccounts.map((a: { id: string }) => a.id),
        [bekzat.account.id],
      );
      const allowed = await aru.rest.v1.statuses.create({
        status: `@${bekzat.account.acct} сәлем`,
        allowedMentions: [bekzat.account.id],
      });
      assert.equal(allowed.mentions.length, 1);
    });

    test("instance: 4.4 API, extended description, annual reports, blur filters, unread conversations", async () => {
      const instance = await anon.v2.instance.fetch();
      assert.equal(instance.apiVersions.mastodon, 6);
      assert.equal(instance.configuration.accounts.maxAvatarDescriptionLength, 150);
      assert.deepEqual(await anon.v1.instance.extendedDescription.fetch(), { content: "", updatedAt: null });

      const { aru, bekzat } = users;
      assert.equal((await aru.rest.v1.annualReports.$select("2026").state.fetch()).state, "ineligible");
      await aru.rest.v1.annualReports.$select("2026").generate();

      const filter = await aru.rest.v2.filters.create({
        title: "Қан",
        context: ["home"],
        filterAction: "blur",
        keywordsAttributes: [{ keyword: "қан" }],
      });
      assert.equal(filter.filterAction, "blur");
      await aru.rest.v1.accounts.$select(bekzat.account.id).follow();
      const post = await bekzat.rest.v1.statuses.create({ status: "қан тапсыру күні" });
      let seen: mastodon.v1.Status | undefined;
      for (let i = 0; i < 100 && !seen; i++) {
        seen = (await aru.rest.v1.timelines.home.list()).find((s) => s.id === post.id);
        if (!seen) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(seen?.filtered?.[0]?.filter.filterAction, "blur");

      const dm = await bekzat.rest.v1.statuses.create({
        status: `@${aru.account.acct} жеке`,
        visibility: "direct",
      });
      let conversation: mastodon.v1.Conversation | undefined;
      for (let i = 0; i < 100 && !conversation; i++) {
        conversation = (await aru.rest.v1.conversations.list()).find((c) => c.lastStatus?.id === dm.id);
        if (!conversation) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(conversation);
      assert.equal((await aru.rest.v1.conversations.$select(conversation.id).read()).unread, false);
      assert.equal((await aru.rest.v1.conversations.$select(conversation.id).unread()).unread, true);
    });

    test("collections: create, fetch with accounts, update, list, in_collections, revoke, remove", async () => {
      const { aru, bekzat, symbat } = users;
      const { collection } = await aru.rest.v1.collections.create({
        name: "Жазушылар",
        discoverable: true,
        accountIds: [bekzat.account.id],
      });
      const fetched = await symbat.rest.v1.collections.$select(collection.id).fetch();
      assert.deepEqual(
        fetched.accounts.map((a) => a.id),
        [bekzat.account.id],
      );
      const updated = await aru.rest.v1.collections.$select(collection.id).update({ name: "Ақындар" });
      assert.equal(updated.collection.name, "Ақындар");
      const listed = await anon.v1.accounts.$select(aru.account.id).collections.list();
      assert.deepEqual(
        listed.collections.map((c) => c.name),
        ["Ақындар"],
      );
      const featured = await bekzat.rest.v1.accounts.$select(bekzat.account.id).inCollections.list();
      assert.deepEqual(
        featured.collections.map((c) => c.id),
        [collection.id],
      );
      const item = updated.collection.items[0];
      await bekzat.rest.v1.collections.$select(collection.id).items.$select(item.id).revoke();
      assert.equal((await aru.rest.v1.collections.$select(collection.id).fetch()).collection.itemCount, 0);
      await aru.rest.v1.collections.$select(collection.id).remove();
      assert.deepEqual((await anon.v1.accounts.$select(aru.account.id).collections.list()).collections, []);
    });
  });
}
