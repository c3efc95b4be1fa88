import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ConfigError, loadConfig } from "./config.ts";
import { checkProcessMode, responseCacheFor } from "./main.ts";

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

test("the response cache is on only in `torgai all`, which makes every write, unless turned off", () => {
  const pg = loadConfig({ DATABASE_URL: "postgres://postgres@127.0.0.1/test" });
  assert.equal(responseCacheFor("all", loadConfig({ DATABASE_URL: "sqlite:/tmp/x.db" })), true);
  assert.equal(responseCacheFor("all", pg), true);
  assert.equal(responseCacheFor("web", pg), false);
  assert.equal(responseCacheFor("worker", pg), false);
  assert.equal(responseCacheFor("all", loadConfig({ TORGAI_RESPONSE_CACHE: "0" })), false);
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

/** Runs `script` (an ES module) in a fresh process started with the Node flags of `npm start`. */
function runAsNpmStart(script: string, env: Record<string, string>) {
  const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts
    .start;
  const flags = start.split(/\s+/).slice(1, -2); // node <flags…> src/main.ts all
  const res = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout.trim().split("\n").at(-1) as string);
}

const here = (path: string) => JSON.stringify(pathToFileURL(join(import.meta.dirname, path)).href);

describe("a server started as npm start starts it", () => {
  let report: { stripper: boolean; formatters: number; newSpace: number; gc: string };
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), "torgai-memory-"));
    try {
      report = runAsNpmStart(
        `
        let formatters = 0;
        for (const name of ["Segmenter", "DisplayNames"]) {
          const Original = Intl[name];
          Intl[name] = class extends Original { constructor(...a) { super(...a); formatters++; } };
        }
        const { loadConfig } = await import(${here("config.ts")});
        const { runProcess } = await import(${here("main.ts")});
        const proc = await runProcess("all", loadConfig());
        const v8 = await import("node:v8");
        const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
        const loaded = process.moduleLoadList.join(" ");
        const report = { stripper: loaded.includes("amaro"), formatters, newSpace: newSpace.physical_space_size, gc: typeof globalThis.gc };
        await proc.stop();
        console.log(JSON.stringify(report));
        `,
        // a compile cache of its own: this first start warms it (bin/compile-cache.js), as after an upgrade
        { TORGAI_DATA_DIR: join(dir, "data"), NODE_COMPILE_CACHE: join(dir, "cache") },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("builds no ICU formatters (grapheme segmenter, language names) until a post needs them", () => {
    assert.equal(report.formatters, 0);
  });

  test("gives back the memory its start left behind, and exposes no global gc", () => {
    // the last-resort collection shrank the young generation (it grows back under load)
    assert.ok(report.newSpace < 1024 * 1024, `young generation still holds ${report.newSpace} bytes`);
    assert.equal(report.gc, "undefined");
  });

  test("never loads Node's TypeScript stripper: every file comes from the compile cache", () => {
    assert.equal(report.stripper, false, "Node's TypeScript stripper was loaded into the server");
  });
});

test("a worker process loads no HTTP stack (Hono, routes, undici)", () => {
  const dir = mkdtempSync(join(tmpdir(), "torgai-worker-"));
  try {
    const report = runAsNpmStart(
      `
      const { loadConfig } = await import(${here("config.ts")});
      const { runProcess } = await import(${here("main.ts")});
      const proc = await runProcess("worker", loadConfig());
      const report = { undici: process.moduleLoadList.some((m) => m.includes("undici")) };
      await proc.stop();
      console.log(JSON.stringify(report));
      `,
      { TORGAI_DATA_DIR: dir, TORGAI_ALLOW_SPLIT_SQLITE: "1" },
    );
    assert.equal(report.undici, false, "undici (fetch, Response) was loaded into a worker");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
