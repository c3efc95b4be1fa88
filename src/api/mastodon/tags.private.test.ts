/**
 * A hashtag used only in followers-only or direct posts stays unknown to everyone else: the Tag
 * entity, search, trends and featured tags show nothing of it until a public or unlisted post uses
 * it, and its id never dates the private use.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json, postStatus } from "../../../test/helpers/api.ts";
import { apiCaller, createTestUser, describeStores } from "../../../test/helpers/harness.ts";

/** The time a snowflake id would encode (ids are ms << 16 | sequence). */
const idTime = (id: string) => Number(BigInt(id) >> 16n);

let n = 0;
const unique = (stem: string) => `${stem}${"абвгдежзик"[n++ % 10]}${Date.now() % 1000}`;

describeStores("hashtags of non-public posts", (get) => {
  test("are unknown to others until a public post uses them; ids carry no time", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const anon = apiCaller(ctx);
    const key = unique("құпия");
    const privateForm = `Құпия${key.slice(5)}Жоба`; // the casing only the private posts used
    const privKey = privateForm.toLowerCase();
    const before = Date.now();
    await postStatus(ctx, alice, `бүгін #${privateForm}`, { visibility: "private" });
    await postStatus(ctx, alice, `тек саған #${privateForm}`, { visibility: "direct" });
    const enc = encodeURIComponent(privKey);

    const unknown = await json(anon(`/api/v1/tags/${encodeURIComponent(unique("ешқашан"))}`));
    for (const viewer of [anon, bob.api]) {
      const tag = await json(viewer(`/api/v1/tags/${enc}`));
      assert.equal(tag.id, undefined, "no id for a tag nobody may know of");
      assert.equal(tag.name, privKey, "the name as asked, not the private posts' casing");
      assert.deepEqual(
        tag.history.map((d: J) => [d.uses, d.accounts]),
        unknown.history.map(() => ["0", "0"]),
      );
      const found = await json(
        viewer(`/api/v2/search?q=%23${encodeURIComponent(key.slice(0, 5))}&type=hashtags`),
      );
      assert.ok(!found.hashtags.some((t: J) => t.name.toLowerCase() === privKey), JSON.stringify(found));
    }
    const unfollowed = await json(bob.api(`/api/v1/tags/${enc}/unfollow`, { method: "POST" }));
    assert.equal(unfollowed.id, undefined);
    // the author sees their own tag
    assert.ok((await json(alice.api(`/api/v1/tags/${enc}`))).id);
    const trends = await json(anon("/api/v1/trends/tags?limit=20"));
    assert.ok(!trends.some((t: J) => t.name.toLowerCase() === privKey));

    // featuring the name shows it as the featuring account wrote it, not as the private posts did
    const featured = await json(bob.api("/api/v1/featured_tags", { json: { name: privKey } }));
    assert.equal(featured.name, privKey);
    const onProfile = await json(anon(`/api/v1/accounts/${bob.account.id}/featured_tags`));
    assert.deepEqual(
      onProfile.map((f: J) => f.name),
      [privKey],
    );
    const followed = await json(bob.api(`/api/v1/tags/${enc}/follow`, { method: "POST" }));
    assert.equal(followed.name, privKey);

    // a public post makes it known, under the public post's form, with an id from no private time
    const publicForm = `ҚҰПИЯ${key.slice(5)}жоба`;
    await postStatus(ctx, carol, `енді ашық #${publicForm}`, { visibility: "unlisted" });
    const after = Date.now();
    const tag = await json(anon(`/api/v1/tags/${enc}`));
    assert.ok(tag.id);
    assert.equal(tag.name, publicForm);
    const t = idTime(tag.id);
    assert.ok(
      t < before - 60_000 || t > after + 60_000,
      `tag id ${tag.id} dates ${new Date(t).toISOString()}`,
    );
    const found = await json(anon(`/api/v2/search?q=%23${encodeURIComponent(privKey)}&type=hashtags`));
    assert.deepEqual(
      found.hashtags.map((h: J) => h.id),
      [tag.id],
    );
    // the history still counts public posts only (carol's is unlisted)
    assert.deepEqual(
      tag.history.map((d: J) => d.uses),
      unknown.history.map(() => "0"),
    );
  });

  test("search ranks hashtags by public use only", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const stem = unique("алм");
    // the first has one public use and many private ones, the second two public uses
    await postStatus(ctx, alice, `#${stem}а`);
    for (let i = 0; i < 4; i++) await postStatus(ctx, alice, `#${stem}а ${i}`, { visibility: "direct" });
    await postStatus(ctx, alice, `#${stem}ұрт`);
    await postStatus(ctx, alice, `#${stem}ұрт екі`, { visibility: "unlisted" });
    const found = await json(apiCaller(ctx)(`/api/v2/search?q=%23${encodeURIComponent(stem)}&type=hashtags`));
    assert.deepEqual(
      found.hashtags.map((h: J) => h.name),
      [`${stem}ұрт`, `${stem}а`],
    );
  });
});
