import assert from "node:assert/strict";
import { test } from "node:test";
import { type J, json } from "../../../test/helpers/api.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";

describeStores("collections (Mastodon 4.6)", (get) => {
  test("create with accounts, fetch with accounts, update, list, in_collections, delete", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const carol = await createTestUser(ctx);
    const res = await alice.api("/api/v1/collections", {
      json: {
        name: "Қазақ ақындары",
        description: "Оқуға тұрарлық",
        tag_name: "Поэзия",
        language: "kk",
        account_ids: [bob.account.id, carol.account.id],
      },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { collection } = (await res.json()) as J;
    assert.equal(collection.name, "Қазақ ақындары");
    assert.equal(collection.account_id, alice.account.id);
    assert.equal(
      collection.uri,
      `${ctx.config.baseUrl}/users/${alice.account.username}/collections/${collection.id}`,
    );
    assert.equal(collection.local, true);
    assert.equal(collection.discoverable, true);
    assert.equal(collection.item_count, 2);
    assert.deepEqual(
      collection.items.map((i: J) => [i.account_id, i.state]),
      [
        [bob.account.id, "accepted"],
        [carol.account.id, "accepted"],
      ],
    );
    assert.equal(collection.tag.url, ctx.uris.tag(collection.tag.name));

    const fetched = (await json(carol.api(`/api/v1/collections/${collection.id}`))) as J;
    assert.equal(fetched.collection.id, collection.id);
    assert.deepEqual(
      fetched.accounts.map((a: J) => a.id),
      [bob.account.id, carol.account.id],
    );

    const updated = (await json(
      alice.api(`/api/v1/collections/${collection.id}`, { method: "PUT", json: { name: "Ақындар" } }),
    )) as J;
    assert.equal(updated.collection.name, "Ақындар");
    assert.equal(updated.collection.description, "Оқуға тұрарлық");
    const mine = (await json(bob.api(`/api/v1/accounts/${alice.account.id}/collections`))) as J;
    assert.deepEqual(
      mine.collections.map((x: J) => x.name),
      ["Ақындар"],
    );
    const featuring = (await json(bob.api(`/api/v1/accounts/${bob.account.id}/in_collections`))) as J;
    assert.deepEqual(
      featuring.collections.map((x: J) => x.id),
      [collection.id],
    );

    // only the owner changes it
    assert.equal(
      (await bob.api(`/api/v1/collections/${collection.id}`, { method: "PUT", json: { name: "x" } })).status,
      403,
    );
    assert.equal((await bob.api(`/api/v1/collections/${collection.id}`, { method: "DELETE" })).status, 403);
    assert.equal((await alice.api(`/api/v1/collections/${collection.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await alice.api(`/api/v1/collections/${collection.id}`)).status, 404);
    assert.deepEqual(await json(bob.api(`/api/v1/accounts/${bob.account.id}/in_collections`)), {
      collections: [],
    });
  });

  test("items: add, remove, the featured account revokes; who may be featured; hidden collections", async () => {
    const ctx = get();
    const alice = await createTestUser(ctx);
    const bob = await createTestUser(ctx);
    const shy = await createTestUser(ctx);
    await shy.api("/api/v1/accounts/update_credentials", { method: "PATCH", json: { discoverable: false } });
    const { collection } = (await json(
      alice.api("/api/v1/collections", { json: { name: "Достар", discoverable: false } }),
    )) as J;
    const add = await alice.api(`/api/v1/collections/${collection.id}/items`, {
      json: { account_id: bob.account.id },
    });
    assert.equal(add.status, 200);
    const { collection_item } = (await add.json()) as J;
    assert.deepEqual([collection_item.account_id, collection_item.state], [bob.account.id, "accepted"]);
    // an account that is not discoverable did not agree to be shown to strangers; nor can one feature oneself
    const refused = await alice.api(`/api/v1/collections/${collection.id}/items`, {
      json: { account_id: shy.account.id },
    });
    assert.equal(refused.status, 422);
    assert.equal(
      (
        await alice.api(`/api/v1/collections/${collection.id}/items`, {
          json: { account_id: alice.account.id },
        })
      ).status,
      422,
    );
    // a collection that is not discoverable is its owner's alone
    assert.equal((await bob.api(`/api/v1/collections/${collection.id}`)).status, 404);
    assert.deepEqual(await json(bob.api(`/api/v1/accounts/${alice.account.id}/collections`)), {
      collections: [],
    });
    assert.equal(
      ((await json(alice.api(`/api/v1/accounts/${alice.account.id}/collections`))) as J).collections.length,
      1,
    );

    // bob takes himself out; alice cannot revoke for him, and he cannot remove items of hers
    assert.equal(
      (
        await alice.api(`/api/v1/collections/${collection.id}/items/${collection_item.id}/revoke`, {
          method: "POST",
        })
      ).status,
      404,
    );
    assert.equal(
      (
        await bob.api(`/api/v1/collections/${collection.id}/items/${collection_item.id}`, {
          method: "DELETE",
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await bob.api(`/api/v1/collections/${collection.id}/items/${collection_item.id}/revoke`, {
          method: "POST",
        })
      ).status,
      200,
    );
    const after = (await json(alice.api(`/api/v1/collections/${collection.id}`))) as J;
    assert.deepEqual(after.collection.items, []);
    assert.deepEqual(after.accounts, []);

    // the owner removes an item; a block keeps the blocked out
    await alice.api(`/api/v1/collections/${collection.id}/items`, { json: { account_id: bob.account.id } });
    const item = ((await json(alice.api(`/api/v1/collections/${collection.id}`))) as J).collection.items[0];
    assert.equal(
      (await alice.api(`/api/v1/collections/${collection.id}/items/${item.id}`, { method: "DELETE" })).status,
      200,
    );
    await bob.api(`/api/v1/accounts/${alice.account.id}/block`, { method: "POST" });
    assert.equal(
      (
        await alice.api(`/api/v1/collections/${collection.id}/items`, {
          json: { account_id: bob.account.id },
        })
      ).status,
      404,
    );
    assert.equal((await alice.api("/api/v1/collections", { json: { name: "" } })).status, 422);
    assert.equal((await alice.api("/api/v1/collections", { json: { name: "x".repeat(41) } })).status, 422);
  });
});
