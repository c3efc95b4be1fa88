/** Remote Announce and Like (and their Undo) on statuses we hold. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { remoteActor } from "../../../test/helpers/activitypub.ts";
import { followById, homeIds, insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { upsertRemoteAccount } from "../accounts/remote.ts";
import {
  ingestRemoteFavourite,
  ingestRemoteReblog,
  undoRemoteFavourite,
  undoRemoteReblog,
} from "./remote-interactions.ts";

const activity = (actorUri: string, kind: string) => `${actorUri}/${kind}/${randomBytes(6).toString("hex")}`;

describeStores("remote interactions", (get) => {
  const notifications = (accountId: string) =>
    get()
      .db.selectFrom("notifications")
      .select(["type", "status_id", "from_account_id"])
      .where("account_id", "=", accountId)
      .orderBy("id")
      .execute();

  test("an Announce of a local post is a reblog row: counted, notified, in the booster's followers' homes", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const booster = await upsertRemoteAccount(ctx, remoteActor());
    const follower = await createTestUser(ctx);
    await followById(ctx, follower.account.id, booster.id);
    const original = await insertStatus(ctx, author.account.id);
    const uri = activity(booster.uri, "announces");
    const { status: reblog, created } = await ingestRemoteReblog(ctx, {
      uri,
      accountId: booster.id,
      statusId: original.id,
      published: "2024-03-01T10:00:00.000Z",
    });
    assert.equal(created, true);
    assert.equal(reblog.reblog_of_id, original.id);
    assert.equal(reblog.uri, uri);
    assert.equal(reblog.local, 0);
    assert.equal(reblog.visibility, "public");
    const o = await ctx.db
      .selectFrom("statuses")
      .select("reblogs_count")
      .where("id", "=", original.id)
      .executeTakeFirstOrThrow();
    assert.equal(o.reblogs_count, 1);
    assert.deepEqual(await notifications(author.account.id), [
      { type: "reblog", status_id: reblog.id, from_account_id: booster.id },
    ]);
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [reblog.id]);

    // redelivered, at once, or a second Announce id for the same status: still one reblog
    const again = await Promise.all([
      ingestRemoteReblog(ctx, { uri, accountId: booster.id, statusId: original.id }),
      ingestRemoteReblog(ctx, { uri, accountId: booster.id, statusId: original.id }),
      ingestRemoteReblog(ctx, {
        uri: activity(booster.uri, "announces"),
        accountId: booster.id,
        statusId: original.id,
      }),
    ]);
    assert.deepEqual(
      again.map((r) => [r.status.id, r.created]),
      [
        [reblog.id, false],
        [reblog.id, false],
        [reblog.id, false],
      ],
    );
    assert.equal((await notifications(author.account.id)).length, 1);

    // someone else cannot undo it; the booster can
    const other = await upsertRemoteAccount(ctx, remoteActor());
    await assert.rejects(undoRemoteReblog(ctx, uri, other.id), /booster/);
    assert.equal(await undoRemoteReblog(ctx, uri, booster.id), true);
    assert.equal(await undoRemoteReblog(ctx, uri, booster.id), false);
    const after = await ctx.db
      .selectFrom("statuses")
      .select("reblogs_count")
      .where("id", "=", original.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.reblogs_count, 0);
    assert.deepEqual(await homeIds(ctx, follower.account.id), []);
  });

  test("an Announce of one remote account's post by another reaches the booster's local followers", async () => {
    const ctx = get();
    const author = await upsertRemoteAccount(ctx, remoteActor({ domain: "a.example" }));
    const booster = await upsertRemoteAccount(ctx, remoteActor({ domain: "b.example" }));
    const follower = await createTestUser(ctx);
    await followById(ctx, follower.account.id, booster.id);
    const original = await insertStatus(ctx, author.id, { local: 0, uri: `${author.uri}/statuses/1` });
    const { status } = await ingestRemoteReblog(ctx, {
      uri: activity(booster.uri, "announces"),
      accountId: booster.id,
      statusId: original.id,
      visibility: "unlisted",
    });
    assert.equal(status.visibility, "unlisted");
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [status.id]);
    const res = await follower.api("/api/v1/timelines/home");
    const body = (await res.json()) as { reblog: { uri: string; account: { acct: string } } | null }[];
    assert.equal(body[0]?.reblog?.uri, original.uri);
    assert.equal(body[0]?.reblog?.account.acct, `${author.username}@a.example`);
  });

  test("private and direct posts cannot be announced, nor posts the booster cannot see", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const booster = await upsertRemoteAccount(ctx, remoteActor());
    await followById(ctx, booster.id, author.account.id);
    for (const visibility of ["private", "direct"] as const) {
      const s = await insertStatus(ctx, author.account.id, { visibility });
      await assert.rejects(
        ingestRemoteReblog(ctx, {
          uri: activity(booster.uri, "announces"),
          accountId: booster.id,
          statusId: s.id,
        }),
        /cannot be reblogged|not found/i,
      );
    }
    const stranger = await upsertRemoteAccount(ctx, remoteActor());
    const hidden = await insertStatus(ctx, author.account.id, { visibility: "private" });
    await assert.rejects(
      ingestRemoteReblog(ctx, {
        uri: activity(stranger.uri, "announces"),
        accountId: stranger.id,
        statusId: hidden.id,
      }),
      /not found/i,
    );
    const rows = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("reblog_of_id", "is not", null)
      .where("account_id", "in", [booster.id, stranger.id])
      .execute();
    assert.equal(rows.length, 0);
  });

  test("a Like favourites and notifies once; its Undo removes both", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const liker = await upsertRemoteAccount(ctx, remoteActor());
    const s = await insertStatus(ctx, author.account.id);
    const uri = activity(liker.uri, "likes");
    const results = await Promise.all([
      ingestRemoteFavourite(ctx, { uri, accountId: liker.id, statusId: s.id }),
      ingestRemoteFavourite(ctx, { uri, accountId: liker.id, statusId: s.id }),
    ]);
    assert.equal(Math.max(...results.map((r) => r.favourites_count)), 1);
    const favs = await ctx.db.selectFrom("favourites").selectAll().where("status_id", "=", s.id).execute();
    assert.deepEqual(
      favs.map((f) => [f.account_id, f.uri]),
      [[liker.id, uri]],
    );
    assert.deepEqual(await notifications(author.account.id), [
      { type: "favourite", status_id: s.id, from_account_id: liker.id },
    ]);
    // through the API the local author sees a remote favourite like any other
    const res = await author.api(`/api/v1/statuses/${s.id}/favourited_by`);
    const by = (await res.json()) as { acct: string }[];
    assert.deepEqual(
      by.map((a) => a.acct),
      [`${liker.username}@remote.example`],
    );

    assert.equal(await undoRemoteFavourite(ctx, { uri, accountId: liker.id }), true);
    assert.equal(await undoRemoteFavourite(ctx, { uri, accountId: liker.id }), false);
    const row = await ctx.db
      .selectFrom("statuses")
      .select("favourites_count")
      .where("id", "=", s.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.favourites_count, 0);
    assert.deepEqual(await notifications(author.account.id), []);
  });

  test("a Like of a post the liker cannot see is refused", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const liker = await upsertRemoteAccount(ctx, remoteActor());
    const dm = await insertStatus(ctx, author.account.id, { visibility: "direct" });
    await assert.rejects(
      ingestRemoteFavourite(ctx, { uri: activity(liker.uri, "likes"), accountId: liker.id, statusId: dm.id }),
      /not found/i,
    );
    assert.deepEqual(await notifications(author.account.id), []);
  });
});
