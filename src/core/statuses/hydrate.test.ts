import assert from "node:assert/strict";
import { test } from "node:test";
import type { KyselyPlugin } from "kysely";
import { post } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import type { Status } from "../../store/schema.ts";
import { createFilter } from "../filters.ts";
import { bookmarkStatus } from "./bookmark.ts";
import { reblogStatus } from "./boost.ts";
import { favouriteStatus } from "./favourite.ts";
import { hydrateStatuses, hydrateStatusesPartly, statusEntityCache, versionKey } from "./hydrate.ts";
import { pinStatus } from "./pin.ts";
import { votePoll } from "./polls.ts";
import { STATUS_KEY_COLUMNS, type StatusKey } from "./view.ts";

/** The context with every query that reaches the database counted (prepared ones included). */
function counting(ctx: AppContext): { ctx: AppContext; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      n++;
      return args.result;
    },
  };
  return { ctx: { ...ctx, db: ctx.db.withPlugin(plugin) }, count: () => n };
}

describeStores("status hydration", (get) => {
  const rows = async (ids: string[]): Promise<Status[]> =>
    (await get()
      .db.selectFrom("statuses")
      .selectAll()
      .where("id", "in", ids)
      .orderBy("id", "desc")
      .execute()) as Status[];

  /**
   * A page of every kind, `n` times over: mentions and tags, a poll the reader voted in, one their
   * filter matches, a reblog, a favourite and a bookmark, one of the reader's own (pinned).
   */
  async function page(author: TestUser, reader: TestUser, n: number): Promise<string[]> {
    const ctx = get();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const tagged = (await post(author, { status: `сәлем @${reader.account.username} #алма${i}` })).body;
      const poll = (
        await post(author, { status: `сауалнама ${i}`, poll: { options: ["иә", "жоқ"], expires_in: 3600 } })
      ).body;
      await votePoll(ctx, reader.account, poll.poll.id, [1]);
      const filtered = (await post(author, { status: `тыйым сөз ${i}` })).body;
      const boost = await reblogStatus(ctx, reader.account, tagged.id);
      await favouriteStatus(ctx, reader.account, filtered.id);
      await bookmarkStatus(ctx, reader.account, poll.id);
      const own = (await post(reader, { status: `өзім ${i}` })).body;
      await pinStatus(ctx, reader.account, own.id);
      ids.push(tagged.id, poll.id, filtered.id, boost.id, own.id);
    }
    return ids;
  }

  test("a page: authors, originals, mentions, tags, the viewer's votes, flags and filter matches", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    await follow(ctx, reader, author);
    await createFilter(ctx, reader.account.id, {
      title: "тыйым",
      context: ["home"],
      keywords: [{ keyword: "тыйым", whole_word: true }],
    });
    const [tagged, poll, filtered, boost, own] = await page(author, reader, 1);
    // a reblog (without its original on the page) whose original is deleted after the page was read
    const doomed = (await post(author, { status: "жойылады" })).body.id as string;
    const doomedBoost = await reblogStatus(ctx, reader.account, doomed);
    const stale = await rows([tagged, poll, filtered, boost, own, doomedBoost.id]);
    assert.equal((await author.api(`/api/v1/statuses/${doomed}`, { method: "DELETE" })).status, 200);

    const bundle = await hydrateStatuses(ctx, stale, reader.account);
    assert.equal(bundle.viewerId, reader.account.id);
    assert.deepEqual(
      bundle.statuses.map((h) => h.row.id),
      [own, boost, filtered, poll, tagged],
      "the reblog of the deleted original is left out; the order is kept",
    );
    const by = (id: string) => {
      const h = bundle.byId.get(id);
      assert.ok(h, id);
      return h;
    };

    const t = by(tagged);
    assert.equal(t.account.id, author.account.id);
    assert.deepEqual(
      t.body.mentions.map((m) => [m.id, m.username, m.domain]),
      [[reader.account.id, reader.account.username, ""]],
    );
    assert.deepEqual(t.body.tags, ["алма0"]);
    assert.deepEqual(t.filtered, []);
    assert.deepEqual(t.viewer, {
      favourited: false,
      reblogged: true,
      bookmarked: false,
      muted: false,
      pinned: false,
    });

    const b = by(boost);
    assert.equal(b.account.id, reader.account.id);
    assert.equal(b.reblog?.row.id, tagged);
    assert.equal(b.reblog?.account.id, author.account.id);
    assert.deepEqual(b.reblog?.body.tags, ["алма0"]);

    const p = by(poll);
    assert.ok(p.poll);
    assert.deepEqual(p.poll.ownVotes, [1]);
    assert.equal(p.poll.counts.get(1), 1);
    assert.equal(p.poll.counts.get(0), undefined);
    assert.equal(p.viewer?.bookmarked, true);

    const f = by(filtered);
    assert.equal(f.viewer?.favourited, true);
    assert.deepEqual(
      f.filtered.map((r) => [r.filter.title, r.keyword_matches]),
      [["тыйым", ["тыйым"]]],
    );

    const o = by(own);
    assert.equal(o.viewer?.pinned, true);
    assert.equal(o.application?.name, "test");
    assert.equal(by(tagged).application, null, "applications are told to their authors only");

    // anonymous: no viewer state, no votes, no filters
    const anon = await hydrateStatuses(ctx, stale, null);
    assert.equal(anon.statuses.length, 5);
    for (const h of anon.statuses) {
      assert.equal(h.viewer, null);
      assert.deepEqual(h.filtered, []);
      assert.equal(h.application, null);
    }
    assert.equal(anon.byId.get(poll)?.poll?.ownVotes, null);
  });

  test("the number of queries is the same whatever the page size", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    await createFilter(ctx, reader.account.id, {
      title: "тыйым",
      context: ["home"],
      keywords: [{ keyword: "тыйым", whole_word: true }],
    });
    const small = await rows(await page(author, reader, 1));
    const large = await rows(await page(author, reader, 4));
    const measure = async (list: Status[]) => {
      statusEntityCache(ctx).clear();
      const c = counting(ctx);
      const bundle = await hydrateStatuses(c.ctx, list, reader.account);
      assert.equal(bundle.statuses.length, list.length);
      return c.count();
    };
    const one = await measure(small);
    const many = await measure(large);
    assert.equal(many, one, `${many} queries for ${large.length} statuses, ${one} for ${small.length}`);
    assert.ok(one <= 12, `${one} queries`);
  });

  test("knownText: bodies the renderer holds are not read, and filters match the text it gives", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    await createFilter(ctx, reader.account.id, {
      title: "тыйым",
      context: ["home"],
      keywords: [{ keyword: "тыйым", whole_word: true }],
    });
    const a = (await post(author, { status: "бірінші #тег" })).body.id as string;
    const b = (await post(author, { status: "екінші" })).body.id as string;
    const keys = (await ctx.db
      .selectFrom("statuses")
      .select(STATUS_KEY_COLUMNS)
      .where("id", "in", [a, b])
      .orderBy("id", "desc")
      .execute()) as StatusKey[];
    const asked: string[] = [];
    const bundle = await hydrateStatusesPartly(ctx, keys, reader.account, {
      knownText: (s) => {
        asked.push(versionKey(s));
        return s.id === a ? { content: "<p>тыйым</p>", spoiler_text: "" } : undefined;
      },
    });
    assert.deepEqual(asked.sort(), keys.map(versionKey).sort());
    const [hb, ha] = bundle.statuses;
    assert.equal(ha.row.id, a);
    assert.equal(ha.body, null);
    assert.equal(ha.filtered.length, 1, "matched against the text given");
    assert.equal(hb.row.id, b);
    assert.match(hb.body?.view.content ?? "", /екінші/, "read where the renderer lacks it");
    assert.deepEqual(hb.filtered, []);
  });
});
