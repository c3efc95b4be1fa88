import assert from "node:assert/strict";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, storeTest } from "../../../test/helpers/harness.ts";
import { publicTimeline, tagTimeline } from "./queries.ts";

storeTest("hashtag timeline: any[] tags give each status once, newest first, paged", async (ctx) => {
  const u = await createTestUser(ctx);
  const both = await insertStatus(ctx, u.account.id, { tags: ["alma", "bota"] });
  const b = await insertStatus(ctx, u.account.id, { tags: ["bota"] });
  const a = await insertStatus(ctx, u.account.id, { tags: ["alma"] });
  const ids = async (page: { limit: number; maxId?: string; minId?: string }) =>
    (await tagTimeline(ctx, null, "alma", { any: ["bota"] }, page)).map((s) => s.id);
  assert.deepEqual(await ids({ limit: 20 }), [a.id, b.id, both.id]);
  assert.deepEqual(await ids({ limit: 2 }), [a.id, b.id]);
  assert.deepEqual(await ids({ limit: 2, maxId: b.id }), [both.id]);
  assert.deepEqual(await ids({ limit: 1, minId: both.id }), [b.id]);
  assert.deepEqual(
    (await tagTimeline(ctx, null, "alma", {}, { limit: 20 })).map((s) => s.id),
    [a.id, both.id],
  );
});

storeTest("public and hashtag timelines leave suspended authors out", async (ctx) => {
  const u = await createTestUser(ctx);
  const gone = await createTestUser(ctx);
  const kept = await insertStatus(ctx, u.account.id, { tags: ["alma"] });
  await insertStatus(ctx, gone.account.id, { tags: ["alma"] });
  await ctx.db
    .updateTable("accounts")
    .set({ suspended_at: ctx.now().toISOString() })
    .where("id", "=", gone.account.id)
    .execute();
  assert.deepEqual(
    (await publicTimeline(ctx, null, {}, { limit: 20 })).map((s) => s.id),
    [kept.id],
  );
  assert.deepEqual(
    (await tagTimeline(ctx, null, "alma", {}, { limit: 20 })).map((s) => s.id),
    [kept.id],
  );
});
