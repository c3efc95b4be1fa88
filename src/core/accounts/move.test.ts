/** Account migration: aliases, local moves, remote Moves and the followers' migration job. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { remoteActor } from "../../../test/helpers/activitypub.ts";
import { enqueued, followById } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { ValidationError } from "../errors.ts";
import { blockAccount } from "../follows/blocks.ts";
import { muteAccount } from "../follows/mutes.ts";
import { aliasesOf, changeAlias, migrateFollowers, moveLocalAccount, receiveMove } from "./move.ts";
import { upsertRemoteAccount } from "./remote.ts";

describeStores("account moves", (get) => {
  const row = (id: string) =>
    get().db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const follows = async (followerId: string, targetId: string) =>
    !!(await get()
      .db.selectFrom("follows")
      .select("id")
      .where("account_id", "=", followerId)
      .where("target_account_id", "=", targetId)
      .executeTakeFirst());

  test("aliases are added once, removed, capped, and federated as a profile update", async () => {
    const ctx = get();
    const me = await createTestUser(ctx);
    const old = await upsertRemoteAccount(ctx, remoteActor());
    await changeAlias(ctx, me.account.id, old, "add");
    assert.deepEqual(await changeAlias(ctx, me.account.id, old, "add"), [old.uri]);
    assert.deepEqual(aliasesOf(await row(me.account.id)), [old.uri]);
    const events = await enqueued(ctx, "federation.outbound");
    assert.ok(events.some((e) => e.type === "profile.update" && e.accountId === me.account.id));
    assert.deepEqual(await changeAlias(ctx, me.account.id, old, "remove"), []);
    await assert.rejects(changeAlias(ctx, me.account.id, me.account, "add"), ValidationError);
    for (let i = 0; i < 10; i++)
      await changeAlias(ctx, me.account.id, await upsertRemoteAccount(ctx, remoteActor()), "add");
    await assert.rejects(
      changeAlias(ctx, me.account.id, await upsertRemoteAccount(ctx, remoteActor()), "add"),
      /At most 10/,
    );
  });

  test("a local move needs the target to list the account; then a Move is federated and followers migrate", async () => {
    const ctx = get();
    const me = await createTestUser(ctx);
    const fan = await createTestUser(ctx);
    await followById(ctx, fan.account.id, me.account.id);
    const target = await createTestUser(ctx);
    await assert.rejects(moveLocalAccount(ctx, me.account.id, target.account), /alias/);
    assert.equal((await row(me.account.id)).moved_to_account_id, null);

    await changeAlias(ctx, target.account.id, me.account, "add");
    await moveLocalAccount(ctx, me.account.id, await row(target.account.id));
    assert.equal((await row(me.account.id)).moved_to_account_id, target.account.id);
    const events = await enqueued(ctx, "federation.outbound");
    assert.ok(
      events.some(
        (e) =>
          e.type === "account.move" && e.accountId === me.account.id && e.targetUri === target.account.uri,
      ),
    );
    const jobs = await enqueued(ctx, "account.migrate_followers");
    assert.ok(jobs.some((j) => j.originId === me.account.id && j.targetId === target.account.id));

    assert.equal(await migrateFollowers(ctx, me.account.id, target.account.id), 1);
    assert.equal(await follows(fan.account.id, target.account.id), true);
    assert.equal(await follows(fan.account.id, me.account.id), false);
    // run again (a retried job): nothing left to do
    assert.equal(await migrateFollowers(ctx, me.account.id, target.account.id), 0);
  });

  test("a remote Move is applied only when the target lists the mover; a blocked follower stays", async () => {
    const ctx = get();
    const mover = await upsertRemoteAccount(ctx, remoteActor());
    const fan = await createTestUser(ctx);
    const blocked = await createTestUser(ctx);
    await followById(ctx, fan.account.id, mover.id);
    await followById(ctx, blocked.account.id, mover.id);
    const blocker = await createTestUser(ctx);
    const muter = await createTestUser(ctx);
    await blockAccount(ctx, blocker.account.id, mover.id);
    await muteAccount(ctx, muter.account.id, mover.id);
    const target = await createTestUser(ctx);
    await ctx.db
      .insertInto("blocks")
      .values({
        id: ctx.ids(),
        account_id: target.account.id,
        target_account_id: blocked.account.id,
        uri: null,
        created_at: ctx.now().toISOString(),
      })
      .execute();

    assert.equal(await receiveMove(ctx, mover, await row(target.account.id)), false);
    assert.equal((await row(mover.id)).moved_to_account_id, null);

    await changeAlias(ctx, target.account.id, mover, "add");
    assert.equal(await receiveMove(ctx, mover, await row(target.account.id)), true);
    assert.equal((await row(mover.id)).moved_to_account_id, target.account.id);
    assert.equal(await migrateFollowers(ctx, mover.id, target.account.id), 1);
    assert.equal(await follows(fan.account.id, target.account.id), true);
    assert.equal(await follows(fan.account.id, mover.id), false);
    assert.equal(await follows(blocked.account.id, mover.id), true, "the blocked follower keeps its follow");
    // who blocked or muted the mover blocks or mutes the target too
    const has = async (table: "blocks" | "mutes", accountId: string) =>
      !!(await ctx.db
        .selectFrom(table)
        .select("id")
        .where("account_id", "=", accountId)
        .where("target_account_id", "=", target.account.id)
        .executeTakeFirst());
    assert.equal(await has("blocks", blocker.account.id), true);
    assert.equal(await has("mutes", muter.account.id), true);
    assert.equal(await has("mutes", fan.account.id), false);
    // a local account cannot be moved by a remote activity
    assert.equal(await receiveMove(ctx, await row(fan.account.id), await row(target.account.id)), false);
  });
});
