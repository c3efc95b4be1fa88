/**
 * The response cache of the home and list timelines (core/response-cache.ts), on in `torgai all`:
 * a cached page must change after every kind of write that affects it, whoever makes it, and
 * never answer another viewer or a revoked token. Each case first proves the page is served from
 * the cache (the hit counter moves and the bytes are the same), so a write that failed to
 * invalidate it would show the old bytes. The TTL is lengthened here so that only the write
 * generation can be what refreshes the page.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type J, postStatus } from "../../../test/helpers/api.ts";
import { follow } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { revokeTokens } from "../../core/auth/tokens.ts";
import { enableResponseCache, responseCacheOptions, responseCacheStats } from "../../core/response-cache.ts";

const HOME = "/api/v1/timelines/home?limit=40";

async function read(
  user: TestUser,
  path = HOME,
): Promise<{ status: number; text: string; link: string | null }> {
  const res = await user.api(path);
  return { status: res.status, text: await res.text(), link: res.headers.get("link") };
}

/** Reads `path` twice and asserts that the second answer came from the cache. */
async function cached(ctx: AppContext, user: TestUser, path = HOME): Promise<J> {
  const first = await read(user, path);
  assert.equal(first.status, 200, first.text);
  const hits = responseCacheStats(ctx).hits;
  const second = await read(user, path);
  assert.equal(responseCacheStats(ctx).hits, hits + 1, "the second read is served from the cache");
  assert.equal(second.text, first.text);
  assert.equal(second.link, first.link);
  return JSON.parse(second.text);
}

async function fresh(user: TestUser, path = HOME): Promise<J> {
  const res = await read(user, path);
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text);
}

const ids = (page: J[]) => page.map((s: J) => s.id);

/** A reader following an author who posted once, with the page cached. */
async function setup(ctx: AppContext, text = "бірінші жазба") {
  const reader = await createTestUser(ctx);
  const author = await createTestUser(ctx);
  await follow(ctx, reader, author);
  const status = await postStatus(ctx, author, text);
  const page = await cached(ctx, reader);
  assert.deepEqual(ids(page), [status.id]);
  return { reader, author, status };
}

describeStores("home timeline response cache", (getCtx) => {
  const ttl = responseCacheOptions.ttlMs;
  before(() => {
    enableResponseCache(getCtx());
    responseCacheOptions.ttlMs = 10 * 60_000;
  });
  after(() => {
    responseCacheOptions.ttlMs = ttl;
  });

  test("a followee's new post appears once the fan-out job has run", async () => {
    const ctx = getCtx();
    const { reader, author, status } = await setup(ctx);
    const res = await author.api("/api/v1/statuses", { json: { status: "екінші" } });
    assert.equal(res.status, 200);
    const second = await res.json();
    // the fan-out job has not run yet: the page is rebuilt (a status row was written) without it
    assert.deepEqual(ids(await cached(ctx, reader)), [status.id]);
    await ctx.queue.drain();
    assert.deepEqual(ids(await fresh(reader)), [second.id, status.id]);
  });

  test("favourite counts, edits and deletions show at once", async () => {
    const ctx = getCtx();
    const { reader, author, status } = await setup(ctx);
    const fan = await createTestUser(ctx);
    assert.equal((await fan.api(`/api/v1/statuses/${status.id}/favourite`, { method: "POST" })).status, 200);
    let [s] = await cached(ctx, reader);
    assert.equal(s.favourites_count, 1);
    assert.equal(s.favourited, false);
    assert.equal(
      (await reader.api(`/api/v1/statuses/${status.id}/favourite`, { method: "POST" })).status,
      200,
    );
    [s] = await cached(ctx, reader);
    assert.equal(s.favourites_count, 2);
    assert.equal(s.favourited, true);

    const edit = await author.api(`/api/v1/statuses/${status.id}`, {
      method: "PUT",
      json: { status: "түзетілген мәтін" },
    });
    assert.equal(edit.status, 200);
    await ctx.queue.drain();
    [s] = await cached(ctx, reader);
    assert.match(s.content, /түзетілген мәтін/);
    assert.ok(s.edited_at);

    assert.equal((await author.api(`/api/v1/statuses/${status.id}`, { method: "DELETE" })).status, 200);
    assert.deepEqual(await fresh(reader), []);
  });

  test("muting and blocking the author hide their posts", async () => {
    const ctx = getCtx();
    const muted = await setup(ctx);
    const res = await muted.reader.api(`/api/v1/accounts/${muted.author.account.id}/mute`, {
      method: "POST",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await fresh(muted.reader), []);

    const blocked = await setup(ctx);
    // the author blocks the reader: the reader's page must lose the post too
    const block = await blocked.author.api(`/api/v1/accounts/${blocked.reader.account.id}/block`, {
      method: "POST",
    });
    assert.equal(block.status, 200);
    assert.deepEqual(await fresh(blocked.reader), []);
  });

  test("a new filter applies to the cached page", async () => {
    const ctx = getCtx();
    const { reader, status } = await setup(ctx, "саясат туралы жазба");
    const res = await reader.api("/api/v2/filters", {
      json: {
        title: "Саясат",
        context: ["home"],
        filter_action: "warn",
        keywords_attributes: [{ keyword: "саясат" }],
      },
    });
    assert.equal(res.status, 200);
    const [s] = await cached(ctx, reader);
    assert.equal(s.id, status.id);
    assert.equal(s.filtered.length, 1);
    assert.equal(s.filtered[0].filter.title, "Саясат");
  });

  test("a poll vote shows in votes and own_votes", async () => {
    const ctx = getCtx();
    const reader = await createTestUser(ctx);
    const author = await createTestUser(ctx);
    await follow(ctx, reader, author);
    const status = await postStatus(ctx, author, "қайсысы?", {
      poll: { options: ["а", "ә"], expires_in: 3600 },
    });
    let [s] = await cached(ctx, reader);
    assert.equal(s.poll.votes_count, 0);
    assert.equal(s.poll.voted, false);
    const vote = await reader.api(`/api/v1/polls/${status.poll.id}/votes`, { json: { choices: [1] } });
    assert.equal(vote.status, 200);
    [s] = await cached(ctx, reader);
    assert.equal(s.poll.votes_count, 1);
    assert.equal(s.poll.voted, true);
    assert.deepEqual(s.poll.own_votes, [1]);
  });

  test("an author's rename shows on their posts", async () => {
    const ctx = getCtx();
    const { reader, author } = await setup(ctx);
    const res = await author.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      form: { display_name: "Жаңа есім" },
    });
    assert.equal(res.status, 200);
    const [s] = await fresh(reader);
    assert.equal(s.account.display_name, "Жаңа есім");
  });

  test("a revoked token gets 401, not the cached page", async () => {
    const ctx = getCtx();
    const { reader } = await setup(ctx);
    const token = await ctx.db
      .selectFrom("oauth_tokens")
      .select("id")
      .where("user_id", "=", reader.user.id)
      .executeTakeFirstOrThrow();
    await revokeTokens(ctx, [token.id]);
    const res = await read(reader);
    assert.equal(res.status, 401);
    assert.doesNotMatch(res.text, /бірінші жазба/);
  });

  test("a suspended viewer gets 401, not the cached page", async () => {
    const ctx = getCtx();
    const { reader } = await setup(ctx);
    await ctx.db
      .updateTable("accounts")
      .set({ suspended_at: ctx.now().toISOString() })
      .where("id", "=", reader.account.id)
      .execute();
    assert.equal((await read(reader)).status, 401);
  });

  test("two viewers of the same URL never get each other's page", async () => {
    const ctx = getCtx();
    const a = await setup(ctx, "A оқитын жазба");
    const b = await setup(ctx, "B оқитын жазба");
    const pageA = await cached(ctx, a.reader);
    const pageB = await cached(ctx, b.reader);
    assert.deepEqual(ids(pageA), [a.status.id]);
    assert.deepEqual(ids(pageB), [b.status.id]);
    // one status seen by two viewers differs in the viewer's own flags
    const author = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await follow(ctx, a.reader, author);
    await follow(ctx, fan, author);
    const shared = await postStatus(ctx, author, "екеуі де көреді");
    assert.equal((await fan.api(`/api/v1/statuses/${shared.id}/favourite`, { method: "POST" })).status, 200);
    const [seenByFan] = await cached(ctx, fan);
    const [seenByReader] = await cached(ctx, a.reader);
    assert.equal(seenByFan.id, shared.id);
    assert.equal(seenByReader.id, shared.id);
    assert.equal(seenByFan.favourited, true);
    assert.equal(seenByReader.favourited, false);
    assert.equal(seenByReader.favourites_count, 1);
  });

  test("pages and lists are cached apart and follow their writes", async () => {
    const ctx = getCtx();
    const { reader, author, status } = await setup(ctx);
    const second = await postStatus(ctx, author, "екінші");
    assert.deepEqual(ids(await cached(ctx, reader, "/api/v1/timelines/home?limit=1")), [second.id]);
    const older = await cached(ctx, reader, `/api/v1/timelines/home?limit=1&max_id=${second.id}`);
    assert.deepEqual(ids(older), [status.id]);

    const list = await (await reader.api("/api/v1/lists", { json: { title: "достар" } })).json();
    const path = `/api/v1/timelines/list/${list.id}`;
    assert.deepEqual(await cached(ctx, reader, path), []);
    const add = await reader.api(`/api/v1/lists/${list.id}/accounts`, {
      json: { account_ids: [author.account.id] },
    });
    assert.equal(add.status, 200);
    const third = await postStatus(ctx, author, "үшінші");
    // adding an account fills the list with its recent posts (as Mastodon does)
    assert.deepEqual(ids(await fresh(reader, path)), [third.id, second.id, status.id]);
    assert.deepEqual(ids(await cached(ctx, reader, "/api/v1/timelines/home?limit=1")), [third.id]);
  });
});
