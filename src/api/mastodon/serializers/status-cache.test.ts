import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../../test/helpers/harness.ts";
import { Lru } from "../../../core/lru.ts";
import { bookmarkStatus } from "../../../core/statuses/bookmark.ts";
import { reblogStatus } from "../../../core/statuses/boost.ts";
import { editStatus } from "../../../core/statuses/edit.ts";
import { favouriteStatus, unfavouriteStatus } from "../../../core/statuses/favourite.ts";
import { pinStatus } from "../../../core/statuses/pin.ts";
import { STATUS_KEY_COLUMNS, type StatusKey } from "../../../core/statuses/view.ts";
import type { Account, Status } from "../../../store/schema.ts";
import {
  STATUS_ENTITY_CACHE_MAX,
  STATUS_PARTS_CACHE_MAX,
  serializeStatuses,
  serializeStatusesJson,
  statusEntityCache,
  statusPartsCache,
} from "../present.ts";

test("Lru keeps at most max entries and forgets the least recently used", () => {
  const lru = new Lru<string, number>(2);
  lru.set("a", 1);
  lru.set("b", 2);
  assert.equal(lru.get("a"), 1); // a is now the most recent
  lru.set("c", 3);
  assert.equal(lru.size, 2);
  assert.equal(lru.get("b"), undefined);
  assert.equal(lru.get("a"), 1);
  assert.equal(lru.get("c"), 3);
});

describeStores("status entity cache", (get) => {
  const load = async (id: string) =>
    (await get()
      .db.selectFrom("statuses")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow()) as Status;

  test("an edit shows its new mentions and tags at once", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const res = await post(author, { status: `сәлем @${a.account.username} #алма` });
    const id = res.body.id as string;
    const [before] = await serializeStatuses(ctx, [await load(id)], null);
    assert.deepEqual(
      before.mentions.map((m) => m.username),
      [a.account.username],
    );
    assert.deepEqual(
      before.tags.map((t) => t.name),
      ["алма"],
    );
    // served from the cache the second time, the same
    const [again] = await serializeStatuses(ctx, [await load(id)], null);
    assert.deepEqual(again.mentions, before.mentions);

    await editStatus(ctx, author.account, id, { text: `сәлем @${b.account.username} #алмұрт` });
    const [after] = await serializeStatuses(ctx, [await load(id)], null);
    assert.deepEqual(
      after.mentions.map((m) => m.username),
      [b.account.username],
    );
    assert.deepEqual(
      after.tags.map((t) => t.name),
      ["алмұрт"],
    );
  });

  test("a deleted status is not served from the cache", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const res = await post(author, { status: "жойылатын #тег" });
    const row = await load(res.body.id as string);
    assert.equal((await serializeStatuses(ctx, [row], null)).length, 1);
    const del = await author.api(`/api/v1/statuses/${row.id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
    const gone = await author.api(`/api/v1/statuses/${row.id}`);
    assert.equal(gone.status, 404);
  });

  test("the cache is bounded", () => {
    const cache = statusEntityCache(get());
    assert.equal(cache.max, STATUS_ENTITY_CACHE_MAX);
    assert.ok(cache.size <= cache.max);
  });
});

describeStores("status JSON parts cache", (get) => {
  const load = async (...ids: string[]) =>
    (await get()
      .db.selectFrom("statuses")
      .selectAll()
      .where("id", "in", ids)
      .orderBy("id", "desc")
      .execute()) as Status[];
  const same = async (rows: Status[], viewer: Account | null) => {
    const ctx = get();
    const expected = JSON.stringify(await serializeStatuses(ctx, rows, viewer));
    const bytes = Buffer.from(await serializeStatusesJson(ctx, rows, viewer)).toString("utf8");
    assert.equal(bytes, expected);
    return JSON.parse(bytes) as J[];
  };

  test("the bytes equal JSON.stringify(serializeStatuses) for every kind of status and viewer", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    const plain = (await post(author, { status: `сәлем "тырнақша" \\ @${reader.account.username} #алма` }))
      .body;
    const cw = (
      await post(author, { status: "жасырын", spoiler_text: "ескерту", sensitive: true, language: "kk" })
    ).body;
    const poll = (
      await post(author, { status: "сауалнама", poll: { options: ["иә", "жоқ"], expires_in: 3600 } })
    ).body;
    const priv = (await post(author, { status: "жеке", visibility: "private" })).body;
    const reply = (await post(reader, { status: "жауап", in_reply_to_id: plain.id })).body;
    const boost = await reblogStatus(ctx, reader.account, plain.id);
    await favouriteStatus(ctx, reader.account, cw.id);
    await bookmarkStatus(ctx, reader.account, plain.id);
    await pinStatus(ctx, author.account, plain.id);
    const rows = await load(plain.id, cw.id, poll.id, priv.id, reply.id, boost.id);
    assert.equal(rows.length, 6);
    assert.ok(rows.some((r) => r.poll_id));
    for (const viewer of [null, reader.account, author.account]) {
      await same(rows, viewer); // fills the cache
      await same(rows, viewer); // from the cache
    }
    assert.equal(Buffer.from(await serializeStatusesJson(ctx, [], null)).toString(), "[]");
  });

  test("counters, flags, edits and deletions show at once", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    const id = (await post(author, { status: "бірінші #тег" })).body.id as string;
    const [before] = await same(await load(id), reader.account);
    assert.equal(before.favourites_count, 0);
    assert.equal(before.favourited, false);

    await favouriteStatus(ctx, reader.account, id);
    const [faved] = await same(await load(id), reader.account);
    assert.equal(faved.favourites_count, 1);
    assert.equal(faved.favourited, true);
    await unfavouriteStatus(ctx, reader.account, id);
    assert.equal((await same(await load(id), reader.account))[0].favourites_count, 0);

    await editStatus(ctx, author.account, id, { text: "екінші #басқа" });
    const [edited] = await same(await load(id), reader.account);
    assert.match(edited.content, /екінші/);
    assert.ok(edited.edited_at);
    assert.deepEqual(
      edited.tags.map((t: J) => t.name),
      ["басқа"],
    );

    const del = await author.api(`/api/v1/statuses/${id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.deepEqual(await load(id), []);
    const home = await reader.api("/api/v1/timelines/home");
    assert.ok(!((await home.json()) as J[]).some((s: J) => s.id === id));
  });

  test("rows read without their content render the same, before and after an edit or a delete", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const reader = await createTestUser(ctx);
    const a = (await post(author, { status: "бір #тег" })).body.id as string;
    const b = (await post(author, { status: "екі" })).body.id as string;
    const boost = await reblogStatus(ctx, reader.account, a);
    const keys = async () =>
      (await ctx.db
        .selectFrom("statuses")
        .select(STATUS_KEY_COLUMNS)
        .where("id", "in", [a, b, boost.id])
        .orderBy("id", "desc")
        .execute()) as StatusKey[];
    const text = async (rows: StatusKey[]) =>
      Buffer.from(await serializeStatusesJson(ctx, rows, reader.account)).toString("utf8");
    statusPartsCache(ctx).clear();
    const full = JSON.stringify(await serializeStatuses(ctx, await load(a, b, boost.id), reader.account));
    assert.equal(await text(await keys()), full); // parts not cached: content read for them
    assert.equal(await text(await keys()), full); // from the cache
    await favouriteStatus(ctx, reader.account, a);
    await editStatus(ctx, author.account, b, { text: "өзгертілді" });
    const after = await text(await keys());
    assert.equal(
      after,
      JSON.stringify(await serializeStatuses(ctx, await load(a, b, boost.id), reader.account)),
    );
    assert.match(after, /өзгертілді/);
    assert.match(after, /"favourites_count":1/);
    // deleted after the page was read: left out
    const stale = await keys();
    statusPartsCache(ctx).clear();
    await author.api(`/api/v1/statuses/${b}`, { method: "DELETE" });
    const parsed = JSON.parse(await text(stale)) as J[];
    assert.deepEqual(
      parsed.map((s: J) => s.id),
      [boost.id, a],
    );
  });

  test("the cache is bounded", () => {
    const cache = statusPartsCache(get());
    assert.equal(cache.max, STATUS_PARTS_CACHE_MAX);
    assert.ok(cache.size <= cache.max);
  });
});
