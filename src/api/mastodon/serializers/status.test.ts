import assert from "node:assert/strict";
import { test } from "node:test";
import type { KyselyPlugin } from "kysely";
import { post } from "../../../../test/helpers/api.ts";
import { follow } from "../../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../../test/helpers/harness.ts";
import type { AppContext } from "../../../app.ts";
import type { Status } from "../../../store/schema.ts";
import { serializeStatuses } from "../present.ts";

function counting(ctx: AppContext): { ctx: AppContext; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { ctx: { ...ctx, db: ctx.db.withPlugin(plugin) }, count: () => n };
}

const STATUS_KEYS = [
  "account",
  "bookmarked",
  "card",
  "content",
  "created_at",
  "edited_at",
  "emojis",
  "favourited",
  "favourites_count",
  "filtered",
  "id",
  "in_reply_to_account_id",
  "in_reply_to_id",
  "language",
  "media_attachments",
  "mentions",
  "muted",
  "poll",
  "reblog",
  "reblogged",
  "reblogs_count",
  "replies_count",
  "sensitive",
  "spoiler_text",
  "tags",
  "uri",
  "url",
  "visibility",
];

describeStores("status serializer", (get) => {
  test("fixed number of queries whatever the number of statuses; Mastodon's keys", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    await follow(ctx, bob, alice);
    for (let i = 0; i < 12; i++) {
      const s = (
        await post(alice, {
          status: `@${bob.account.username} #t${i % 3} post ${i}`,
          ...(i % 4 === 0 ? { poll: { options: ["a", "b"], expires_in: 600 } } : {}),
        })
      ).body;
      if (i % 2 === 0) await bob.api(`/api/v1/statuses/${s.id}/reblog`, { method: "POST" });
      if (i % 3 === 0) await bob.api(`/api/v1/statuses/${s.id}/favourite`, { method: "POST" });
    }
    const rows: Status[] = await ctx.db.selectFrom("statuses").selectAll().orderBy("id", "desc").execute();
    const one = counting(ctx);
    await serializeStatuses(one.ctx, rows.slice(0, 6), bob.account);
    const many = counting(ctx);
    const out = await serializeStatuses(many.ctx, rows, bob.account);
    assert.equal(out.length, rows.length);
    assert.ok(
      many.count() <= one.count() + 1,
      `${many.count()} queries for ${rows.length} vs ${one.count()}`,
    );
    assert.ok(many.count() <= 12);
    const own = out.find((s) => s.account.id === alice.account.id && s.poll);
    assert.ok(own);
    // `pinned` and `application` appear only on the viewer's own statuses, as in Mastodon
    assert.deepEqual(Object.keys(own).sort(), STATUS_KEYS);
    const [mine] = await serializeStatuses(
      ctx,
      [rows.find((r) => r.account_id === alice.account.id) as Status],
      alice.account,
    );
    assert.deepEqual(Object.keys(mine).sort(), [...STATUS_KEYS, "application", "pinned"].sort());
    const reblog = out.find((s) => s.reblog);
    assert.ok(reblog?.reblog);
    assert.equal(reblog.reblog.reblogged, true);
    assert.equal(reblog.account.id, bob.account.id);
    const faved = out.filter((s) => !s.reblog && s.favourited).length;
    assert.equal(faved, 4);
    // a reblog shows its original's flags (as Mastodon's answer to the reblog call does)
    for (const w of out.filter((s) => s.reblog)) {
      assert.equal(w.reblogged, true);
      assert.equal(w.favourited, w.reblog?.favourited);
    }
  });
});
