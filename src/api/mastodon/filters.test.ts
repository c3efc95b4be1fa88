import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { channels, type StreamEvent } from "../../core/events.ts";
import { loadActiveFilters, matchFilters } from "../../core/filters.ts";

describeStores("filters API", (get) => {
  test("v2 create, read, update with keywords_attributes, delete", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const events: StreamEvent[] = [];
    const off = ctx.events.subscribe(channels.user(u.account.id), (e) => events.push(e));
    let res = await u.api("/api/v2/filters", {
      json: {
        title: "Саясат",
        context: ["home", "public"],
        filter_action: "hide",
        expires_in: 3600,
        keywords_attributes: [
          { keyword: "сайлау", whole_word: true },
          { keyword: "partiya", whole_word: false },
        ],
      },
    });
    assert.equal(res.status, 200);
    const f = await res.json();
    assert.equal(f.title, "Саясат");
    assert.deepEqual(f.context, ["home", "public"]);
    assert.equal(f.filter_action, "hide");
    assert.ok(f.expires_at > new Date().toISOString());
    assert.equal(f.keywords.length, 2);
    assert.deepEqual(f.statuses, []);
    assert.ok(
      events.some((e) => e.event === "filters_changed"),
      "filters_changed published",
    );

    const kw = f.keywords.find((k: { keyword: string }) => k.keyword === "partiya");
    res = await u.api(`/api/v2/filters/${f.id}`, {
      method: "PUT",
      json: {
        title: "Politics",
        expires_in: "",
        keywords_attributes: [{ id: kw.id, _destroy: true }, { keyword: "депутат" }],
      },
    });
    assert.equal(res.status, 200);
    const g = await res.json();
    assert.equal(g.title, "Politics");
    assert.equal(g.expires_at, null);
    assert.deepEqual(g.keywords.map((k: { keyword: string }) => k.keyword).sort(), ["депутат", "сайлау"]);
    assert.equal(g.keywords.find((k: { keyword: string }) => k.keyword === "депутат").whole_word, true);

    const list = await (await u.api("/api/v2/filters")).json();
    assert.equal(list.length, 1);
    assert.equal((await u.api(`/api/v2/filters/${f.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await u.api(`/api/v2/filters/${f.id}`)).status, 404);
    off();
  });

  test("keywords and statuses sub-resources; other users get 404", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const other = await createTestUser(ctx);
    const f = await (await u.api("/api/v2/filters", { json: { title: "x", context: ["home"] } })).json();
    let res = await u.api(`/api/v2/filters/${f.id}/keywords`, {
      form: { keyword: "ұят", whole_word: "false" },
    });
    assert.equal(res.status, 200);
    const k = await res.json();
    assert.deepEqual([k.keyword, k.whole_word], ["ұят", false]);
    assert.equal((await (await u.api(`/api/v2/filters/${f.id}/keywords`)).json()).length, 1);
    res = await u.api(`/api/v2/filters/keywords/${k.id}`, { method: "PUT", json: { whole_word: true } });
    assert.equal((await res.json()).whole_word, true);
    assert.equal((await other.api(`/api/v2/filters/keywords/${k.id}`)).status, 404);
    assert.equal((await other.api(`/api/v2/filters/${f.id}`)).status, 404);
    assert.equal((await other.api(`/api/v2/filter_keywords/${k.id}`, { method: "DELETE" })).status, 404);
    assert.equal((await u.api(`/api/v2/filter_keywords/${k.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await u.api(`/api/v2/filters/keywords/${k.id}`)).status, 404);

    // a status filter needs an existing status
    res = await u.api(`/api/v2/filters/${f.id}/statuses`, { json: { status_id: "123" } });
    assert.equal(res.status, 404);
    const now = new Date().toISOString();
    const sid = ctx.ids();
    await ctx.db
      .insertInto("statuses")
      .values({
        id: sid,
        uri: `https://torgai.test/s/${sid}`,
        url: `https://torgai.test/s/${sid}`,
        account_id: other.account.id,
        local: 1,
        text: "hi",
        content: "<p>hi</p>",
        spoiler_text: "",
        sensitive: 0,
        visibility: "public",
        created_at: now,
        updated_at: now,
      })
      .execute();
    res = await u.api(`/api/v2/filters/${f.id}/statuses`, { json: { status_id: sid } });
    assert.equal(res.status, 200);
    const fs = await res.json();
    assert.equal(fs.status_id, sid);
    const active = await loadActiveFilters(ctx, u.account.id, "home");
    assert.equal(
      matchFilters(active, { id: sid, content: "", spoiler_text: "" })[0].status_matches?.[0],
      sid,
    );
    assert.equal((await loadActiveFilters(ctx, u.account.id, "public")).length, 0);
    assert.equal((await u.api(`/api/v2/filters/statuses/${fs.id}`)).status, 200);
    assert.equal((await u.api(`/api/v2/filter_statuses/${fs.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await u.api(`/api/v2/filters/${f.id}/statuses`).then((r) => r.json())).length, 0);
  });

  test("validation: context, action and title", async () => {
    const u = await createTestUser(get());
    assert.equal(
      (await u.api("/api/v2/filters", { json: { title: "x", context: ["nowhere"] } })).status,
      422,
    );
    assert.equal((await u.api("/api/v2/filters", { json: { title: "x", context: [] } })).status, 422);
    assert.equal((await u.api("/api/v2/filters", { json: { context: ["home"] } })).status, 422);
    assert.equal(
      (await u.api("/api/v2/filters", { json: { title: "x", context: ["home"], filter_action: "explode" } }))
        .status,
      422,
    );
    assert.equal((await u.api("/api/v2/filters", { token: null })).status, 401);
    const ro = await createTestUser(get(), { scopes: ["read"] });
    assert.equal((await ro.api("/api/v2/filters", { json: { title: "x", context: ["home"] } })).status, 403);
  });

  test("blur (Mastodon 4.4): the status stays in the timeline, its filtered result says blur", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const author = await createTestUser(ctx);
    await u.api(`/api/v1/accounts/${author.account.id}/follow`, { method: "POST" });
    const res = await u.api("/api/v2/filters", {
      json: {
        title: "Жараланған",
        context: ["home", "public"],
        filter_action: "blur",
        keywords_attributes: [{ keyword: "қан" }],
      },
    });
    assert.equal(res.status, 200);
    const f = await res.json();
    assert.equal(f.filter_action, "blur");
    await author.api("/api/v1/statuses", { json: { status: "Бүгін қан тапсырдым" } });
    await author.api("/api/v1/statuses", { json: { status: "басқа жазба" } });
    await ctx.queue.drain();
    const home = await (await u.api("/api/v1/timelines/home")).json();
    assert.equal(home.length, 2, "a blurred status is not hidden");
    const hit = home.find((s: { content: string }) => s.content.includes("қан"));
    assert.deepEqual(
      hit.filtered.map((r: { filter: { id: string; filter_action: string }; keyword_matches: string[] }) => [
        r.filter.id,
        r.filter.filter_action,
        r.keyword_matches,
      ]),
      [[f.id, "blur", ["қан"]]],
    );
    assert.deepEqual(home.find((s: { content: string }) => !s.content.includes("қан")).filtered, []);
    // and it can be changed to another action and back
    const put = await u.api(`/api/v2/filters/${f.id}`, { method: "PUT", json: { filter_action: "warn" } });
    assert.equal((await put.json()).filter_action, "warn");
    // the v1 view of a blur filter is not irreversible
    await u.api(`/api/v2/filters/${f.id}`, { method: "PUT", json: { filter_action: "blur" } });
    const v1 = await (await u.api("/api/v1/filters")).json();
    assert.equal(v1[0].irreversible, false);
  });

  test("expired filters are not active", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const f = await (
      await u.api("/api/v2/filters", { json: { title: "x", context: ["home"], expires_in: 1 } })
    ).json();
    await ctx.db
      .updateTable("filters")
      .set({ expires_at: "2000-01-01T00:00:00.000Z" })
      .where("id", "=", f.id)
      .execute();
    assert.equal((await loadActiveFilters(ctx, u.account.id)).length, 0);
  });

  test("v1 compatibility: one phrase per filter", async () => {
    const u = await createTestUser(get());
    let res = await u.api("/api/v1/filters", {
      form: { phrase: "жарнама", "context[]": "home", irreversible: "true", whole_word: "false" },
    });
    assert.equal(res.status, 200);
    const v1 = await res.json();
    assert.deepEqual(
      { phrase: v1.phrase, context: v1.context, irreversible: v1.irreversible, whole_word: v1.whole_word },
      { phrase: "жарнама", context: ["home"], irreversible: true, whole_word: false },
    );
    const v2 = await (await u.api("/api/v2/filters")).json();
    assert.equal(v2[0].filter_action, "hide");
    assert.equal(v2[0].keywords[0].id, v1.id);
    res = await u.api(`/api/v1/filters/${v1.id}`, {
      method: "PUT",
      json: { phrase: "реклама", context: ["public"] },
    });
    assert.equal((await res.json()).phrase, "реклама");
    assert.equal((await (await u.api("/api/v1/filters")).json()).length, 1);
    assert.equal((await u.api(`/api/v1/filters/${v1.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await (await u.api("/api/v2/filters")).json()).length, 0);
  });
});
