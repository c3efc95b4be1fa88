/** Reports across servers (forwarded Flags, received Flags) and the deletion of accounts on both sides. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { remoteActor } from "../../test/helpers/activitypub.ts";
import { enqueued, followById, insertStatus } from "../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../test/helpers/harness.ts";
import { deleteAccount, deleteRemoteAccount } from "./accounts/delete.ts";
import { upsertRemoteAccount } from "./accounts/remote.ts";
import { blockDomain } from "./fediverse/instances.ts";
import { createReport, listReports } from "./reports.ts";
import { loadFlagData, receiveRemoteFlag } from "./reports-remote.ts";

describeStores("federated reports and account deletion", (get) => {
  test("a forwarded report about a remote account is a Flag job naming it and its posts", async () => {
    const ctx = get();
    const me = await createTestUser(ctx);
    const them = await upsertRemoteAccount(ctx, remoteActor());
    const post = await insertStatus(ctx, them.id, { local: 0, uri: `${them.uri}/statuses/1` });
    const report = await createReport(ctx, me.account.id, {
      targetAccountId: them.id,
      statusIds: [post.id],
      comment: "spam",
      ruleIds: [],
      forward: true,
    });
    assert.equal(report.forwarded, true);
    const flags = (await enqueued(ctx, "federation.outbound")).filter((e) => e.type === "flag");
    assert.deepEqual(flags, [{ type: "flag", accountId: me.account.id, reportId: report.id }]);
    const data = await loadFlagData(ctx, report.id);
    assert.equal(data?.uri, ctx.uris.report(report.id));
    assert.deepEqual(data?.statusUris, [post.uri]);
    assert.equal(data?.comment, "spam");

    // not forwarded (asked not to, or about a local account): no Flag, nothing to load
    const local = await createTestUser(ctx);
    const kept = await createReport(ctx, me.account.id, {
      targetAccountId: local.account.id,
      statusIds: [],
      comment: "",
      ruleIds: [],
      forward: true,
    });
    assert.equal(kept.forwarded, false);
    assert.equal(await loadFlagData(ctx, kept.id), null);
    const after = (await enqueued(ctx, "federation.outbound")).filter((e) => e.type === "flag");
    assert.equal(after.length, 1);
  });

  test("a received Flag is a report per local account named; the same Flag twice is one report", async () => {
    const ctx = get();
    const instance = await upsertRemoteAccount(
      ctx,
      remoteActor({
        type: "Application",
        username: "flags.example",
        domain: "flags.example",
        uri: "https://flags.example/actor",
      }),
    );
    const bad = await createTestUser(ctx);
    const worse = await createTestUser(ctx);
    const post = await insertStatus(ctx, bad.account.id);
    const stranger = await upsertRemoteAccount(ctx, remoteActor());
    const flag = {
      uri: `https://flags.example/${ctx.ids()}`,
      objectUris: [bad.account.uri, post.uri, worse.account.uri, stranger.uri, "https://elsewhere.example/x"],
      comment: "abuse",
    };
    const made = await receiveRemoteFlag(ctx, instance, flag);
    assert.equal(made.length, 2);
    assert.equal((await receiveRemoteFlag(ctx, instance, flag)).length, 0, "redelivered");
    const reports = (await listReports(ctx, { limit: 200 })).filter((r) => r.reporter.id === instance.id);
    const byTarget = new Map(reports.map((r) => [r.target.id, r]));
    assert.deepEqual(byTarget.get(bad.account.id)?.statusIds, [post.id]);
    assert.deepEqual(byTarget.get(worse.account.id)?.statusIds, []);
    assert.equal(byTarget.get(bad.account.id)?.comment, "abuse");
    assert.equal(byTarget.has(stranger.id), false, "another server's account is not ours to judge");

    // a server whose reports are refused (domain block with reject_reports) files none
    await blockDomain(ctx, { domain: "flags.example", severity: "noop", rejectReports: true });
    const refused = await receiveRemoteFlag(ctx, instance, {
      ...flag,
      uri: `https://flags.example/${ctx.ids()}`,
    });
    assert.deepEqual(refused, []);
  });

  test("a local deletion records one Delete per remote server that knew the account", async () => {
    const ctx = get();
    const me = await createTestUser(ctx);
    const a1 = await upsertRemoteAccount(ctx, remoteActor({ domain: "one.example" }));
    const a2 = await upsertRemoteAccount(ctx, remoteActor({ domain: "one.example" }));
    const b1 = await upsertRemoteAccount(ctx, remoteActor({ domain: "two.example" }));
    await followById(ctx, a1.id, me.account.id);
    await followById(ctx, a2.id, me.account.id);
    await followById(ctx, me.account.id, b1.id);
    await deleteAccount(ctx, me.account.id);
    const deletes = (await enqueued(ctx, "federation.outbound")).filter(
      (e) => e.type === "account.delete" && e.accountId === me.account.id,
    );
    assert.equal(deletes.length, 1);
    const d = deletes[0];
    assert.ok(d.type === "account.delete");
    assert.deepEqual(d.recipients.map((r) => r.sharedInbox).sort(), [
      "https://one.example/inbox",
      "https://two.example/inbox",
    ]);
    // the keys that sign it are kept
    const keys = await ctx.db
      .selectFrom("account_keys")
      .select("account_id")
      .where("account_id", "=", me.account.id)
      .executeTakeFirst();
    assert.ok(keys);
  });

  test("a remote account deleting itself: its posts, follows and counts go; once", async () => {
    const ctx = get();
    const gone = await upsertRemoteAccount(ctx, remoteActor());
    const fan = await createTestUser(ctx);
    const followed = await createTestUser(ctx);
    await followById(ctx, fan.account.id, gone.id);
    await followById(ctx, gone.id, followed.account.id);
    await insertStatus(ctx, gone.id, { local: 0, uri: `${gone.uri}/statuses/9` });
    const counts = async () => {
      const rows = await ctx.db
        .selectFrom("accounts")
        .select(["id", "followers_count", "following_count", "suspended_at"])
        .where("id", "in", [fan.account.id, followed.account.id, gone.id])
        .execute();
      return new Map(rows.map((c) => [c.id, c]));
    };
    const before = await counts();
    assert.equal(await deleteRemoteAccount(ctx, gone.id), true);
    assert.equal(await deleteRemoteAccount(ctx, gone.id), false);
    const statuses = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", gone.id)
      .execute();
    assert.equal(statuses.length, 0);
    const follows = await ctx.db
      .selectFrom("follows")
      .select("id")
      .where((eb) => eb.or([eb("account_id", "=", gone.id), eb("target_account_id", "=", gone.id)]))
      .execute();
    assert.equal(follows.length, 0);
    const by = await counts();
    // the counters it moved are taken back (once, though deleted twice)
    assert.equal(
      by.get(fan.account.id)?.following_count,
      (before.get(fan.account.id)?.following_count ?? 0) - 1,
    );
    assert.equal(
      by.get(followed.account.id)?.followers_count,
      (before.get(followed.account.id)?.followers_count ?? 0) - 1,
    );
    assert.ok(by.get(gone.id)?.suspended_at);
    await assert.rejects(deleteRemoteAccount(ctx, fan.account.id), /remote/);
  });
});
