import assert from "node:assert/strict";
import { test } from "node:test";
import { insertRemoteAccounts, insertStatus } from "../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, testConfig } from "../../test/helpers/harness.ts";
import type { AppContext } from "../app.ts";
import type { Account } from "../store/schema.ts";
import { directory } from "./directory.ts";
import { blockDomain, listDomainBlocks, normalizeDomain, unblockDomain } from "./domain-blocks.ts";
import { getRelationship } from "./follows/relationships.ts";
import { search } from "./search.ts";
import { publicTimeline } from "./timelines/queries.ts";

async function remoteAccount(ctx: AppContext, username: string, domain: string): Promise<Account> {
  const [account] = await insertRemoteAccounts(ctx, domain, [username]);
  return account;
}

test("domains are normalised; nonsense and our own domain are refused", () => {
  const ctx = { config: testConfig() } as AppContext;
  assert.equal(normalizeDomain(ctx, " Spam.Example "), "spam.example");
  assert.equal(normalizeDomain(ctx, "https://spam.example/about"), "spam.example");
  assert.equal(normalizeDomain(ctx, "*.spam.example"), "spam.example");
  assert.equal(normalizeDomain(ctx, "Мысал.ҚАЗ"), new URL("http://мысал.қаз").host, "IDNs as punycode");
  for (const bad of ["", "not a domain", "localhost", "torgai.test", "a..b"])
    assert.throws(() => normalizeDomain(ctx, bad), { status: 422 }, bad);
});

describeStores("domain blocks, directory and search", (get) => {
  test("a blocked domain's accounts leave timelines, search, the directory and follows", async () => {
    const ctx = get();
    const me = await createTestUser(ctx);
    const spammer = await remoteAccount(ctx, "spammer", "spam.example");
    const friend = await remoteAccount(ctx, "spamfriend", "ok.example");
    const s1 = await insertStatus(ctx, spammer.id, { local: 0 });
    const s2 = await insertStatus(ctx, friend.id, { local: 0 });
    await ctx.db
      .insertInto("follows")
      .values({
        id: ctx.ids(),
        account_id: me.account.id,
        target_account_id: spammer.id,
        show_reblogs: 1,
        notify: 0,
        languages: null,
        uri: null,
        created_at: ctx.now().toISOString(),
      })
      .execute();
    const ids = async () => (await publicTimeline(ctx, me.account.id, {}, { limit: 20 })).map((s) => s.id);
    assert.deepEqual(await ids(), [s2.id, s1.id]);

    await blockDomain(ctx, me.account.id, "SPAM.example");
    assert.deepEqual(await ids(), [s2.id]);
    assert.deepEqual((await listDomainBlocks(ctx, me.account.id, { limit: 10 })).domains, ["spam.example"]);
    const rel = await getRelationship(ctx, me.account.id, spammer.id);
    assert.equal(rel.domain_blocking, true);
    assert.equal(rel.following, false, "the follow ended with the block");
    assert.equal((await getRelationship(ctx, me.account.id, friend.id)).domain_blocking, false);
    const dir = await directory(ctx, me.account.id, { order: "new", local: false, offset: 0, limit: 40 });
    assert.ok(!dir.some((a) => a.id === spammer.id) && dir.some((a) => a.id === friend.id));

    await unblockDomain(ctx, me.account.id, "spam.example");
    assert.deepEqual(await ids(), [s2.id, s1.id]);
    assert.deepEqual((await listDomainBlocks(ctx, me.account.id, { limit: 10 })).domains, []);
  });

  test("search: hashtags by prefix, statuses and accounts by URL with visibility applied", async () => {
    const ctx = get();
    const author = await createTestUser(ctx, { username: `searchable_${Date.now()}` });
    const viewer = await createTestUser(ctx);
    await insertStatus(ctx, author.account.id, { tags: ["іздеу"] });
    await insertStatus(ctx, author.account.id, { tags: ["іздеушілер"] });
    await insertStatus(ctx, author.account.id, { tags: ["іздеушілер"] });
    const found = await search(ctx, viewer.account.id, { q: "#ІЗДЕУ", limit: 5, offset: 0 });
    assert.deepEqual(
      found.hashtags.map((t) => t.name),
      ["іздеу", "іздеушілер"],
      "an exact match comes first",
    );
    assert.deepEqual(found.accounts, [], "a # query looks for hashtags only");

    const pub = await insertStatus(ctx, author.account.id);
    const priv = await insertStatus(ctx, author.account.id, { visibility: "private" });
    const byUrl = (q: string, who: string | null) => search(ctx, who, { q, limit: 5, offset: 0 });
    assert.deepEqual(
      (await byUrl(pub.url, null)).statuses.map((s) => s.id),
      [pub.id],
    );
    assert.deepEqual((await byUrl(priv.uri, viewer.account.id)).statuses, []);
    assert.deepEqual(
      (await byUrl(priv.uri, author.account.id)).statuses.map((s) => s.id),
      [priv.id],
    );
    assert.deepEqual(
      (await byUrl(author.account.url, null)).accounts.map((a) => a.id),
      [author.account.id],
    );
    assert.deepEqual(
      (await search(ctx, null, { q: pub.url, type: "accounts", limit: 5, offset: 0 })).statuses,
      [],
    );
  });
});
