/**
 * Text limits over the wire: counted as Mastodon counts them, with hard caps in code points so a
 * "short" text cannot hide tens of thousands of combining marks, and a cap on mentions per post.
 * Each refusal is a 422 with a readable error and writes nothing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, post } from "../../../test/helpers/api.ts";
import { insertRemoteAccounts } from "../../../test/helpers/fixtures.ts";
import { apiCaller, createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";

const MARKS =
  "\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c\u0323\u0324\u0325\u0326\u0327\u0328\u032d\u032e\u0330";

/** `n` user-perceived characters, each a letter carrying `marks` combining marks. */
function stuffed(n: number, marks: number): string {
  return `а${MARKS.repeat(Math.ceil(marks / MARKS.length)).slice(0, marks)}`.repeat(n);
}

const patch = (u: TestUser, body: J) =>
  u.api("/api/v1/accounts/update_credentials", { method: "PATCH", json: body });

async function refused(res: Response, pattern: RegExp): Promise<void> {
  assert.equal(res.status, 422);
  const body = (await res.json()) as J;
  assert.match(body.error, pattern);
}

describeStores("text limits over the wire", (get) => {
  test("profile: display name and fields count code points, the bio graphemes with a code-point cap", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    // 30 characters to the eye, 180 code points
    await refused(
      await patch(u, { display_name: stuffed(30, 5) }),
      /Display name is too long \(maximum is 30 characters\)/,
    );
    await refused(
      await patch(u, { display_name: stuffed(30, 5000) }),
      /Display name is too long \(maximum is 30 characters\)/,
    );
    const kazakh = "Әйгерім Нұрсұлтанқызы Өтемісова".slice(0, 30);
    assert.equal([...kazakh].length, 30);
    assert.equal((await patch(u, { display_name: kazakh })).status, 200);

    await refused(
      await patch(u, { note: stuffed(400, 5) }),
      /Note is too long \(maximum is 2000 code points/,
    );
    await refused(
      await patch(u, { note: "ә".repeat(501) }),
      /Note is too long \(maximum is 500 characters\)/,
    );
    // as Mastodon, a link in the bio counts 23 characters whatever its length
    const withLink = `${"ә".repeat(470)} https://example.kz/${"a".repeat(200)}`;
    assert.equal((await patch(u, { note: withLink })).status, 200);

    await refused(
      await patch(u, { fields_attributes: [{ name: "сайт", value: stuffed(100, 3) }] }),
      /Field value is too long \(maximum is 255 characters\)/,
    );
    await refused(
      await patch(u, { fields_attributes: [{ name: stuffed(100, 3), value: "x" }] }),
      /Field name is too long \(maximum is 255 characters\)/,
    );
    const five = Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, value: "v" }));
    await refused(await patch(u, { fields_attributes: five }), /maximum is 4 fields/);

    const me = (await (await u.api("/api/v1/accounts/verify_credentials")).json()) as J;
    assert.equal(me.display_name, kazakh, "refused updates changed nothing");
    assert.deepEqual(me.fields, []);
    assert.equal(me.source.note, withLink);
  });

  test("posts: a code-point cap on text and spoiler together, for create, edit and poll options", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    // 5,000 characters by Mastodon's count (the limit), 100,000 code points
    await refused(
      await u.api("/api/v1/statuses", { json: { status: stuffed(5000, 19) } }),
      /Text is too long \(maximum is 20000 code points/,
    );
    await refused(
      await u.api("/api/v1/statuses", { json: { status: stuffed(560, 19), spoiler_text: stuffed(450, 19) } }),
      /Text is too long \(maximum is 20000 code points/,
    );
    const mine = await u.api(`/api/v1/accounts/${u.account.id}/statuses`);
    assert.deepEqual(await mine.json(), [], "nothing was written");

    // ordinary long text, and long links (each counts 23), are still fine
    assert.equal((await post(u, { status: "ә ".repeat(2500).trim() })).status, 200);
    const links = Array.from({ length: 8 }, (_, i) => `https://example.kz/${i}/${"a".repeat(1000)}`).join(
      " ",
    );
    assert.equal((await post(u, { status: links })).status, 200);

    const s = (await post(u, { status: "бастапқы" })).body;
    await refused(
      await u.api(`/api/v1/statuses/${s.id}`, { method: "PUT", json: { status: stuffed(5000, 19) } }),
      /Text is too long/,
    );
    const after = (await (await u.api(`/api/v1/statuses/${s.id}`)).json()) as J;
    assert.equal(after.content, "<p>бастапқы</p>");
    assert.equal(after.edited_at, null);

    // poll options count graphemes as Mastodon (40 emoji with skin tone: 80 code points) …
    const thumbs = "👍🏽".repeat(40);
    const poll = await post(u, { status: "?", poll: { options: [thumbs, "жоқ"], expires_in: 600 } });
    assert.equal(poll.status, 200);
    // … and 10 characters carrying 300 marks are refused
    const res = await u.api("/api/v1/statuses", {
      json: { status: "?", poll: { options: [stuffed(10, 30), "жоқ"], expires_in: 600 } },
    });
    await refused(res, /Poll contains an item with more than 50 characters/);
  });

  test("mentions: at most 50 distinct accounts per post, 422 before any lookup", async () => {
    const ctx = get();
    const u = await createTestUser(ctx);
    const names = Array.from({ length: 51 }, (_, i) => `m${i}`);
    await insertRemoteAccounts(ctx, "mentions.example", names);
    const at = (list: string[]) => list.map((n) => `@${n}@mentions.example`).join(" ");

    // a thousand unknown names used to be a 500 ("Expression tree is too large")
    const thousand = Array.from({ length: 1000 }, (_, i) => `@${(i + 1296).toString(36)}`).join(" ");
    await refused(
      await u.api("/api/v1/statuses", { json: { status: thousand } }),
      /Text mentions too many accounts \(maximum is 50\)/,
    );
    await refused(
      await u.api("/api/v1/statuses", { json: { status: at(names) } }),
      /Text mentions too many accounts \(maximum is 50\)/,
    );
    const ok = await post(u, { status: `${at(names.slice(0, 50))} ${at(names.slice(0, 50))}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.mentions.length, 50);
    // the same account named many times is one mention
    assert.equal((await post(u, { status: "@m0@mentions.example ".repeat(200) })).status, 200);

    // an edit is held to the same limit, and a refused edit keeps the old mentions
    const s = (await post(u, { status: at(names.slice(0, 2)) })).body;
    await refused(
      await u.api(`/api/v1/statuses/${s.id}`, { method: "PUT", json: { status: at(names) } }),
      /Text mentions too many accounts/,
    );
    const kept = await ctx.db
      .selectFrom("mentions")
      .select("account_id")
      .where("status_id", "=", s.id)
      .execute();
    assert.equal(kept.length, 2);
  });

  test("instance metadata advertises the profile limits", async () => {
    const ctx = get();
    const v2 = (await (await apiCaller(ctx)("/api/v2/instance")).json()) as J;
    assert.deepEqual(
      {
        max_note_length: v2.configuration.accounts.max_note_length,
        max_profile_fields: v2.configuration.accounts.max_profile_fields,
        profile_field_name_limit: v2.configuration.accounts.profile_field_name_limit,
        profile_field_value_limit: v2.configuration.accounts.profile_field_value_limit,
      },
      {
        max_note_length: 500,
        max_profile_fields: 4,
        profile_field_name_limit: 255,
        profile_field_value_limit: 255,
      },
    );
    assert.equal(v2.configuration.polls.max_characters_per_option, 50);
  });
});
