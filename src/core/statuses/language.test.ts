import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { detectPostLanguage } from "./language.ts";

test("post language: Kazakh in either script, Russian, English; none for links and tags alone", async () => {
  assert.equal(await detectPostLanguage("Бүгін ауа райы керемет болды, достар!"), "kk");
  assert.equal(await detectPostLanguage("Bügın aua raiy keremet boldy, dostar!"), "kk");
  assert.equal(await detectPostLanguage("Сегодня была отличная погода, друзья!"), "ru");
  assert.equal(await detectPostLanguage("The weather was great today, friends!"), "en");
  assert.equal(await detectPostLanguage("https://example.kz/a #торғай @aigerim"), null);
  assert.equal(await detectPostLanguage("🎉🎉"), null);
});

describeStores("statuses get a detected language unless the client sets one", (get) => {
  test("detected when absent, kept when given", async () => {
    const u = await createTestUser(get());
    const post = async (json: Record<string, unknown>) =>
      (await (await u.api("/api/v1/statuses", { json })).json()) as { language: string | null };
    assert.equal((await post({ status: "Қазақстанда жаңа мектептер ашылды" })).language, "kk");
    assert.equal((await post({ status: "В Казахстане открылись новые школы" })).language, "ru");
    assert.equal(
      (await post({ status: "Қазақстанда жаңа мектептер ашылды", language: "en" })).language,
      "en",
    );
    assert.equal((await post({ status: "#торғай" })).language, null);
    // nothing to detect: the author's default posting language, if set
    await u.api("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      json: { source: { language: "kk" } },
    });
    assert.equal((await post({ status: "#торғай" })).language, "kk");
    assert.equal((await post({ status: "В Казахстане открылись новые школы" })).language, "ru");
  });
});
