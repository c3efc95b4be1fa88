import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Kysely, SqliteDialect, sql } from "kysely";
import { openNodeSqlite } from "./node-sqlite.ts";

/** Another process writing to the same file (as `torgai worker` beside `torgai web`). */
function writeFromAnotherProcess(path: string): Promise<number> {
  const script = `
    import { DatabaseSync } from "node:sqlite";
    const db = new DatabaseSync(${JSON.stringify(path)}, { timeout: 20000 });
    db.exec("insert into t (v) values ('other process')");
    db.close();
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

test("a transaction that reads, then writes, survives another process writing in between", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torgai-sqlite-"));
  const path = join(dir, "t.db");
  // biome-ignore lint/suspicious/noExplicitAny: an ad-hoc table
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: openNodeSqlite(path) }) });
  try {
    await sql`create table t (v text)`.execute(db);
    let other: Promise<number> | undefined;
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      other = writeFromAnotherProcess(path);
      // give the other process the time to write if it can (with a deferred BEGIN it can, and this
      // transaction's write below then fails with SQLITE_BUSY at once)
      await Promise.race([other, new Promise((r) => setTimeout(r, 1500))]);
      await sql`insert into t (v) values ('this process')`.execute(trx);
    });
    assert.equal(await other, 0, "the other process wrote once the lock was free");
    const rows = await sql<{ v: string }>`select v from t order by v`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => r.v),
      ["other process", "this process"],
    );
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
