/**
 * A real browser (Debian's chromium through playwright-core): the OAuth sign-in page as a person
 * uses it — Kazakh by default, a wrong password, then approval and the redirect back to the app
 * (which the page's Content-Security-Policy must allow) — and the landing page without CSP errors.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { createTestUser } from "../helpers/harness.ts";
import { type E2EServer, startE2EServer } from "./server.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const APP_URL = "https://elk.zone/";

describe("in a real browser", () => {
  let srv: E2EServer;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `browser tests need Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`,
    );
    srv = await startE2EServer("sqlite");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  test("sign in on the authorisation page and come back to the app with a code", async () => {
    await createTestUser(srv.ctx, { username: "aigerim" });
    const reg = await fetch(`${srv.url}/api/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Phanpy", redirect_uris: APP_URL, scopes: "read write follow" }),
    });
    const app = (await reg.json()) as { client_id: string; client_secret: string };
    const page = await browser.newPage({ locale: "kk-KZ" });
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    const q = new URLSearchParams({
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: APP_URL,
      scope: "read write follow",
      state: "st-1",
    });
    await page.goto(`${srv.url}/oauth/authorize?${q}`);
    assert.equal(await page.getAttribute("html", "lang"), "kk");
    assert.match((await page.textContent("body")) ?? "", /Кіру/);

    await page.fill("#login", "aigerim");
    await page.fill("#password", "not the password");
    await Promise.all([page.waitForLoadState("load"), page.click("button[value=approve]")]);
    assert.match((await page.textContent("body")) ?? "", /қате/, "a clear error in Kazakh");

    await page.fill("#password", "correct horse battery staple");
    // the browser follows the redirect to the app (no network here: the request itself is the proof
    // that the page's CSP allowed it)
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(APP_URL)),
      page.click("button[value=approve]"),
    ]);
    const back = new URL(request.url());
    assert.equal(back.searchParams.get("state"), "st-1");
    const code = back.searchParams.get("code");
    assert.ok(code);
    const token = await fetch(`${srv.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "authorization_code",
        code,
        client_id: app.client_id,
        client_secret: app.client_secret,
        redirect_uri: APP_URL,
      }),
    });
    assert.equal(token.status, 200);
    assert.deepEqual(violations, []);
    await page.close();
  });

  test("the landing page renders under its CSP and switches language", async () => {
    const page = await browser.newPage({ locale: "ru-RU" });
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${srv.url}/`);
    assert.match((await page.textContent("h2")) ?? "", /Как подключиться/);
    // the stylesheet applied: the card has a white background
    const bg = await page.$eval("main", (el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, "rgb(255, 255, 255)");
    await page.click("text=Қазақша");
    assert.match((await page.textContent("h2")) ?? "", /Қалай қосылуға болады/);
    assert.deepEqual(violations, []);
    await page.close();
  });
});
