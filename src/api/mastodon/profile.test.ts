import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { enqueued } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("profile API (Mastodon 4.6)", (get) => {
  test("GET /api/v1/profile: raw note and fields, no default images, the tab settings, featured tags", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    await u.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      json: {
        note: "Алматыдан #қазақша https://torgai.kz",
        fields_attributes: [{ name: "Сайт", value: "https://aru.kz" }],
      },
    });
    await u.api("/api/v1/featured_tags", { json: { name: "қазақша" } });
    const p = (await json(u.api("/api/v1/profile"))) as J;
    assert.equal(p.id, u.account.id);
    assert.equal(p.note, "Алматыдан #қазақша https://torgai.kz", "the text as typed, not HTML");
    assert.deepEqual(p.fields, [{ name: "Сайт", value: "https://aru.kz", verified_at: null }]);
    assert.equal(p.avatar, null);
    assert.equal(p.header, null);
    assert.equal(p.avatar_description, "");
    assert.deepEqual(
      [p.show_media, p.show_media_replies, p.show_featured, p.locked, p.bot, p.discoverable, p.indexable],
      [true, true, true, false, false, true, true],
    );
    assert.deepEqual(
      p.featured_tags.map((t: J) => t.name),
      ["қазақша"],
    );
    assert.deepEqual(p.attribution_domains, []);
    assert.equal((await u.api("/api/v1/profile", { token: null })).status, 401);
  });

  test("PATCH /api/v1/profile saves descriptions and tab settings; limits are 422 and change nothing", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const res = await u.api("/api/v1/profile", {
      method: "PATCH",
      form: {
        display_name: "Ару",
        avatar_description: "Таудағы күн",
        header_description: "Алатау",
        show_media: "false",
        show_featured: "0",
        locked: "true",
        "fields_attributes[0][name]": "Тіл",
        "fields_attributes[0][value]": "қазақша",
      },
    });
    assert.equal(res.status, 200);
    const p = (await res.json()) as J;
    assert.equal(p.display_name, "Ару");
    assert.equal(p.avatar_description, "Таудағы күн");
    assert.equal(p.header_description, "Алатау");
    assert.equal(p.show_media, false);
    assert.equal(p.show_media_replies, true);
    assert.equal(p.show_featured, false);
    assert.equal(p.locked, true);
    assert.deepEqual(p.fields, [{ name: "Тіл", value: "қазақша", verified_at: null }]);
    assert.deepEqual(await json(u.api("/api/v1/profile")), p);
    // the Account entity shows the same profile
    const me = (await json(u.api("/api/v1/accounts/verify_credentials"))) as J;
    assert.equal(me.display_name, "Ару");
    assert.equal(me.locked, true);

    const tooLong = await u.api("/api/v1/profile", {
      method: "PATCH",
      json: { display_name: "ok", avatar_description: "x".repeat(151) },
    });
    assert.equal(tooLong.status, 422);
    assert.match(((await tooLong.json()) as J).error, /Avatar description is too long \(maximum is 150/);
    assert.equal(((await json(u.api("/api/v1/profile"))) as J).display_name, "Ару");
    const reader = await createTestUser(ctx, { scopes: ["read"] });
    assert.equal((await reader.api("/api/v1/profile", { method: "PATCH", json: { note: "x" } })).status, 403);
  });

  test("DELETE /api/v1/profile/avatar|header reset to the defaults and their descriptions", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    // an uploaded image arrives with the media issue; until then one is set in the store
    await ctx.db
      .updateTable("accounts")
      .set({ avatar_url: "https://media.torgai.test/a.png", header_url: "https://media.torgai.test/h.png" })
      .where("id", "=", u.account.id)
      .execute();
    await u.api("/api/v1/profile", {
      method: "PATCH",
      json: { avatar_description: "a", header_description: "h" },
    });
    const afterAvatar = (await json(u.api("/api/v1/profile/avatar", { method: "DELETE" }))) as J;
    assert.equal(afterAvatar.avatar, `${ctx.config.baseUrl}/avatars/original/missing.png`);
    assert.equal(afterAvatar.header, "https://media.torgai.test/h.png");
    assert.ok(afterAvatar.source, "a CredentialAccount");
    const afterHeader = (await json(u.api("/api/v1/profile/header", { method: "DELETE" }))) as J;
    assert.equal(afterHeader.header, `${ctx.config.baseUrl}/headers/original/missing.png`);
    const p = (await json(u.api("/api/v1/profile"))) as J;
    assert.deepEqual([p.avatar, p.header, p.avatar_description, p.header_description], [null, null, "", ""]);
    // the change reached other servers (one profile update per removal); removing what is not
    // there succeeds and tells no one
    assert.equal(
      (await enqueued(ctx, "federation.outbound")).filter(
        (e) => e.type === "profile.update" && e.accountId === u.account.id,
      ).length,
      3,
      "the description change and the two removals",
    );
    assert.equal((await u.api("/api/v1/profile/avatar", { method: "DELETE" })).status, 200);
    assert.equal(
      (await enqueued(ctx, "federation.outbound")).filter(
        (e) => e.type === "profile.update" && e.accountId === u.account.id,
      ).length,
      3,
    );
  });
});
