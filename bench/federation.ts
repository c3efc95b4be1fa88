/**
 * Federation throughput, with Torgai run as `npm start` runs it (a child process on SQLite):
 *
 *   node bench/federation.ts [-- --activities 2000 --connections 16 --servers 200 --followers 10000]
 *
 * 1. Inbox: signed Create(Note) activities from an independent Fedify peer (this process) POSTed
 *    to the shared inbox of a `torgai web` process (no worker: what is measured is the inbox
 *    itself); each is verified (HTTP signature, key ↔ actor binding, digest, date) and queued
 *    before it is answered. Signing happens before the clock starts; keys are fetched once per
 *    actor. Prints verified activities/s, beside /healthz req/s on the same server.
 *    Then `torgai all` on the same database processes what was queued: posts stored and
 *    distributed per second.
 * 2. Fan-out: a local account followed by `followers` remote accounts spread over `servers`
 *    servers (fake shared inboxes on localhost ports that count what they receive); one post, and
 *    the time until every server's shared inbox has its Create.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { signRequest } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import autocannon from "autocannon";
import { openStore } from "../src/store/db.ts";
import { startPeer } from "../test/helpers/fedify-peer.ts";
import { apiClient, rssMb, startTorgai, tempDir } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    activities: { type: "string", default: "2000" },
    connections: { type: "string", default: "16" },
    actors: { type: "string", default: "20" },
    servers: { type: "string", default: "200" },
    followers: { type: "string", default: "10000" },
    // writes a V8 CPU profile of the server (.cpuprofile) into this directory
    "cpu-prof": { type: "string" },
    "skip-fanout": { type: "boolean", default: false },
  },
});
const N = Number(args.activities);
const CONNECTIONS = Number(args.connections);
const SERVERS = Number(args.servers);
const FOLLOWERS = Number(args.followers);

const data = tempDir();
const env = { TORGAI_DATA_DIR: data.path, TORGAI_ALLOW_PRIVATE_NETWORK: "1", LOG_LEVEL: "error" };
const nodeArgs = args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${args["cpu-prof"]}`] : [];
// the inbox alone: a web process without a worker (split SQLite allowed for this measurement)
let torgai = await startTorgai({ mode: "web", nodeArgs, env: { ...env, TORGAI_ALLOW_SPLIT_SQLITE: "1" } });
let { api, register } = apiClient(torgai.base);
try {
  // ---- 1. inbox
  const actorNames = Array.from({ length: Number(args.actors) }, (_, i) => `a${i}`);
  const peer = await startPeer(actorNames);
  const inbox = `${torgai.base}/inbox`;
  const requests: { body: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < N; i++) {
    const name = actorNames[i % actorNames.length];
    const actor = peer.actorUri(name);
    const body = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${peer.origin}/activities/${i}`,
      type: "Create",
      actor,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      object: {
        id: `${peer.origin}/notes/${i}`,
        type: "Note",
        attributedTo: actor,
        content: `<p>Сәлем, бұл ${i}-жазба</p>`,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        published: new Date().toISOString(),
      },
    });
    const signed = await signRequest(
      new Request(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body }),
      (await peer.keyPair(name)).privateKey,
      new URL(`${actor}#main-key`),
      { currentTime: Temporal.Now.instant() },
    );
    requests.push({ body, headers: Object.fromEntries(signed.headers) });
  }
  // warm: one activity per actor, so the keys are fetched and cached before the clock starts
  for (const name of actorNames) {
    const i = actorNames.indexOf(name);
    await fetch(inbox, { method: "POST", headers: requests[i].headers, body: requests[i].body });
  }
  let next = actorNames.length;
  const statuses = new Map<number, number>();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let inflight = 0;
    const pump = () => {
      while (inflight < CONNECTIONS && next < requests.length) {
        const r = requests[next++];
        inflight++;
        fetch(inbox, { method: "POST", headers: r.headers, body: r.body })
          .then(async (res) => {
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            await res.arrayBuffer();
          })
          .catch(() => statuses.set(0, (statuses.get(0) ?? 0) + 1))
          .finally(() => {
            inflight--;
            if (next >= requests.length && inflight === 0) resolve();
            else pump();
          });
      }
    };
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  const verified = N - actorNames.length;
  const health = await autocannon({ url: `${torgai.base}/healthz`, connections: CONNECTIONS, duration: 3 });
  console.log(
    `inbox: ${verified} signed activities in ${seconds.toFixed(2)} s = ${(verified / seconds).toFixed(0)} verified/s ` +
      `(answers ${JSON.stringify(Object.fromEntries(statuses))}); /healthz ${health.requests.average.toFixed(0)} req/s; ` +
      `server RSS ${rssMb(torgai.child.pid ?? 0)} MB`,
  );
  const fetches = [...peer.requests.paths.entries()].filter(([k]) => k.startsWith("GET"));
  console.log(
    `  (the peer answered ${fetches.reduce((n, [, c]) => n + c, 0)} fetches of actors and keys in all)`,
  );

  // ---- 1b. what the worker makes of them
  const port = torgai.port;
  await torgai.stop();
  const processStart = performance.now();
  torgai = await startTorgai({ port, env });
  ({ api, register } = apiClient(torgai.base));
  const store = await openStore({ url: `sqlite:${data.path}/torgai.db` });
  let stored = 0;
  for (;;) {
    const row = await store.db
      .selectFrom("statuses")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("local", "=", 0)
      .executeTakeFirstOrThrow();
    stored = Number(row.n);
    if (stored >= N || performance.now() - processStart > 300_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await store.destroy();
  const processSeconds = (performance.now() - processStart) / 1000;
  console.log(
    `processing: ${stored} posts stored and distributed in ${processSeconds.toFixed(2)} s (start-up included) = ` +
      `${(stored / processSeconds).toFixed(0)} posts/s; server RSS ${rssMb(torgai.child.pid ?? 0)} MB`,
  );
  await peer.stop();

  // ---- 2. fan-out
  if (!args["skip-fanout"]) await fanOut();
} finally {
  await torgai.stop();
  data.remove();
}

async function fanOut(): Promise<void> {
  const token = await register("fan");
  const me = (await api("/api/v1/accounts/verify_credentials", { token })) as { id: string };
  const received = new Map<number, number>();
  const servers: Server[] = [];
  const ports: number[] = [];
  let firstAt = 0;
  let allAt = 0;
  let postedAt = 0;
  for (let i = 0; i < SERVERS; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const port = (server.address() as AddressInfo).port;
        received.set(port, (received.get(port) ?? 0) + 1);
        if (!firstAt) firstAt = performance.now();
        if (received.size === SERVERS && !allAt) allAt = performance.now();
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  const store = await openStore({ url: `sqlite:${data.path}/torgai.db` });
  const now = new Date().toISOString();
  const perServer = Math.ceil(FOLLOWERS / SERVERS);
  let made = 0;
  for (let s = 0; s < SERVERS && made < FOLLOWERS; s++) {
    const host = `127.0.0.1:${ports[s]}`;
    const rows = [];
    const follows = [];
    for (let j = 0; j < perServer && made < FOLLOWERS; j++, made++) {
      const id = String(9_000_000_000_000_000 + made);
      const uri = `http://${host}/users/f${j}`;
      rows.push({
        id,
        username: `f${j}`,
        domain: host,
        display_name: "",
        note: "",
        note_source: "",
        fields: "[]",
        locked: 0,
        bot: 0,
        discoverable: 0,
        indexable: 0,
        avatar_url: null,
        header_url: null,
        uri,
        url: uri,
        inbox_url: `${uri}/inbox`,
        outbox_url: null,
        shared_inbox_url: `http://${host}/inbox`,
        followers_url: null,
        following_url: null,
        public_key_pem: null,
        ed25519_public_key: null,
        last_status_at: null,
        suspended_at: null,
        moved_to_account_id: null,
        created_at: now,
        updated_at: now,
      });
      follows.push({
        id: String(8_000_000_000_000_000 + made),
        account_id: id,
        target_account_id: me.id,
        show_reblogs: 1,
        notify: 0,
        languages: null,
        uri: `${uri}#follow`,
        created_at: now,
      });
    }
    await store.db.insertInto("accounts").values(rows).execute();
    await store.db.insertInto("follows").values(follows).execute();
  }
  await store.destroy();
  postedAt = performance.now();
  await api("/api/v1/statuses", {
    token,
    json: { status: "Барлық оқырмандарға сәлем!", visibility: "public" },
  });
  const deadline = Date.now() + 120_000;
  while (!allAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const total = [...received.values()].reduce((a, b) => a + b, 0);
  console.log(
    `fan-out: ${made} followers on ${SERVERS} servers; first inbox after ${((firstAt - postedAt) / 1000).toFixed(2)} s, ` +
      (allAt
        ? `all ${SERVERS} shared inboxes after ${((allAt - postedAt) / 1000).toFixed(2)} s`
        : `only ${received.size}/${SERVERS} servers reached in 120 s`) +
      ` (${total} deliveries); server RSS ${rssMb(torgai.child.pid ?? 0)} MB`,
  );
  for (const s of servers) s.close();
}
