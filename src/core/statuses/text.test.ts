/** A post's text is tokenised once per create or edit, and its mentions resolve in one query. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KyselyPlugin } from "kysely";
import { insertRemoteAccounts } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { tokenizationCount, tokenize } from "../text/extract.ts";
import { createStatus } from "./create.ts";
import { editStatus } from "./edit.ts";
import { parseStatusText } from "./entities.ts";

function countingDb(ctx: AppContext): { db: AppContext["db"]; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: ctx.db.withPlugin(plugin), count: () => n };
}

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

  test("a thousand mentions resolve in one query, exact pairs only, on both stores", async () => {
    const ctx = get();
    const names = Array.from({ length: 1000 }, (_, i) => `p${i}`);
    const known = await insertRemoteAccounts(ctx, "many.example", names.slice(0, 600));
    // p1@other.example exists but is not named: a name on another domain must not match
    const [q] = await insertRemoteAccounts(ctx, "other.example", ["q", "p1"]);
    const text = [...names.map((n) => `@${n}@many.example`), "@q@other.example", "@nobody"].join(" ");
    const { db, count } = countingDb(ctx);
    // parseStatusText itself has no limit (createStatus refuses such a post); it must still not fail
    const parsed = await parseStatusText(ctx, db, tokenize(text));
    assert.equal(count(), 1);
    assert.deepEqual(new Set(parsed.mentioned.map((a) => a.id)), new Set([...known, q].map((a) => a.id)));
    assert.match(parsed.html, /href="https:\/\/many\.example\/@p599" class="u-url mention"/);
    assert.ok(parsed.html.includes(" @p600@many.example "), "unknown accounts stay plain text");
  });
});
