/** A post's text is tokenised once per create or edit. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../testing/harness.ts";
import { tokenizationCount } from "../text/extract.ts";
import { createStatus } from "./create.ts";
import { editStatus } from "./edit.ts";

describeStores("status text pipeline", (get) => {
  test("create and edit tokenise the text once, and everything comes from that one pass", async () => {
    const ctx = get();
    const author = await createTestUser(ctx);
    const friend = await createTestUser(ctx);
    const text = `Сәлем @${friend.account.username}!\n\nОқы: https://example.kz/a/b #Қазақстан\nтағы #екінші`;

    const before = tokenizationCount();
    const status = await createStatus(ctx, author.account, { text, spoilerText: "ескерту https://x.kz" });
    assert.equal(tokenizationCount() - before, 1, "one tokenisation per create");
    assert.match(status.content, /class="u-url mention">@<span>/);
    assert.match(status.content, /<a href="https:\/\/example\.kz\/a\/b"/);
    assert.match(status.content, /class="mention hashtag" rel="tag">#<span>Қазақстан<\/span>/);
    assert.match(status.content, /^<p>Сәлем .*!<\/p><p>Оқы: .*<br \/>тағы .*<\/p>$/);
    const mentions = await ctx.db
      .selectFrom("mentions")
      .selectAll()
      .where("status_id", "=", status.id)
      .execute();
    assert.deepEqual(
      mentions.map((m) => m.account_id),
      [friend.account.id],
    );
    const tags = await ctx.db
      .selectFrom("status_tags")
      .innerJoin("tags", "tags.id", "status_tags.tag_id")
      .select("tags.name")
      .where("status_tags.status_id", "=", status.id)
      .orderBy("tags.name")
      .execute();
    assert.deepEqual(
      tags.map((t) => t.name),
      ["екінші", "қазақстан"],
    );

    const beforeEdit = tokenizationCount();
    const edited = await editStatus(ctx, author.account, status.id, {
      text: `${text}\nhttps://example.kz/c #үшінші`,
      spoilerText: "ескерту",
    });
    assert.equal(tokenizationCount() - beforeEdit, 1, "one tokenisation per edit");
    assert.match(edited.content, /#<span>үшінші<\/span>/);
  });
});
