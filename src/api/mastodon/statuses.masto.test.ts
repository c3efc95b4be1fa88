/** The statuses API through the real `masto` client, so the JSON shapes are what Mastodon apps expect. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRestAPIClient } from "masto";
import { startE2EServer } from "../../../test/e2e/server.ts";
import { createTestUser, STORES } from "../../../test/helpers/harness.ts";

for (const kind of STORES) {
  test(`masto client: post, poll, reply, context, favourite, reblog, edit, delete [${kind}]`, async () => {
    const srv = await startE2EServer(kind);
    try {
      const alice = await createTestUser(srv.ctx);
      const bob = await createTestUser(srv.ctx);
      const a = createRestAPIClient({ url: srv.url, accessToken: alice.token });
      const b = createRestAPIClient({ url: srv.url, accessToken: bob.token });

      const s = await a.v1.statuses.create({
        status: `Сәлем @${bob.account.username} #тест`,
        visibility: "public",
        language: "kk",
        poll: { options: ["иә", "жоқ"], expiresIn: 600 },
      });
      assert.equal(s.account.id, alice.account.id);
      assert.equal(s.mentions[0].id, bob.account.id);
      assert.equal(s.tags[0].name, "тест");
      assert.ok(s.poll);

      const voted = await b.v1.polls.$select(s.poll.id).votes.create({ choices: [1] });
      assert.deepEqual(voted.ownVotes, [1]);

      const reply = await b.v1.statuses.create({ status: "жауап", inReplyToId: s.id });
      const thread = await a.v1.statuses.$select(s.id).context.fetch();
      assert.deepEqual(
        thread.descendants.map((d) => d.id),
        [reply.id],
      );

      const faved = await b.v1.statuses.$select(s.id).favourite();
      assert.equal(faved.favourited, true);
      const boosted = await b.v1.statuses.$select(s.id).reblog();
      assert.equal(boosted.reblog?.id, s.id);
      const favBy = await a.v1.statuses.$select(s.id).favouritedBy.list();
      assert.deepEqual(
        favBy.map((x) => x.id),
        [bob.account.id],
      );

      const edited = await a.v1.statuses.$select(s.id).update({
        status: "Сәлем, түзетілді",
        poll: { options: ["иә", "жоқ"], expiresIn: 600 },
      });
      assert.ok(edited.editedAt);
      const history = await a.v1.statuses.$select(s.id).history.list();
      assert.equal(history.length, 2);
      const source = await a.v1.statuses.$select(s.id).source.fetch();
      assert.equal(source.text, "Сәлем, түзетілді");

      const bookmarks = await b.v1.statuses.$select(s.id).bookmark();
      assert.equal(bookmarks.bookmarked, true);
      const list = await b.v1.bookmarks.list();
      assert.deepEqual(
        list.map((x) => x.id),
        [s.id],
      );

      const removed = await a.v1.statuses.$select(s.id).remove();
      assert.equal(removed.text, "Сәлем, түзетілді");
      await assert.rejects(() => b.v1.statuses.$select(s.id).fetch(), /not found/i);
    } finally {
      await srv.close();
    }
  });
}
