import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCaller, createTestUser, describeStores } from "../../test/helpers/harness.ts";

describeStores("landing page and static files", (get) => {
  test("the landing page is Kazakh by default, follows Accept-Language, escapes and counts", async () => {
    const ctx = get();
    await createTestUser(ctx);
    const call = apiCaller(ctx);
    const kk = await call("/");
    assert.equal(kk.status, 200);
    assert.match(kk.headers.get("content-type") ?? "", /text\/html/);
    assert.match(kk.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const body = await kk.text();
    assert.match(body, /<html lang="kk">/);
    assert.match(body, /Қалай қосылуға болады/);
    assert.match(body, /torgai\.test/);
    const ru = await call("/", { headers: { "accept-language": "ru-RU,ru;q=0.9" } });
    assert.match(await ru.text(), /Как подключиться/);
    const en = await call("/?lang=en", { headers: { "accept-language": "ru" } });
    assert.match(await en.text(), /How to join/);
  });

  test("default avatar, header and thumbnail are served; nothing else is", async () => {
    const call = apiCaller(get());
    for (const name of ["avatar.png", "header.png", "thumbnail.png"]) {
      const res = await call(`/static/${name}`);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get("content-type"), "image/png");
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
    }
    for (const bad of ["/static/..%2Fpackage.json", "/static/missing.png", "/static/avatar.jpg"]) {
      assert.equal((await call(bad)).status, 404, bad);
    }
  });

  test("Mastodon's default-image names and a favicon; images and discovery allow any origin", async () => {
    const ctx = get();
    const call = apiCaller(ctx);
    const avatar = await call("/avatars/original/missing.png");
    const header = await call("/headers/original/missing.png");
    for (const [res, file] of [
      [avatar, "avatar.png"],
      [header, "header.png"],
    ] as const) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      const same = await call(`/static/${file}`);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(await same.arrayBuffer()));
    }
    const icon = await call("/favicon.ico");
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get("content-type"), "image/x-icon");
    assert.deepEqual([...new Uint8Array(await icon.arrayBuffer()).slice(0, 4)], [0, 0, 1, 0], "an ICO file");
    assert.equal((await call("/avatars/original/other.png")).status, 404);

    // the account JSON links the Mastodon-named defaults
    const u = await createTestUser(ctx);
    const me = (await (await u.api("/api/v1/accounts/verify_credentials")).json()) as Record<string, string>;
    assert.equal(me.avatar, `${ctx.config.baseUrl}/avatars/original/missing.png`);
    assert.equal(me.header, `${ctx.config.baseUrl}/headers/original/missing.png`);
    assert.equal(me.avatar_static, me.avatar);

    const acct = encodeURIComponent(`acct:${u.account.username}@${ctx.config.domain}`);
    const finger = await call(`/.well-known/webfinger?resource=${acct}`, {
      headers: { origin: "https://c.example" },
    });
    assert.equal(finger.status, 200);
    assert.equal(finger.headers.get("access-control-allow-origin"), "*", "a WebFinger answer");
    for (const path of ["/.well-known/nodeinfo", "/nodeinfo/2.0", "/.well-known/host-meta"]) {
      const res = await call(path, { headers: { origin: "https://client.example" } });
      assert.equal(res.headers.get("access-control-allow-origin"), "*", path);
    }
    const preflight = await call("/.well-known/webfinger", {
      method: "OPTIONS",
      headers: { origin: "https://client.example", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  });

  test("API preflight allows whatever request headers the browser asks for", async () => {
    const call = apiCaller(get());
    const res = await call("/api/v1/timelines/home", {
      method: "OPTIONS",
      headers: {
        origin: "https://client.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, x-custom-client, content-type",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(
      res.headers.get("access-control-allow-headers"),
      "authorization,x-custom-client,content-type",
    );
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /PATCH/);
  });
});
