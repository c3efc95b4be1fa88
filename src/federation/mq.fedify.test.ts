/**
 * The KV store, message queue and guarded loaders under a real Fedify federation: an activity sent
 * through Fedify is a job in our table, a worker of the context delivers it (signed) to a peer, and
 * a failed delivery stays one job that our queue retries (nativeRetrial) instead of a new message.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createFederation, generateCryptoKeyPair } from "@fedify/fedify";
import { Create, Note, Person } from "@fedify/fedify/vocab";
import { describeStores } from "../../test/helpers/harness.ts";
import type { AppContext } from "../app.ts";
import { documentLoaderFactory } from "./document-loader.ts";
import { guardedFetch } from "./fetch-guard.ts";
import { createKvStore } from "./kv.ts";
import { createMessageQueue } from "./mq.ts";

const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];
let inboxStatus = 202;
let server: Server;
let peer = "";

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || "null") });
      res.writeHead(inboxStatus);
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function federationOf(ctx: AppContext) {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const loaders = documentLoaderFactory(guardedFetch({ allowPrivateNetwork: true }), createKvStore(ctx));
  const federation = createFederation<void>({
    kv: createKvStore(ctx),
    queue: createMessageQueue(ctx),
    manuallyStartQueue: true,
    documentLoaderFactory: loaders,
    contextLoaderFactory: loaders,
  });
  federation
    .setActorDispatcher("/users/{identifier}", async (c, identifier) => {
      const [pair] = await c.getActorKeyPairs(identifier);
      return new Person({
        id: c.getActorUri(identifier),
        preferredUsername: identifier,
        inbox: c.getInboxUri(identifier),
        publicKey: pair?.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(async () => [keys]);
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox");
  return federation;
}

async function send(ctx: AppContext, n: number) {
  const federation = await federationOf(ctx);
  const fctx = federation.createContext(new URL(ctx.config.baseUrl), undefined);
  const actor = fctx.getActorUri("alice");
  await fctx.sendActivity(
    { identifier: "alice" },
    { id: new URL(`${peer}/users/bob`), inboxId: new URL(`${peer}/inbox`) },
    new Create({
      id: new URL(`${ctx.config.baseUrl}/activities/${n}`),
      actor,
      object: new Note({
        id: new URL(`${ctx.config.baseUrl}/notes/${n}`),
        attribution: actor,
        content: "сәлем",
      }),
    }),
  );
  return federation;
}

const fedifyJobs = (ctx: AppContext) =>
  ctx.db
    .selectFrom("jobs")
    .select(["status", "attempts", "last_error"])
    .where("type", "=", "fedify.message")
    .execute();

describeStores("Fedify on our queue and KV store", (get) => {
  test("an activity waits as a job until the queue is started, then is delivered signed", async () => {
    const ctx = get();
    received.length = 0;
    inboxStatus = 202;
    const federation = await send(ctx, 1);
    assert.equal((await fedifyJobs(ctx)).length, 1, "sendActivity enqueued one message");
    assert.equal(await ctx.queue.drain(), 0, "no listener yet: nothing runs");
    assert.equal(received.length, 0);
    const controller = new AbortController();
    const started = federation.startQueue(undefined, { signal: controller.signal });
    await ctx.queue.drain();
    assert.equal(received.length, 1);
    assert.ok(
      received[0].headers.signature || received[0].headers["signature-input"],
      "the delivery is signed",
    );
    assert.equal((received[0].body as { type: string }).type, "Create");
    assert.equal((await fedifyJobs(ctx)).length, 0);
    controller.abort();
    await started;
  });

  test("a failed delivery is retried by our queue: one job, its attempts and last error", async () => {
    const ctx = get();
    received.length = 0;
    inboxStatus = 503;
    const federation = await send(ctx, 2);
    const controller = new AbortController();
    const started = federation.startQueue(undefined, { signal: controller.signal });
    await ctx.queue.drain();
    // Fedify knocks twice on a refusal (RFC 9421, then draft-cavage), then gives the failure to us
    assert.ok(received.length >= 1);
    const jobs = await fedifyJobs(ctx);
    assert.equal(jobs.length, 1, "Fedify enqueued no retry message of its own");
    assert.equal(jobs[0].status, "pending");
    assert.equal(jobs[0].attempts, 1);
    assert.match(jobs[0].last_error ?? "", /503/);
    controller.abort();
    await started;
    await ctx.db.deleteFrom("jobs").where("type", "=", "fedify.message").execute();
  });
});
