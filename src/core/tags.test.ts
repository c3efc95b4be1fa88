import assert from "node:assert/strict";
import { test } from "node:test";
import { homeIds, insertStatus } from "../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../test/helpers/harness.ts";
import { fanoutStatus } from "./distribution/fanout.ts";
import { blockAccount } from "./follows/blocks.ts";
import { muteAccount } from "./follows/mutes.ts";
import {
  featuredTags,
  featureTag,
  followedTags,
  followTag,
  getTag,
  MAX_FEATURED_TAGS,
  parseTagName,
  unfollowTag,
} from "./tags.ts";

test("tag names: letters of any script, a leading # dropped, nothing else", () => {
  assert.equal(parseTagName("#Қазақстан"), "Қазақстан");
  assert.equal(parseTagName("qazaq_tili"), "qazaq_tili");
  for (const bad of ["", "#", "two words", "1984", "a/b"])
    assert.throws(() => parseTagName(bad), { status: 404 });
});

describeStores("hashtags", (get) => {
  test("following a tag: entity flags, list, and public tagged posts delivered to home", async () => {
    const ctx = get();
    const reader = await createTestUser(ctx);
    const writer = await createTestUser(ctx);
    const view = await followTag(ctx, reader.account.id, "#Шай");
    assert.equal(view.following, true);
    assert.equal(view.name, "Шай");
    // listed under its case-folded name until a public post shows how it is written
    assert.deepEqual(
      (await followedTags(ctx, reader.account.id, { limit: 10 })).tags.map((t) => t.name),
      ["шай"],
    );
    // following twice is harmless
    await followTag(ctx, reader.account.id, "шай");

    const pub = await insertStatus(ctx, writer.account.id, { tags: ["шай"] });
    const unlisted = await insertStatus(ctx, writer.account.id, { tags: ["шай"], visibility: "unlisted" });
    const priv = await insertStatus(ctx, writer.account.id, { tags: ["шай"], visibility: "private" });
    const other = await insertStatus(ctx, writer.account.id, { tags: ["кофе"] });
    for (const s of [pub, unlisted, priv, other]) await fanoutStatus(ctx, s.id);
    assert.deepEqual(await homeIds(ctx, reader.account.id), [pub.id]);
    // the fan-out job may run twice
    await fanoutStatus(ctx, pub.id);
    assert.deepEqual(await homeIds(ctx, reader.account.id), [pub.id]);
    assert.equal((await getTag(ctx, "ШАЙ", reader.account.id)).history[0].uses, "1");

    await unfollowTag(ctx, reader.account.id, "шай");
    assert.equal((await getTag(ctx, "шай", reader.account.id)).following, false);
    const after = await insertStatus(ctx, writer.account.id, { tags: ["шай"] });
    await fanoutStatus(ctx, after.id);
    assert.deepEqual(await homeIds(ctx, reader.account.id), [pub.id]);
  });

  test("followed tags respect blocks and mutes of the author and of mentioned accounts", async () => {
    const ctx = get();
    const reader = await createTestUser(ctx);
    const blocked = await createTestUser(ctx);
    const muted = await createTestUser(ctx);
    const fine = await createTestUser(ctx);
    await followTag(ctx, reader.account.id, "жаңалық");
    await blockAccount(ctx, reader.account.id, blocked.account.id);
    await muteAccount(ctx, reader.account.id, muted.account.id, {});
    const a = await insertStatus(ctx, blocked.account.id, { tags: ["жаңалық"] });
    const b = await insertStatus(ctx, muted.account.id, { tags: ["жаңалық"] });
    const c = await insertStatus(ctx, fine.account.id, { tags: ["жаңалық"], mentions: [muted.account.id] });
    const d = await insertStatus(ctx, fine.account.id, { tags: ["жаңалық"] });
    for (const s of [a, b, c, d]) await fanoutStatus(ctx, s.id);
    assert.deepEqual(await homeIds(ctx, reader.account.id), [d.id]);
    // the author's own tagged post is in their home once, as any own post
    const own = await insertStatus(ctx, reader.account.id, { tags: ["жаңалық"] });
    await ctx.db
      .insertInto("home_feed")
      .values({
        account_id: reader.account.id,
        status_id: own.id,
        author_id: reader.account.id,
        reblog_of_id: null,
      })
      .execute();
    await fanoutStatus(ctx, own.id);
    assert.deepEqual(await homeIds(ctx, reader.account.id), [own.id, d.id]);
  });

  test("featured tags count public uses and stop at the limit", async () => {
    const ctx = get();
    const user = await createTestUser(ctx);
    await insertStatus(ctx, user.account.id, { tags: ["домбыра"] });
    await insertStatus(ctx, user.account.id, { tags: ["домбыра"], visibility: "private" });
    const f = await featureTag(ctx, user.account.id, "Домбыра");
    assert.equal(f.statusesCount, 1);
    assert.ok(f.lastStatusAt);
    assert.equal((await featureTag(ctx, user.account.id, "домбыра")).id, f.id, "featuring twice is one row");
    for (let i = 1; i < MAX_FEATURED_TAGS; i++) await featureTag(ctx, user.account.id, `тег${i}x`);
    await assert.rejects(featureTag(ctx, user.account.id, "артық"), { status: 422 });
    assert.equal((await featuredTags(ctx, user.account.id)).length, MAX_FEATURED_TAGS);
  });
});
