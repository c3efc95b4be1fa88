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
});
