import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
type J = any;

describeStores("relationships API", (getCtx) => {
  test("locked account: request, list with Link, authorize; followers/following", async () => {
    const ctx = getCtx();
    const locked = await createTestUser(ctx, { locked: true });
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const r1 = await a.api(`/api/v1/accounts/${locked.account.id}/follow`, { form: { reblogs: "false" } });
    const rel1: J = await r1.json();
    assert.equal(r1.status, 200);
    assert.deepEqual(
      { following: rel1.following, requested: rel1.requested, showing_reblogs: rel1.showing_reblogs },
      { following: false, requested: true, showing_reblogs: false },
    );
    for (const key of [
      "id",
      "following",
      "showing_reblogs",
      "notifying",
      "languages",
      "followed_by",
      "blocking",
      "blocked_by",
      "muting",
      "muting_notifications",
      "requested",
      "requested_by",
      "domain_blocking",
      "endorsed",
      "note",
    ])
      assert.ok(key in rel1, `Relationship has ${key}`);
    await b.api(`/api/v1/accounts/${locked.account.id}/follow`, { method: "POST" });

    const page1 = await locked.api("/api/v1/follow_requests?limit=1");
    const body1: J = await page1.json();
    assert.deepEqual(
      body1.map((x: J) => x.id),
      [b.account.id],
    );
    const next = /<([^>]+)>; rel="next"/.exec(page1.headers.get("link") ?? "")?.[1];
    assert.ok(next);
    const page2: J = await (await locked.api(next)).json();
    assert.deepEqual(
      page2.map((x: J) => x.id),
      [a.account.id],
    );

    const notes: J = await (await locked.api("/api/v1/notifications")).json();
    assert.deepEqual(
      notes.map((n: J) => n.type),
      ["follow_request", "follow_request"],
    );

    const auth = await locked.api(`/api/v1/follow_requests/${a.account.id}/authorize`, { method: "POST" });
    assert.equal(auth.status, 200);
    assert.equal(((await auth.json()) as J).followed_by, true);
    const rej = await locked.api(`/api/v1/follow_requests/${b.account.id}/reject`, { method: "POST" });
    assert.equal(((await rej.json()) as J).requested_by, false);
    assert.equal(
      (await locked.api(`/api/v1/follow_requests/${b.account.id}/reject`, { method: "POST" })).status,
      404,
    );

    const followers: J = await (await b.api(`/api/v1/accounts/${locked.account.id}/followers`)).json();
    assert.deepEqual(
      followers.map((x: J) => x.id),
      [a.account.id],
    );
    const following: J = await (
      await b.api(`/api/v1/accounts/${a.account.id}/following`, { token: null })
    ).json();
    assert.deepEqual(
      following.map((x: J) => x.id),
      [locked.account.id],
    );
    const rels: J = await (
      await a.api(`/api/v1/accounts/relationships?id[]=${locked.account.id}&id[]=${b.account.id}&id[]=1`)
    ).json();
    assert.deepEqual(
      rels.map((r: J) => [r.id, r.following]),
      [
        [locked.account.id, true],
        [b.account.id, false],
      ],
    );
    const familiar: J = await (
      await b.api(`/api/v1/accounts/familiar_followers?id[]=${locked.account.id}`)
    ).json();
    assert.deepEqual(familiar, [{ id: locked.account.id, accounts: [] }]);
    await b.api(`/api/v1/accounts/${a.account.id}/follow`, { method: "POST" });
    const familiar2: J = await (
      await b.api(`/api/v1/accounts/familiar_followers?id=${locked.account.id}`)
    ).json();
    assert.deepEqual(
      familiar2[0].accounts.map((x: J) => x.id),
      [a.account.id],
    );
  });

  test("self-follow, unknown accounts, blocks, mutes, notes and their lists", async () => {
    const ctx = getCtx();
    const a = await createTestUser(ctx);
    const b = await createTestUser(ctx);
    const self = await a.api(`/api/v1/accounts/${a.account.id}/follow`, { method: "POST" });
    assert.equal(self.status, 403);
    assert.ok(((await self.json()) as J).error);
    assert.equal((await a.api("/api/v1/accounts/123456789012345678/follow", { method: "POST" })).status, 404);
    assert.equal(
      (await a.api(`/api/v1/accounts/${b.account.id}/follow`, { method: "POST", token: null })).status,
      401,
    );

    await a.api(`/api/v1/accounts/${b.account.id}/follow`, { json: { notify: true, languages: ["kk"] } });
    const rel: J = await (await a.api(`/api/v1/accounts/relationships?id[]=${b.account.id}`)).json();
    assert.equal(rel[0].notifying, true);
    assert.deepEqual(rel[0].languages, ["kk"]);

    const block: J = await (await b.api(`/api/v1/accounts/${a.account.id}/block`, { method: "POST" })).json();
    assert.equal(block.blocking, true);
    assert.equal(block.followed_by, false);
    assert.equal((await a.api(`/api/v1/accounts/${b.account.id}/follow`, { method: "POST" })).status, 403);
    const blocks: J = await (await b.api("/api/v1/blocks")).json();
    assert.deepEqual(
      blocks.map((x: J) => x.id),
      [a.account.id],
    );
    assert.equal(
      ((await (await b.api(`/api/v1/accounts/${a.account.id}/unblock`, { method: "POST" })).json()) as J)
        .blocking,
      false,
    );

    const mute: J = await (
      await a.api(`/api/v1/accounts/${b.account.id}/mute`, { json: { notifications: false, duration: 3600 } })
    ).json();
    assert.equal(mute.muting, true);
    assert.equal(mute.muting_notifications, false);
    const mutes: J = await (await a.api("/api/v1/mutes")).json();
    assert.equal(mutes[0].id, b.account.id);
    assert.ok(mutes[0].mute_expires_at);
    assert.equal(
      ((await (await a.api(`/api/v1/accounts/${b.account.id}/unmute`, { method: "POST" })).json()) as J)
        .muting,
      false,
    );

    const note: J = await (
      await a.api(`/api/v1/accounts/${b.account.id}/note`, { form: { comment: "met at the bazaar" } })
    ).json();
    assert.equal(note.note, "met at the bazaar");
    const cleared: J = await (
      await a.api(`/api/v1/accounts/${b.account.id}/note`, { json: { comment: "" } })
    ).json();
    assert.equal(cleared.note, "");
  });
});
