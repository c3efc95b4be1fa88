/** Migration 009 on tags stored before it: visibility filled in, private forms dropped, ids re-drawn. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { type Migration, Migrator } from "kysely/migration";
import { PG_URL, STORES } from "../../../test/helpers/harness.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { dropSchema, migrate, openStore, type Store } from "../db.ts";
import * as m001 from "./001_initial.ts";
import * as m002 from "./002_accounts.ts";
import * as m003 from "./003_statuses.ts";
import * as m004 from "./004_graph.ts";
import * as m006 from "./006_conformance.ts";

const before009: Record<string, Migration> = {
  "001_initial": m001,
  "002_accounts": m002,
  "003_statuses": m003,
  "004_graph": m004,
  "006_conformance": m006,
};

async function openBare(kind: (typeof STORES)[number]): Promise<Store> {
  if (kind === "sqlite") return openStore({ url: "sqlite::memory:" });
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const store = await openStore({ url: PG_URL, pgSchema: schema, poolSize: 2 });
  const destroy = store.destroy;
  store.destroy = async () => {
    await destroy();
    await dropSchema(PG_URL, schema);
  };
  return store;
}

for (const kind of STORES) {
  test(`009 re-keys stored tags and marks which are public [${kind}]`, async () => {
    const store = await openBare(kind);
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the schema as it was before 009
      const db = store.db as any;
      const old = await new Migrator({
        db,
        provider: { getMigrations: async () => before009 },
        ...(store.pgSchema ? { migrationTableSchema: store.pgSchema } : {}),
      }).migrateToLatest();
      assert.equal(old.error, undefined);

      const ids = createIdGenerator();
      const at = (iso: string) => ({ id: ids(new Date(iso)), iso });
      const acct = at("2025-01-01T00:00:00.000Z");
      await db
        .insertInto("accounts")
        .values({
          id: acct.id,
          username: "a",
          uri: "u:a",
          url: "u:a",
          created_at: acct.iso,
          updated_at: acct.iso,
        })
        .execute();
      const status = async (when: string, visibility: string, tagIds: string[]) => {
        const s = at(when);
        await db
          .insertInto("statuses")
          .values({
            id: s.id,
            uri: `s:${s.id}`,
            url: `s:${s.id}`,
            account_id: acct.id,
            visibility,
            created_at: s.iso,
            updated_at: s.iso,
          })
          .execute();
        for (const tag_id of tagIds)
          await db.insertInto("status_tags").values({ status_id: s.id, tag_id }).execute();
      };
      const tag = async (when: string, name: string, display: string) => {
        const t = at(when);
        await db
          .insertInto("tags")
          .values({ id: t.id, name, display_name: display, created_at: t.iso })
          .execute();
        return t.id;
      };
      // first used privately, later publicly: public from the public post, private form dropped
      const secretThenPublic = await tag("2025-02-01T00:00:00.000Z", "құпия", "ҚұпиЯ");
      await status("2025-02-01T00:00:00.000Z", "direct", [secretThenPublic]);
      await status("2025-03-01T00:00:00.000Z", "unlisted", [secretThenPublic]);
      // only ever private
      const secret = await tag("2025-02-02T00:00:00.000Z", "жасырын", "Жасырын");
      await status("2025-02-02T00:00:00.000Z", "private", [secret]);
      // created by a public post: keeps its form
      const open = await tag("2025-04-01T00:00:00.000Z", "ашық", "Ашық");
      await status("2025-04-01T00:00:00.000Z", "public", [open]);
      for (const [table, tagId] of [
        ["tag_follows", secret],
        ["featured_tags", secretThenPublic],
      ] as const) {
        await db
          .insertInto(table)
          .values({ id: ids(), account_id: acct.id, tag_id: tagId, created_at: acct.iso })
          .execute();
      }

      await migrate(store.db, { pgSchema: store.pgSchema });

      const rows = await store.db.selectFrom("tags").selectAll().orderBy("name").execute();
      assert.deepEqual(
        rows.map((r) => [r.name, r.display_name, r.public_at]),
        [
          ["ашық", "Ашық", "2025-04-01T00:00:00.000Z"],
          ["жасырын", "жасырын", null],
          ["құпия", "құпия", "2025-03-01T00:00:00.000Z"],
        ],
      );
      const oldIds = new Set([secretThenPublic, secret, open]);
      const idOf = new Map(rows.map((r) => [r.name, r.id]));
      for (const r of rows) {
        assert.ok(!oldIds.has(r.id), `${r.name} kept its time-sortable id`);
        assert.equal(r.id.length, 18);
        assert.ok(BigInt(r.id) >= 500_000_000_000_000_000n, r.id);
      }
      const links = await store.db.selectFrom("status_tags").select("tag_id").execute();
      assert.equal(links.length, 4);
      for (const l of links) assert.ok([...idOf.values()].includes(l.tag_id));
      const followed = await store.db.selectFrom("tag_follows").select("tag_id").execute();
      assert.deepEqual(
        followed.map((f) => f.tag_id),
        [idOf.get("жасырын")],
      );
      const featured = await store.db.selectFrom("featured_tags").select("tag_id").execute();
      assert.deepEqual(
        featured.map((f) => f.tag_id),
        [idOf.get("құпия")],
      );
    } finally {
      await store.destroy();
    }
  });
}
