import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { remoteActor } from "../../../test/helpers/activitypub.ts";
import { describeStores } from "../../../test/helpers/harness.ts";
import {
  findAccountByKeyId,
  findAccountByUri,
  findMentionedAccounts,
  upsertRemoteAccount,
} from "./remote.ts";

describeStores("remote accounts", (get) => {
  test("a first sighting inserts the account with everything the actor says", async () => {
    const ctx = get();
    const actor = remoteActor({ alsoKnownAs: ["https://old.example/users/x"], type: "Service", bot: true });
    const row = await upsertRemoteAccount(ctx, actor);
    assert.equal(row.username, actor.username);
    assert.equal(row.domain, "remote.example");
    assert.equal(row.uri, actor.uri);
    assert.equal(row.url, actor.url);
    assert.equal(row.display_name, "Remote Person");
    assert.equal(row.note, "<p>bio</p>");
    assert.equal(row.note_source, "");
    assert.deepEqual(JSON.parse(row.fields), [
      { name: "site", value: actor.fields[0]?.value, verified_at: null },
    ]);
    assert.equal(row.avatar_url, actor.avatarUrl);
    assert.equal(row.header_url, actor.headerUrl);
    assert.equal(row.bot, 1);
    assert.equal(row.actor_type, "Service");
    assert.equal(row.discoverable, 1);
    assert.equal(row.indexable, 0);
    assert.equal(row.inbox_url, actor.inbox);
    assert.equal(row.shared_inbox_url, actor.sharedInbox);
    assert.equal(row.outbox_url, actor.outbox);
    assert.equal(row.followers_url, actor.followers);
    assert.equal(row.following_url, actor.following);
    assert.equal(row.featured_url, actor.featured);
    assert.equal(row.featured_tags_url, actor.featuredTags);
    assert.equal(row.public_key_pem, actor.publicKeyPem);
    assert.equal(row.public_key_id, actor.publicKeyId);
    assert.deepEqual(JSON.parse(row.also_known_as), ["https://old.example/users/x"]);
    assert.equal(row.created_at, "2020-01-01T00:00:00.000Z");
    assert.ok(row.fetched_at);
    assert.equal((await findAccountByKeyId(ctx, `${actor.uri}#main-key`))?.id, row.id);
  });

  test("a later document updates the same row; counters and the first-seen date stay", async () => {
    const ctx = get();
    const actor = remoteActor();
    const first = await upsertRemoteAccount(ctx, actor);
    await ctx.db.updateTable("accounts").set({ followers_count: 5 }).where("id", "=", first.id).execute();
    const second = await upsertRemoteAccount(ctx, {
      ...actor,
      displayName: "New name",
      locked: true,
      avatarUrl: null,
      publicKeyPem: "-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----\n",
      published: "2024-01-01T00:00:00.000Z",
    });
    assert.equal(second.id, first.id);
    assert.equal(second.display_name, "New name");
    assert.equal(second.locked, 1);
    assert.equal(second.avatar_url, null);
    assert.match(second.public_key_pem ?? "", /BBBB/);
    assert.equal(second.followers_count, 5);
    assert.equal(second.created_at, first.created_at);
    const rows = await ctx.db.selectFrom("accounts").select("id").where("uri", "=", actor.uri).execute();
    assert.equal(rows.length, 1);
  });

  test("a renamed actor keeps its row; a stale row holding the new handle steps aside", async () => {
    const ctx = get();
    const actor = remoteActor();
    const row = await upsertRemoteAccount(ctx, actor);
    const renamed = await upsertRemoteAccount(ctx, { ...actor, username: `${actor.username}_new` });
    assert.equal(renamed.id, row.id);
    assert.equal(renamed.username, `${actor.username}_new`);

    // the server gives the old handle to a new actor (another uri)
    const successor = await upsertRemoteAccount(
      ctx,
      remoteActor({ username: `${actor.username}_new`, uri: `${actor.uri}/v2` }),
    );
    assert.notEqual(successor.id, row.id);
    assert.equal(successor.username, `${actor.username}_new`);
    const stale = await findAccountByUri(ctx, actor.uri);
    assert.equal(stale?.username, `${actor.username}_new~${row.id}`);
  });

  test("the same new actor stored twice at once gives one row", async () => {
    const ctx = get();
    const actor = remoteActor();
    const [a, b] = await Promise.all([upsertRemoteAccount(ctx, actor), upsertRemoteAccount(ctx, actor)]);
    assert.equal(a.id, b.id);
    const rows = await ctx.db.selectFrom("accounts").select("id").where("uri", "=", actor.uri).execute();
    assert.equal(rows.length, 1);
  });

  test("an actor claiming our domain, or a domain that is not its uri's, is refused", async () => {
    const ctx = get();
    await assert.rejects(upsertRemoteAccount(ctx, remoteActor({ domain: ctx.config.domain })), /domain/);
    await assert.rejects(
      upsertRemoteAccount(ctx, remoteActor({ uri: "https://real.example/users/x", domain: "other.example" })),
      /domain/,
    );
  });

  test("emojis are stored for the actor's domain, a newer image replacing the old", async () => {
    const ctx = get();
    const domain = `e${randomBytes(3).toString("hex")}.example`;
    await upsertRemoteAccount(
      ctx,
      remoteActor({ domain, emojis: [{ shortcode: "blob", url: `https://${domain}/1.png` }] }),
    );
    await upsertRemoteAccount(
      ctx,
      remoteActor({ domain, emojis: [{ shortcode: "blob", url: `https://${domain}/2.png` }] }),
    );
    const emojis = await ctx.db
      .selectFrom("custom_emojis")
      .selectAll()
      .where("domain", "=", domain)
      .execute();
    assert.deepEqual(
      emojis.map((e) => [e.shortcode, e.url, e.visible_in_picker]),
      [["blob", `https://${domain}/2.png`, 0]],
    );
  });

  test("movedTo points at the new account when we know it and it names the old one as an alias", async () => {
    const ctx = get();
    const old = remoteActor();
    const target = await upsertRemoteAccount(
      ctx,
      remoteActor({ domain: "new.example", alsoKnownAs: [old.uri] }),
    );
    const moved = await upsertRemoteAccount(ctx, { ...old, movedTo: target.uri });
    assert.equal(moved.moved_to_account_id, target.id);
    const claimed = await upsertRemoteAccount(ctx, remoteActor({ movedTo: target.uri }));
    assert.equal(claimed.moved_to_account_id, null, "an alias the target does not confirm is not believed");
    const unknown = await upsertRemoteAccount(ctx, remoteActor({ movedTo: "https://nowhere.example/u/x" }));
    assert.equal(unknown.moved_to_account_id, null);
  });

  test("mention hrefs find accounts by id or profile page, local and remote, suspended ones left out", async () => {
    const ctx = get();
    const remote = await upsertRemoteAccount(ctx, remoteActor());
    const suspended = await upsertRemoteAccount(ctx, remoteActor());
    await ctx.db
      .updateTable("accounts")
      .set({ suspended_at: ctx.now().toISOString() })
      .where("id", "=", suspended.id)
      .execute();
    const { createTestUser } = await import("../../../test/helpers/harness.ts");
    const local = await createTestUser(ctx);
    const found = await findMentionedAccounts(ctx, [
      remote.uri,
      local.account.url,
      suspended.uri,
      "https://nowhere.example/u/x",
    ]);
    assert.deepEqual(
      [...found].map(([href, a]) => [href, a.id]),
      [
        [remote.uri, remote.id],
        [local.account.url, local.account.id],
      ],
    );
  });
});
