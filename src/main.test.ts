import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";
import { checkProcessMode } from "./main.ts";

test("split web and worker processes on SQLite are refused with a clear message; PostgreSQL is fine", () => {
  const sqlite = loadConfig({ DATABASE_URL: "sqlite:/tmp/x.db" });
  for (const mode of ["web", "worker"] as const) {
    assert.throws(
      () => checkProcessMode(mode, sqlite),
      (e) => e instanceof ConfigError && /PostgreSQL/.test(e.message),
    );
  }
  checkProcessMode("all", sqlite);
  checkProcessMode("web", loadConfig({ DATABASE_URL: "postgres://postgres@127.0.0.1/test" }));
  checkProcessMode(
    "worker",
    loadConfig({ DATABASE_URL: "sqlite:/tmp/x.db", TORGAI_ALLOW_SPLIT_SQLITE: "1" }),
  );
});

test("`torgai web` on SQLite exits with code 2 and says what to do", () => {
  const res = spawnSync(process.execPath, ["src/main.ts", "web"], {
    env: { ...process.env, TORGAI_DATA_DIR: "/tmp/torgai-split-refused", PORT: "0", LOG_LEVEL: "silent" },
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /torgai all/);
  assert.match(res.stderr, /DATABASE_URL=postgres/);
});
