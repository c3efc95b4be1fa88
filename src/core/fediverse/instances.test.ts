import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestContext, createTestUser, STORES } from "../../../test/helpers/harness.ts";
import { closeContext, transaction } from "../../app.ts";
import { upsertRemoteAccount } from "../accounts/remote.ts";
import { followAccount } from "../follows/follow.ts";
import { createNotification } from "../notifications/create.ts";
import type { RemoteActor } from "../remote/types.ts";
import {
  blockDomain,
  domainBlockFor,
  listInstances,
  markHeardFrom,
  mayDeliverTo,
  recordDeliveryFailure,
  recordDomainAlive,
  UNAVAILABLE_AFTER_MS,
  unblockDomain,
} from "./instances.ts";

function actor(domain: string, username: string): RemoteActor {
  const uri = `https://${domain}/users/${username}`;
  return {
    uri,
    url: uri,
    type: "Person",
    username,
    domain,
    displayName: username,
    note: "",
    fields: [],
    emojis: [],
    avatarUrl: null,
    headerUrl: null,
    locked: false,
    bot: false,
    discoverable: true,
    indexable: true,
    inbox: `${uri}/inbox`,
    sharedInbox: `https://${domain}/inbox`,
    outbox: null,
    followers: `${uri}/followers`,
    following: null,
    featured: null,
    featuredTags: null,
    publicKeyPem: null,
    publicKeyId: null,
    ed25519PublicKey: null,
    ed25519KeyId: null,
    alsoKnownAs: [],
    movedTo: null,
    published: null,
  };
}

for (const kind of STORES) {
  test(`a suspended domain (and its subdomains) loses its accounts' follows; unblocking shows them again [${kind}]`, async () => {
    const ctx = await createTestContext(kind);
    try {
      const local = await createTestUser(ctx);
      const spam = await upsertRemoteAccount(ctx, actor("spam.example", "bot1"));
      const sub = await upsertRemoteAccount(ctx, actor("a.spam.example", "bot2"));
      const other = await upsertRemoteAccount(ctx, actor("spammy.example", "fine"));
      await ctx.db
        .insertInto("follows")
        .values({
          id: ctx.ids(),
          account_id: spam.id,
          target_account_id: local.account.id,
          show_reblogs: 1,
          notify: 0,
          languages: null,
          uri: "https://spam.example/f/1",
          created_at: new Date().toISOString(),
        })
        .execute();
      await ctx.db
        .updateTable("accounts")
        .set({ followers_count: 1 })
        .where("id", "=", local.account.id)
        .execute();
      await followAccount(ctx, local.account.id, sub.id);

      await blockDomain(ctx, { domain: "SPAM.example", severity: "suspend" });
      assert.equal((await domainBlockFor(ctx, "a.spam.example"))?.domain, "spam.example");
      assert.equal(
        await domainBlockFor(ctx, "spammy.example"),
        null,
        "a suffix of the name is not a subdomain",
      );
      const rows = await ctx.db
        .selectFrom("accounts")
        .select(["id", "suspended_at"])
        .where("id", "in", [spam.id, sub.id, other.id])
        .execute();
      assert.ok(rows.find((r) => r.id === spam.id)?.suspended_at);
      assert.ok(rows.find((r) => r.id === sub.id)?.suspended_at);
      assert.equal(rows.find((r) => r.id === other.id)?.suspended_at, null);
      const follows = await ctx.db
        .selectFrom("follows")
        .selectAll()
        .where("target_account_id", "=", local.account.id)
        .execute();
      assert.equal(follows.length, 0);
      const requests = await ctx.db
        .selectFrom("follow_requests")
        .selectAll()
        .where("account_id", "=", local.account.id)
        .execute();
      assert.equal(requests.length, 0);
      const me = await ctx.db
        .selectFrom("accounts")
        .select("followers_count")
        .where("id", "=", local.account.id)
        .executeTakeFirstOrThrow();
      assert.equal(me.followers_count, 0);
      assert.equal(await mayDeliverTo(ctx, "a.spam.example"), false);
      assert.equal((await listInstances(ctx)).find((i) => i.domain === "a.spam.example")?.block, "suspend");

      await unblockDomain(ctx, "spam.example");
      const back = await ctx.db
        .selectFrom("accounts")
        .select("suspended_at")
        .where("id", "=", spam.id)
        .executeTakeFirstOrThrow();
      assert.equal(back.suspended_at, null);
      assert.equal(await mayDeliverTo(ctx, "spam.example"), true);
      await assert.rejects(unblockDomain(ctx, "spam.example"), /No block/);
      await assert.rejects(
        blockDomain(ctx, { domain: ctx.config.domain, severity: "suspend" }),
        /own domain/,
      );
    } finally {
      await closeContext(ctx);
    }
  });

  test(`a server failing for a week is unavailable until it is heard from [${kind}]`, async () => {
    let now = new Date("2026-11-01T00:00:00Z");
    const ctx = await createTestContext(kind, { now: () => now });
    try {
      await recordDeliveryFailure(ctx, "down.example", "connect ECONNREFUSED");
      now = new Date(now.getTime() + UNAVAILABLE_AFTER_MS / 2);
      await recordDeliveryFailure(ctx, "down.example", "connect ECONNREFUSED");
      assert.equal(await mayDeliverTo(ctx, "down.example"), true, "half a week of failures is not enough");
      now = new Date(now.getTime() + UNAVAILABLE_AFTER_MS);
      await recordDeliveryFailure(ctx, "down.example", "HTTP 503");
      assert.equal(await mayDeliverTo(ctx, "down.example"), false);
      const listed = (await listInstances(ctx, { failingOnly: true })).find(
        (i) => i.domain === "down.example",
      );
      assert.equal(listed?.failures, 3);
      assert.equal(listed?.lastError, "HTTP 503");
      await markHeardFrom(ctx, "down.example");
      assert.equal(await mayDeliverTo(ctx, "down.example"), true);
      assert.equal((await listInstances(ctx, { failingOnly: true })).length, 0);
      // a success in between resets the clock: failures must be continuous
      await recordDeliveryFailure(ctx, "flaky.example", "timeout");
      now = new Date(now.getTime() + UNAVAILABLE_AFTER_MS - 1000);
      await recordDomainAlive(ctx, "flaky.example");
      now = new Date(now.getTime() + 2000);
      await recordDeliveryFailure(ctx, "flaky.example", "timeout");
      assert.equal(await mayDeliverTo(ctx, "flaky.example"), true);
    } finally {
      await closeContext(ctx);
    }
  });

  test(`accounts of a silenced domain are limited: their notifications to strangers are filtered [${kind}]`, async () => {
    const ctx = await createTestContext(kind);
    try {
      const local = await createTestUser(ctx);
      const loud = await upsertRemoteAccount(ctx, actor("loud.example", "shouter"));
      const calm = await upsertRemoteAccount(ctx, actor("calm.example", "friend"));
      await blockDomain(ctx, { domain: "loud.example", severity: "silence" });
      const ids = await transaction(ctx, async (trx, after) => [
        await createNotification(ctx, trx, after, {
          recipientId: local.account.id,
          fromId: loud.id,
          type: "favourite",
        }),
        await createNotification(ctx, trx, after, {
          recipientId: local.account.id,
          fromId: calm.id,
          type: "favourite",
        }),
      ]);
      const rows = await ctx.db
        .selectFrom("notifications")
        .select(["id", "filtered"])
        .where(
          "id",
          "in",
          ids.filter((x): x is string => !!x),
        )
        .execute();
      assert.equal(rows.find((r) => r.id === ids[0])?.filtered, 1, "silenced sender filtered");
      assert.equal(rows.find((r) => r.id === ids[1])?.filtered, 0, "others accepted");
    } finally {
      await closeContext(ctx);
    }
  });
}
