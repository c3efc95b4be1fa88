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

test("mail: off by default; TORGAI_SMTP_URL or the parts; bad values name the variable", () => {
  assert.equal(loadConfig({}).mail, null);
  assert.deepEqual(
    loadConfig({ TORGAI_DOMAIN: "torgai.kz", TORGAI_SMTP_URL: "smtp://u%40x:p%3Aw@mail.kz" }).mail,
    {
      host: "mail.kz",
      port: 587,
      secure: false,
      user: "u@x",
      password: "p:w",
      from: "Torgai <notifications@torgai.kz>",
    },
  );
  const tls = loadConfig({
    TORGAI_SMTP_URL: "smtps://mail.kz",
    TORGAI_SMTP_FROM: "Торғай <no-reply@torgai.kz>",
  }).mail;
  assert.equal(tls?.port, 465);
  assert.equal(tls?.secure, true);
  assert.equal(tls?.user, undefined);
  assert.equal(tls?.from, "Торғай <no-reply@torgai.kz>");
  const parts = loadConfig({
    PORT: "8080",
    TORGAI_SMTP_HOST: "127.0.0.1",
    TORGAI_SMTP_PORT: "2525",
    TORGAI_SMTP_USER: "torgai",
    TORGAI_SMTP_PASSWORD: "secret",
  }).mail;
  assert.deepEqual(parts, {
    host: "127.0.0.1",
    port: 2525,
    secure: false,
    user: "torgai",
    password: "secret",
    from: "Torgai <notifications@localhost>",
  });
  assert.equal(loadConfig({ TORGAI_SMTP_HOST: "mail.kz", TORGAI_SMTP_SECURE: "1" }).mail?.port, 465);
  assert.throws(() => loadConfig({ TORGAI_SMTP_URL: "http://mail.kz" }), /TORGAI_SMTP_URL/);
  assert.throws(() => loadConfig({ TORGAI_SMTP_PORT: "x", TORGAI_SMTP_HOST: "m" }), /TORGAI_SMTP_PORT/);
  assert.throws(
    () => loadConfig({ TORGAI_SMTP_URL: "smtp://a", TORGAI_SMTP_HOST: "b" }),
    (e: Error) => e instanceof ConfigError && /not both/.test(e.message),
  );
});

test("outbound requests to private networks are refused unless TORGAI_ALLOW_PRIVATE_NETWORK is set", () => {
  assert.equal(loadConfig({}).allowPrivateNetwork, false);
  assert.equal(loadConfig({ TORGAI_ALLOW_PRIVATE_NETWORK: "1" }).allowPrivateNetwork, true);
  assert.equal(loadConfig({ TORGAI_ALLOW_PRIVATE_NETWORK: "0" }).allowPrivateNetwork, false);
  assert.throws(() => loadConfig({ TORGAI_ALLOW_PRIVATE_NETWORK: "maybe" }), /TORGAI_ALLOW_PRIVATE_NETWORK/);
});
