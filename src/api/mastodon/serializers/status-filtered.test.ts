import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../../../test/helpers/harness.ts";

interface Json {
  id: string;
  filtered?: { filter: { title: string; filter_action: string }; keyword_matches: string[] | null }[];
  reblog: Json | null;
}

describeStores("filters apply to statuses in REST responses", (get) => {
  test("home timeline, status GET and reblogs carry the viewer's filter matches; own posts never", async () => {
    const ctx = get();
    const reader = await createTestUser(ctx);
    const author = await createTestUser(ctx);
    const booster = await createTestUser(ctx);
    for (const target of [author, booster]) {
      await reader.api(`/api/v1/accounts/${target.account.id}/follow`, { method: "POST" });
    }
    const res = await reader.api("/api/v2/filters", {
      json: {
        title: "Спойлерлер",
        context: ["home", "public"],
        filter_action: "warn",
        keywords_attributes: [{ keyword: "финал", whole_word: true }],
      },
    });
    assert.equal(res.status, 200);
    const post = (await (
      await author.api("/api/v1/statuses", { json: { status: "Финал керемет болды!" } })
    ).json()) as Json;
    const other = (await (
      await author.api("/api/v1/statuses", { json: { status: "Бүгін жаңбыр" } })
    ).json()) as Json;
    const boost = (await (
      await booster.api(`/api/v1/statuses/${post.id}/reblog`, { method: "POST" })
    ).json()) as Json;
    await reader.api("/api/v1/statuses", { json: { status: "Менің финал туралы жазбам" } });
    await ctx.queue.drain();

    const home = (await (await reader.api("/api/v1/timelines/home?limit=40")).json()) as (Json & {
      account: { id: string };
    })[];
    const byId = new Map(home.map((s) => [s.id, s]));
    assert.equal(byId.get(post.id)?.filtered?.[0]?.filter.title, "Спойлерлер");
    assert.deepEqual(byId.get(post.id)?.filtered?.[0]?.keyword_matches, ["финал"]);
    assert.deepEqual(byId.get(other.id)?.filtered, []);
    // the reblog is not shown to the reader (the original is already there); a reader who follows
    // only the booster sees it, with the original's matches on the wrapper too
    const second = await createTestUser(ctx);
    await second.api(`/api/v1/accounts/${booster.account.id}/follow`, { method: "POST" });
    await second.api("/api/v2/filters", {
      json: { title: "F", context: ["home"], keywords_attributes: [{ keyword: "финал" }] },
    });
    await ctx.queue.drain();
    const secondHome = (await (await second.api("/api/v1/timelines/home")).json()) as Json[];
    const wrapper = secondHome.find((s) => s.id === boost.id);
    assert.equal(wrapper?.filtered?.length, 1, "a reblog carries its original's matches");
    assert.equal(wrapper?.reblog?.filtered?.length, 1);
    const own = home.find((s) => s.account.id === reader.account.id);
    assert.deepEqual(own?.filtered, [], "one's own posts are never filtered");

    const single = (await (await reader.api(`/api/v1/statuses/${post.id}`)).json()) as Json;
    assert.equal(single.filtered?.length, 1);
    // other viewers are not affected by someone else's filters
    const asAuthor = (await (await booster.api(`/api/v1/statuses/${post.id}`)).json()) as Json;
    assert.deepEqual(asAuthor.filtered, []);
    // anonymous responses have no filtered field at all (Mastodon)
    const anon = (await (await reader.api(`/api/v1/statuses/${post.id}`, { token: null })).json()) as Json;
    assert.equal(anon.filtered, undefined);
  });
});
