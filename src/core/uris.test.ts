import assert from "node:assert/strict";
import { test } from "node:test";
import { localUris } from "./uris.ts";

test("local URLs are built under the base URL and parsed back", () => {
  const uris = localUris("https://torgai.kz");
  assert.equal(uris.actor("aigul"), "https://torgai.kz/users/aigul");
  assert.equal(uris.status("aigul", "123"), "https://torgai.kz/users/aigul/statuses/123");
  assert.equal(uris.post("aigul", "123"), "https://torgai.kz/@aigul/123");
  assert.equal(uris.tag("мектеп"), "https://torgai.kz/tags/%D0%BC%D0%B5%D0%BA%D1%82%D0%B5%D0%BF");
  assert.deepEqual(uris.parse(uris.actor("aigul")), { kind: "actor", username: "aigul" });
  assert.deepEqual(uris.parse(uris.status("aigul", "123")), { kind: "status", username: "aigul", id: "123" });
  assert.deepEqual(uris.parse(uris.activity("aigul", "9")), { kind: "activity", username: "aigul", id: "9" });
  assert.deepEqual(uris.parse(uris.post("aigul", "5")), { kind: "post", username: "aigul", id: "5" });
  assert.deepEqual(uris.parse(uris.profile("aigul")), { kind: "profile", username: "aigul" });
  assert.deepEqual(uris.parse(uris.tag("мектеп")), { kind: "tag", name: "мектеп" });
  assert.equal(uris.instanceActor(), "https://torgai.kz/actor");
  assert.deepEqual(uris.parse(uris.instanceActor()), { kind: "instance-actor" });
  assert.deepEqual(uris.parse(uris.report("77")), { kind: "report", id: "77" });
});

test("foreign origins, unknown paths and malformed URLs are not ours", () => {
  const uris = localUris("https://torgai.kz");
  assert.equal(uris.parse("https://evil.example/users/aigul"), null);
  assert.equal(uris.parse("http://torgai.kz/users/aigul"), null, "another scheme is another origin");
  assert.equal(uris.parse("https://torgai.kz:8443/users/aigul"), null);
  assert.equal(uris.parse("https://torgai.kz/users/aigul/secret"), null);
  assert.equal(uris.parse("https://torgai.kz/users/aigul?x=1"), null);
  assert.equal(uris.parse("https://torgai.kz/tags/%E0%A4%A"), null);
  assert.equal(uris.parse("not a url"), null);
});
