import assert from "node:assert/strict";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, storeTest } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import type { Status } from "../../store/schema.ts";
import {
  DESCENDANTS_DEPTH_ANON,
  DESCENDANTS_LIMIT,
  DESCENDANTS_WALK_LIMIT,
  statusContext,
} from "./context.ts";

function reply(ctx: AppContext, parent: Status, extra: Partial<Status> = {}): Status {
  const id = ctx.ids();
  const now = ctx.now().toISOString();
  return {
    id,
    uri: `${ctx.config.baseUrl}/s/${id}`,
    url: `${ctx.config.baseUrl}/s/${id}`,
    account_id: parent.account_id,
    local: 1,
    in_reply_to_id: parent.id,
    in_reply_to_account_id: parent.account_id,
    reblog_of_id: null,
    conversation_id: null,
    text: "re",
    content: "<p>re</p>",
    spoiler_text: "",
    sensitive: 0,
    visibility: "public",
    language: null,
    application_id: null,
    poll_id: null,
    replies_count: 0,
    reblogs_count: 0,
    favourites_count: 0,
    created_at: now,
    edited_at: null,
    updated_at: now,
    ...extra,
  };
}

async function insertAll(ctx: AppContext, rows: Status[]): Promise<void> {
  // SQLite binds at most 32,766 parameters a statement
  for (let i = 0; i < rows.length; i += 500)
    await ctx.db
      .insertInto("statuses")
      .values(rows.slice(i, i + 500))
      .execute();
}

storeTest("context: anonymous readers get 20 levels of replies, signed-in readers more", async (ctx) => {
  const u = await createTestUser(ctx);
  const root = await insertStatus(ctx, u.account.id);
  const chain: Status[] = [];
  for (let parent = root, i = 0; i < DESCENDANTS_DEPTH_ANON + 5; i++) {
    parent = reply(ctx, parent);
    chain.push(parent);
  }
  await insertAll(ctx, chain);
  const anon = await statusContext(ctx, root.id, null);
  assert.deepEqual(
    anon.descendants.map((s) => s.id),
    chain.slice(0, DESCENDANTS_DEPTH_ANON).map((s) => s.id),
  );
  const signedIn = await statusContext(ctx, root.id, u.account.id);
  assert.deepEqual(
    signedIn.descendants.map((s) => s.id),
    chain.map((s) => s.id),
  );
  // and up the chain from its last reply, nearest last
  const up = await statusContext(ctx, chain[chain.length - 1].id, null);
  assert.deepEqual(
    up.ancestors.map((s) => s.id),
    [root, ...chain.slice(0, -1)].map((s) => s.id),
  );
});

storeTest("context: the walk down a huge thread stops after its limit, level by level", async (ctx) => {
  const u = await createTestUser(ctx);
  const root = await insertStatus(ctx, u.account.id);
  const direct = Array.from({ length: DESCENDANTS_WALK_LIMIT }, () => reply(ctx, root));
  await insertAll(ctx, direct);
  // one level further down, under the first reply: past the limit in breadth-first order, though
  // depth-first it would come second
  const deep = reply(ctx, direct[0]);
  await insertAll(ctx, [deep]);
  const { descendants } = await statusContext(ctx, root.id, u.account.id);
  assert.equal(DESCENDANTS_LIMIT, DESCENDANTS_WALK_LIMIT);
  assert.equal(descendants.length, DESCENDANTS_WALK_LIMIT);
  assert.ok(!descendants.some((s) => s.id === deep.id), "a reply beyond the walk's limit was read");
  assert.equal(descendants[descendants.length - 1].id, direct[direct.length - 1].id);
});

storeTest("context: reblogs of replies are not part of a thread", async (ctx) => {
  const u = await createTestUser(ctx);
  const root = await insertStatus(ctx, u.account.id);
  const r = reply(ctx, root);
  await insertAll(ctx, [r]);
  // a malformed reblog row that names a parent (reblogs never should) stays out
  await insertStatus(ctx, u.account.id, { reblog_of_id: r.id, in_reply_to_id: root.id, text: "" });
  const { descendants } = await statusContext(ctx, root.id, null);
  assert.deepEqual(
    descendants.map((s) => s.id),
    [r.id],
  );
});
