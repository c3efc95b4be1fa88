import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("allowed_mentions on status creation", (get) => {
  test("a mention outside allowed_mentions refuses the post with the unexpected accounts; nothing is stored", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const text = `@${bob.account.username} @${carol.account.username} сәлем`;

    const refused = await alice.api("/api/v1/statuses", { json: { status: text, allowed_mentions: [] } });
    assert.equal(refused.status, 422);
    const body = (await refused.json()) as J;
    assert.equal(body.error, "Post would be sent to unexpected accounts");
    assert.deepEqual(
      body.unexpected_accounts.map((a: J) => a.id).sort(),
      [bob.account.id, carol.account.id].sort(),
    );
    assert.equal(body.unexpected_accounts[0].acct !== undefined, true, "full Account entities");

    // form encoding: only carol is left out
    const form = await alice.api("/api/v1/statuses", {
      form: { status: text, "allowed_mentions[]": bob.account.id },
    });
    assert.equal(form.status, 422);
    assert.deepEqual(
      ((await form.json()) as J).unexpected_accounts.map((a: J) => a.id),
      [carol.account.id],
    );
    await ctx.queue.drain();
    const stored = await ctx.db
      .selectFrom("statuses")
      .select("id")
      .where("account_id", "=", alice.account.id)
      .execute();
    assert.equal(stored.length, 0);
    assert.deepEqual(await json(bob.api("/api/v1/notifications")), []);

    // everyone mentioned is allowed: posted and notified as usual; without the parameter nothing is checked
    const ok = await alice.api("/api/v1/statuses", {
      json: { status: text, allowed_mentions: [bob.account.id, carol.account.id] },
    });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as J).mentions.length, 2);
    assert.equal(
      (await alice.api("/api/v1/statuses", { json: { status: `@${bob.account.username} again` } })).status,
      200,
    );
    assert.equal(
      (await alice.api("/api/v1/statuses", { json: { status: "hi", allowed_mentions: ["not-an-id"] } }))
        .status,
      422,
    );
  });
});
