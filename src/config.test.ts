import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";

test("defaults work on one machine", () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.domain, "localhost:3000");
  assert.equal(c.baseUrl, "http://localhost:3000");
  assert.equal(c.dataDir, resolve("./data"));
  assert.equal(c.databaseUrl, `sqlite:${resolve("./data/torgai.db")}`);
  assert.equal(c.registrations, "open");
  assert.equal(c.maxStatusChars, 5000);
  assert.equal(c.testMode, false);
});

test("without TORGAI_DOMAIN the local address follows PORT", () => {
  const c = loadConfig({ PORT: "8081" });
  assert.equal(c.domain, "localhost:8081");
  assert.equal(c.baseUrl, "http://localhost:8081");
});

test("a public domain gets https and DATABASE_URL selects PostgreSQL", () => {
  const c = loadConfig({ TORGAI_DOMAIN: "Torgai.KZ", DATABASE_URL: "postgres://u@db/torgai", PORT: "8080" });
  assert.equal(c.baseUrl, "https://torgai.kz");
  assert.equal(c.databaseUrl, "postgres://u@db/torgai");
  assert.equal(c.port, 8080);
});

test("bad values are refused with a message naming the variable", () => {
  assert.throws(
    () => loadConfig({ PORT: "http" }),
    (e: Error) => e instanceof ConfigError && /PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ TORGAI_REGISTRATIONS: "maybe" }), /TORGAI_REGISTRATIONS/);
  assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ TORGAI_DOMAIN: "https://x.kz/" }), /TORGAI_DOMAIN/);
});
