import assert from "node:assert/strict";
import { test } from "node:test";
import { insertStatus as insertRawStatus } from "../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../test/helpers/harness.ts";
import type { AppContext } from "../app.ts";
import type { Status } from "../store/schema.ts";
import { canView, visibleTo } from "./visibility.ts";

function insertStatus(
  ctx: AppContext,
  accountId: string,
  visibility: Status["visibility"],
  extra: Partial<Status> = {},
): Promise<Status> {
  return insertRawStatus(ctx, accountId, { ...extra, visibility });
}

describeStores("visibility", (get) => {
  test("canView and visibleTo agree on every visibility and relation", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const follower = await createTestUser(ctx);
    const mentioned = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    const blocked = await createTestUser(ctx);
    const blocker = await createTestUser(ctx);
    const now = ctx.now().toISOString();
    for (const f of [follower, blocked, blocker]) {
      await ctx.db
        .insertInto("follows")
        .values({
          id: ctx.ids(),
          account_id: f.account.id,
          target_account_id: author.account.id,
          show_reblogs: 1,
          notify: 0,
          languages: null,
          uri: null,
          created_at: now,
        })
        .execute();
    }
    await ctx.db
      .insertInto("blocks")
      .values({
        id: ctx.ids(),
        account_id: author.account.id,
        target_account_id: blocked.account.id,
        uri: null,
        created_at: now,
      })
      .execute();
    await ctx.db
      .insertInto("blocks")
      .values({
        id: ctx.ids(),
        account_id: blocker.account.id,
        target_account_id: author.account.id,
        uri: null,
        created_at: now,
      })
      .execute();
    const statuses: Record<string, Status> = {};
    for (const v of ["public", "unlisted", "private", "direct"] as const) {
      statuses[v] = await insertStatus(ctx, author.account.id, v);
      await ctx.db
        .insertInto("mentions")
        .values({ id: ctx.ids(), status_id: statuses[v].id, account_id: mentioned.account.id, silent: 0 })
        .execute();
    }
    // a stranger's public reblog of the author's public post: hidden from those blocked either way
    const reblog = await insertStatus(ctx, stranger.account.id, "public", {
      reblog_of_id: statuses.public.id,
    });
    const expected: Record<string, string[]> = {
      anon: ["public", "unlisted", "reblog"],
      author: ["public", "unlisted", "private", "direct", "reblog"],
      follower: ["public", "unlisted", "private", "reblog"],
      mentioned: ["public", "unlisted", "private", "direct", "reblog"],
      stranger: ["public", "unlisted", "reblog"],
      blocked: [],
      blocker: [],
    };
    const viewers: Record<string, string | null> = {
      anon: null,
      author: author.account.id,
      follower: follower.account.id,
      mentioned: mentioned.account.id,
      stranger: stranger.account.id,
      blocked: blocked.account.id,
      blocker: blocker.account.id,
    };
    const all = { ...statuses, reblog };
    const nameOf = new Map(Object.entries(all).map(([k, s]) => [s.id, k]));
    for (const [who, viewerId] of Object.entries(viewers)) {
      const byFn: string[] = [];
      for (const [name, s] of Object.entries(all))
        if (await canView(ctx, ctx.db, s, viewerId)) byFn.push(name);
      assert.deepEqual(byFn.sort(), [...expected[who]].sort(), `canView for ${who}`);
      const rows = await ctx.db
        .selectFrom("statuses")
        .select("id")
        .where(
          "id",
          "in",
          Object.values(all).map((s) => s.id),
        )
        .where(visibleTo(viewerId))
        .execute();
      assert.deepEqual(
        rows.map((r) => nameOf.get(r.id)).sort(),
        [...expected[who]].sort(),
        `visibleTo for ${who}`,
      );
    }
  });
});
