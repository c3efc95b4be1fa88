import assert from "node:assert/strict";
import { test } from "node:test";
import { Lru } from "../../../core/lru.ts";
import { editStatus } from "../../../core/statuses/edit.ts";
import { post } from "../../../core/statuses/testing.ts";
import type { Status } from "../../../store/schema.ts";
import { createTestUser, describeStores } from "../../../testing/harness.ts";
import { STATUS_ENTITY_CACHE_MAX, serializeStatuses, statusEntityCache } from "./status.ts";

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
