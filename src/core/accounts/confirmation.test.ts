/**
 * E-mail confirmation through the real sending path: nodemailer to a local SMTP server, the link
 * read back from the received mail and followed like a browser would.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiCaller, createTestContext, STORES } from "../../../test/helpers/harness.ts";
import { startTestMailServer, type TestMailServer } from "../../../test/helpers/mail.ts";
import { registerTestApp } from "../../../test/helpers/oauth.ts";
import { type AppContext, closeContext } from "../../app.ts";
import { createOauthApp, issueToken } from "../auth/issue.ts";
import { authenticate } from "../auth/login.ts";
import { sha256 } from "../auth/tokens.ts";

type Json = Record<string, unknown>;
const PASSWORD = "long enough pw";
const UNCONFIRMED = { error: "Your login is missing a confirmed e-mail address" };
let n = 0;
const uniqueName = (prefix: string) => `${prefix}${++n}_${Date.now() % 100000}`;

async function appClient(ctx: AppContext) {
  const app = await registerTestApp(ctx, { scopes: "read write follow" });
  const res = await apiCaller(ctx)("/oauth/token", {
    form: {
      grant_type: "client_credentials",
      client_id: app.client_id,
      client_secret: app.client_secret,
      scope: "write",
    },
  });
  const token = String(((await res.json()) as Json).access_token);
  return { app, api: apiCaller(ctx, token) };
}

/** Signs up through the API; returns the new user's token and API caller. */
async function signUp(ctx: AppContext, body: Json) {
  const { api } = await appClient(ctx);
  const res = await api("/api/v1/accounts", {
    json: { password: PASSWORD, agreement: true, locale: "en", ...body },
  });
  assert.equal(res.status, 200, await res.clone().text());
  const token = String(((await res.json()) as Json).access_token);
  return { token, api: apiCaller(ctx, token) };
}

const LINK = /https:\/\/torgai\.test\/auth\/confirmation\?confirmation_token=([A-Za-z0-9_-]+)/;

function linkIn(text: string): { path: string; token: string } {
  const m = LINK.exec(text);
  assert.ok(m, `no confirmation link in:\n${text}`);
  return { path: new URL(m[0]).pathname + new URL(m[0]).search, token: m[1] };
}

const post = (api: ReturnType<typeof apiCaller>, status: string) =>
  api("/api/v1/statuses", { json: { status } });

for (const kind of STORES) {
  describe(`e-mail confirmation with mail configured [${kind}]`, () => {
    let mail: TestMailServer;
    let ctx: AppContext;
    let clock = Date.now();
    before(async () => {
      mail = await startTestMailServer();
      ctx = await createTestContext(kind, {
        config: { TORGAI_SMTP_URL: mail.url, TORGAI_SMTP_FROM: "Torgai <hello@torgai.test>" },
        now: () => new Date(clock),
      });
    });
    after(async () => {
      await closeContext(ctx);
      await mail.close();
    });

    test("a new account may not act until the mailed link is followed; the link works once", async () => {
      const username = uniqueName("conf");
      const email = `${username}@example.test`;
      const { api } = await signUp(ctx, { username, email, locale: "ru" });
      const refused = await post(api, "first post");
      assert.equal(refused.status, 403);
      assert.deepEqual(await refused.json(), UNCONFIRMED);
      assert.equal((await api("/api/v1/accounts/verify_credentials")).status, 403);
      assert.equal(await (await api("/api/v1/emails/check_confirmation")).json(), false);

      await ctx.queue.drain();
      const [message] = mail.to(email);
      assert.ok(message, "the confirmation mail was delivered");
      assert.equal(message.from, "Torgai <hello@torgai.test>");
      assert.equal(message.subject, "Подтвердите адрес электронной почты");
      assert.match(message.text, new RegExp(`@${username}`));
      const link = linkIn(message.text);
      // only a hash is stored, and the token is nowhere at rest
      const rows = await ctx.db.selectFrom("email_confirmations").selectAll().execute();
      assert.ok(rows.some((r) => r.token_hash === sha256(link.token)));
      const jobs = await ctx.db.selectFrom("jobs").select("payload").execute();
      assert.ok(!JSON.stringify([rows, jobs]).includes(link.token));

      const page = await apiCaller(ctx)(link.path);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Адрес электронной почты подтверждён/);
      assert.equal((await post(api, "now it works")).status, 200);
      assert.equal(await (await api("/api/v1/emails/check_confirmation")).json(), true);
      const again = await apiCaller(ctx)(link.path, { headers: { "accept-language": "en" } });
      assert.equal(again.status, 404, "single use");
      assert.match(await again.text(), /invalid or has already been used/);
      assert.equal((await apiCaller(ctx)("/auth/confirmation?confirmation_token=nope")).status, 404);
    });

    test("sign-up needs an e-mail address when mail is configured", async () => {
      const { api } = await appClient(ctx);
      const res = await api("/api/v1/accounts", {
        json: { username: uniqueName("nomail"), password: PASSWORD, agreement: true },
      });
      assert.equal(res.status, 422);
      assert.deepEqual(((await res.json()) as Json).details, {
        email: [
          { error: "ERR_BLANK", description: "can't be blank" },
          { error: "ERR_INVALID", description: "is invalid" },
        ],
      });
    });

    test("someone else's address reserves nothing: its owner signs up and confirms, the squatter cannot", async () => {
      const email = `${uniqueName("owner")}@example.test`;
      const squatterName = uniqueName("squat");
      const ownerName = uniqueName("owner");
      const squatter = await signUp(ctx, { username: squatterName, email });
      assert.equal((await post(squatter.api, "spam")).status, 403);
      const owner = await signUp(ctx, { username: ownerName, email: email.toUpperCase() });
      await ctx.queue.drain();
      const mails = mail.received.filter((m) => m.to.some((t) => t.toLowerCase() === email));
      const linkFor = (name: string) => {
        const m = mails.find((x) => new RegExp(`@${name}\\b`).test(x.text));
        assert.ok(m, `a mail for @${name}`);
        return linkIn(m.text).path;
      };
      assert.equal((await apiCaller(ctx)(linkFor(ownerName))).status, 200);
      assert.equal((await post(owner.api, "mine")).status, 200);
      const late = await apiCaller(ctx)(linkFor(squatterName));
      assert.equal(late.status, 409, "the address is the owner's now");
      assert.equal((await post(squatter.api, "spam")).status, 403);
      const signedIn = await authenticate(ctx, { login: email, password: PASSWORD, ip: "192.0.2.1" });
      assert.equal(signedIn.status, "ok");
      assert.equal(signedIn.status === "ok" && signedIn.account.username, ownerName);
      // a confirmed address is taken for new sign-ups
      const { api } = await appClient(ctx);
      const taken = await api("/api/v1/accounts", {
        json: { username: uniqueName("late"), email, password: PASSWORD, agreement: true },
      });
      assert.equal(taken.status, 422);
      assert.match(String(((await taken.json()) as Json).error), /Email has already been taken/);
    });

    test("links expire after 48 hours; resending mails a new one, to a corrected address only from the sign-up app", async () => {
      const username = uniqueName("late");
      const typo = `${username}@exampel.test`;
      const fixed = `${username}@example.test`;
      const { api, token } = await signUp(ctx, { username, email: typo });
      await ctx.queue.drain();
      const first = linkIn(mail.to(typo)[0].text).path;
      clock += 49 * 3600_000;
      const expired = await apiCaller(ctx)(first);
      assert.equal(expired.status, 410);
      assert.match(await expired.text(), /has expired/);
      assert.equal((await post(api, "still not")).status, 403);

      // another app the user signed in to may not redirect their confirmation
      const user = await ctx.db
        .selectFrom("users")
        .selectAll()
        .where("email", "=", typo)
        .executeTakeFirstOrThrow();
      const otherApp = await createOauthApp(ctx, {
        name: "other",
        redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
        scopes: ["write"],
      });
      const other = await issueToken(ctx, { appId: otherApp.id, userId: user.id, scopes: ["write"] });
      const foreign = await apiCaller(ctx, other.accessToken)("/api/v1/emails/confirmations", {
        json: { email: "attacker@example.test" },
      });
      assert.equal(foreign.status, 403);
      assert.deepEqual(await foreign.json(), {
        error: "This method is only available to the application the user originally signed-up with",
      });

      const bad = await api("/api/v1/emails/confirmations", { json: { email: "not an address" } });
      assert.equal(bad.status, 422);
      const resent = await api("/api/v1/emails/confirmations", { json: { email: fixed } });
      assert.equal(resent.status, 200);
      assert.deepEqual(await resent.json(), {});
      await ctx.queue.drain();
      assert.equal(mail.to("attacker@example.test").length, 0);
      const second = linkIn(mail.to(fixed)[0].text).path;
      assert.equal((await apiCaller(ctx)(second)).status, 200);
      assert.equal((await post(apiCaller(ctx, token), "at last")).status, 200);
      const done = await api("/api/v1/emails/confirmations", { method: "POST" });
      assert.equal(done.status, 403);
      assert.match(String(((await done.json()) as Json).error), /awaiting confirmation/);
    });
  });

  test(`without mail an address given at sign-up reserves nothing and the account acts at once [${kind}]`, async () => {
    const ctx = await createTestContext(kind);
    try {
      const email = `${uniqueName("free")}@example.test`;
      const first = uniqueName("first");
      const a = await signUp(ctx, { username: first, email });
      assert.equal((await post(a.api, "no mail server, no gate")).status, 200);
      assert.equal(await (await a.api("/api/v1/emails/check_confirmation")).json(), true);
      const byEmail = await authenticate(ctx, { login: email, password: PASSWORD, ip: "192.0.2.2" });
      assert.equal(byEmail.status, "ok", "an address only one account gave still signs in");
      // the owner of the address signs up with it later
      const b = await signUp(ctx, { username: uniqueName("second"), email });
      assert.equal((await post(b.api, "mine too")).status, 200);
      const ambiguous = await authenticate(ctx, { login: email, password: PASSWORD, ip: "192.0.2.3" });
      assert.equal(ambiguous.status, "failed", "an address given twice names no one");
      const byName = await authenticate(ctx, { login: first, password: PASSWORD, ip: "192.0.2.3" });
      assert.equal(byName.status, "ok");
      assert.deepEqual(await (await a.api("/api/v1/emails/confirmations", { method: "POST" })).json(), {});
    } finally {
      await closeContext(ctx);
    }
  });
}

for (const kind of STORES) {
  test(`a mail server that refuses the login fails the job, which is retried [${kind}]`, async () => {
    const mail = await startTestMailServer();
    const ctx = await createTestContext(kind, {
      config: { TORGAI_SMTP_URL: mail.url.replace("mail%20secret", "wrong") },
    });
    try {
      await signUp(ctx, { username: uniqueName("retry"), email: "retry@example.test" });
      await ctx.queue.drain();
      const job = await ctx.db
        .selectFrom("jobs")
        .selectAll()
        .where("type", "=", "email.confirmation")
        .executeTakeFirst();
      assert.equal(job?.status, "pending");
      assert.equal(job?.attempts, 1);
      assert.match(job?.last_error ?? "", /Invalid|auth/i);
      assert.equal(mail.received.length, 0);
    } finally {
      await closeContext(ctx);
      await mail.close();
    }
  });
}
