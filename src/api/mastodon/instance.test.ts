import assert from "node:assert/strict";
import { test } from "node:test";
import { insertStatus } from "../../../test/helpers/fixtures.ts";
import {
  apiCaller,
  createTestContext,
  createTestUser,
  describeStores,
  STORES,
} from "../../../test/helpers/harness.ts";
import { closeContext } from "../../app.ts";
import { clearInstanceCache, weekStart } from "../../core/instance.ts";

describeStores("instance API", (get) => {
  test("v1 instance: shape, limits from config, stats, contact", async () => {
    const ctx = get();
    const admin = await createTestUser(ctx, { role: "admin" });
    await insertStatus(ctx, admin.account.id);
    await insertStatus(ctx, admin.account.id, { local: 0 });
    clearInstanceCache(ctx);
    const api = apiCaller(ctx);
    const res = await api("/api/v1/instance");
    assert.equal(res.status, 200);
    const i = await res.json();
    assert.equal(i.uri, "torgai.test");
    assert.equal(i.version, "4.4.0 (compatible; Torgai 0.1.0)");
    assert.equal(i.urls.streaming_api, "wss://torgai.test");
    assert.deepEqual(i.languages, ["kk", "ru", "en"]);
    assert.equal(i.registrations, true);
    assert.equal(i.approval_required, false);
    assert.equal(i.configuration.statuses.max_characters, ctx.config.maxStatusChars);
    assert.equal(i.configuration.statuses.characters_reserved_per_url, 23);
    assert.equal(i.configuration.polls.max_options, ctx.config.maxPollOptions);
    assert.equal(i.configuration.accounts.max_pinned_statuses, 5);
    assert.ok(i.stats.user_count >= 1);
    assert.ok(i.stats.status_count >= 1);
    assert.equal(typeof i.stats.domain_count, "number");
    assert.ok(i.contact_account?.id);
    assert.deepEqual(i.rules, []);
  });

  test("v2 instance and the small endpoints", async () => {
    const ctx = get();
    const api = apiCaller(ctx);
    const v2 = await (await api("/api/v2/instance")).json();
    assert.equal(v2.domain, "torgai.test");
    assert.equal(v2.configuration.urls.streaming, "wss://torgai.test");
    assert.match(
      v2.configuration.vapid.public_key,
      /^B[A-Za-z0-9_-]{86}$/,
      "the instance's VAPID key (Web Push)",
    );
    assert.equal(v2.configuration.translation.enabled, false);
    assert.equal(v2.configuration.statuses.max_characters, ctx.config.maxStatusChars);
    assert.deepEqual(v2.registrations, { enabled: true, approval_required: false, message: null, url: null });
    assert.equal(typeof v2.usage.users.active_month, "number");
    assert.equal(v2.thumbnail.url, "https://torgai.test/static/thumbnail.png");
    // the API whose features work (4.4: endorsements, featuring, policy v2); not 4.5's quotes yet
    assert.deepEqual(v2.api_versions, { mastodon: 6 });
    assert.match(v2.version, /^4\.4\.0 /);
    // the profile limits the profile API enforces
    assert.deepEqual(v2.configuration.accounts, {
      max_featured_tags: 10,
      max_pinned_statuses: 5,
      max_display_name_length: 30,
      max_note_length: 500,
      max_avatar_description_length: 150,
      max_header_description_length: 150,
      max_profile_fields: 4,
      profile_field_name_limit: 255,
      profile_field_value_limit: 255,
    });
    // no extended description is configured: Mastodon's empty answer
    assert.deepEqual(await (await api("/api/v1/instance/extended_description")).json(), {
      updated_at: null,
      content: "",
    });
    for (const path of [
      "/api/v1/instance/peers",
      "/api/v1/instance/rules",
      "/api/v1/announcements",
      "/api/v1/trends/statuses",
      "/api/v1/trends/links",
    ]) {
      assert.deepEqual(await (await api(path)).json(), [], path);
    }
    const activity = await (await api("/api/v1/instance/activity")).json();
    assert.equal(activity.length, 12);
    assert.equal(activity[0].week, String(weekStart(new Date()).getTime() / 1000));
    assert.equal(typeof activity[0].statuses, "string");
    assert.equal((await api("/api/v1/trends/tags?limit=99")).status, 422);
  });

  test("custom emojis: local ones only", async () => {
    const ctx = get();
    const now = new Date().toISOString();
    for (const [shortcode, domain, visible] of [
      ["torgai", "", 1],
      ["hidden", "", 0],
      ["remote", "example.com", 1],
    ] as const) {
      await ctx.db
        .insertInto("custom_emojis")
        .values({
          id: ctx.ids(),
          shortcode,
          domain,
          url: `https://x/${shortcode}.png`,
          static_url: `https://x/${shortcode}.png`,
          visible_in_picker: visible,
          category: null,
          created_at: now,
        })
        .execute();
    }
    const emojis = await (await apiCaller(ctx)("/api/v1/custom_emojis")).json();
    assert.deepEqual(
      emojis.map((e: { shortcode: string; visible_in_picker: boolean }) => [
        e.shortcode,
        e.visible_in_picker,
      ]),
      [
        ["hidden", false],
        ["torgai", true],
      ],
    );
  });

  test("trending tags count public posts of the last week", async () => {
    const ctx = get();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const now = new Date().toISOString();
    const tagId = ctx.ids();
    await ctx.db
      .insertInto("tags")
      // as the first public post below would leave it (see core/tags.ts)
      .values({ id: tagId, name: "наурыз", display_name: "Наурыз", created_at: now, public_at: now })
      .execute();
    for (const [u, visibility] of [
      [a, "public"],
      [b, "public"],
      [b, "private"],
    ] as const) {
      const s = await insertStatus(ctx, u.account.id, { visibility });
      await ctx.db.insertInto("status_tags").values({ status_id: s.id, tag_id: tagId }).execute();
    }
    clearInstanceCache(ctx);
    const tags = await (await apiCaller(ctx)("/api/v1/trends/tags")).json();
    const t = tags.find((x: { name: string }) => x.name === "Наурыз");
    assert.ok(t, JSON.stringify(tags));
    assert.equal(t.history.length, 7);
    assert.deepEqual([t.history[0].uses, t.history[0].accounts], ["2", "2"]);
    assert.equal(t.url, "https://torgai.test/tags/%D0%9D%D0%B0%D1%83%D1%80%D1%8B%D0%B7");
  });
});

for (const kind of STORES) {
  test(`the extended description is the operator's text, as escaped paragraphs [${kind}]`, async () => {
    const ctx = await createTestContext(kind, {
      config: {
        TORGAI_INSTANCE_EXTENDED_DESCRIPTION:
          "Қош келдіңіз!\nЕрежелер <b>қатаң</b>.\n\nБайланыс: admin@torgai.test",
      },
    });
    try {
      const body = await (await apiCaller(ctx)("/api/v1/instance/extended_description")).json();
      assert.deepEqual(body, {
        updated_at: null,
        content:
          "<p>Қош келдіңіз!<br>Ережелер &lt;b&gt;қатаң&lt;/b&gt;.</p><p>Байланыс: admin@torgai.test</p>",
      });
    } finally {
      await closeContext(ctx);
    }
  });
}
