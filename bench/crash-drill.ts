/**
 * Crash drill: `kill -9` the server in the middle of a burst of posts from several clients, restart
 * it on the same data, and check what users were promised.
 *
 *   node bench/crash-drill.ts [-- --posts 1000 --clients 8 --followers 30 --kill-after 400 --pg]
 *
 * Prints: posts answered 200 before the kill, how many of them exist after the restart (must be
 * all), fan-out jobs pending at restart and how long they took to finish, and statuses held twice
 * by a home timeline (must be none). Exit code 1 when a promise was broken.
 */
import { parseArgs } from "node:util";
import { openStore } from "../src/store/db.ts";
import { apiClient, type BenchDatabase, createPgDatabase, startTorgai, tempDir } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    posts: { type: "string", default: "1000" },
    clients: { type: "string", default: "8" },
    followers: { type: "string", default: "30" },
    "kill-after": { type: "string", default: "400" },
    pg: { type: "boolean", default: false },
  },
});
const total = Number(args.posts);
const clients = Number(args.clients);
const killAfter = Number(args["kill-after"]);

const data = tempDir("torgai-crash-");
const database: BenchDatabase | undefined = args.pg ? await createPgDatabase() : undefined;
const env = { TORGAI_DATA_DIR: data.path, ...(database?.url ? { DATABASE_URL: database.url } : {}) };
const dbUrl = database?.url ?? `sqlite:${data.path}/torgai.db`;
let failed = false;

try {
  let server = await startTorgai({ env });
  const port = server.port;
  const { register, api } = apiClient(server.base);
  const authors: string[] = [];
  for (let i = 0; i < clients; i++) authors.push(await register(`author${i}`));
  const readers: string[] = [];
  for (let i = 0; i < Number(args.followers); i++) readers.push(await register(`reader${i}`));
  const authorIds: string[] = [];
  for (const token of authors) {
    const me = await api("/api/v1/accounts/verify_credentials", { token });
    authorIds.push(String(me.id));
  }
  for (const reader of readers)
    for (const id of authorIds) await api(`/api/v1/accounts/${id}/follow`, { token: reader, json: {} });
  console.log(`seeded: ${clients} authors, ${readers.length} readers following each`);

  // the burst: each client posts its share as fast as answers come back
  const answered: string[] = [];
  let sent = 0;
  let killed = false;
  const t0 = performance.now();
  const killedAt = new Promise<number>((resolve) => {
    const burst = authors.map(async (token, c) => {
      for (let n = c; n < total; n += clients) {
        if (killed) return;
        sent++;
        try {
          const res = await fetch(`${server.base}/api/v1/statuses`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ status: `Апат жаттығуы ${n} #drill` }),
          });
          if (res.status === 200) {
            answered.push(String(((await res.json()) as { id: string }).id));
            if (!killed && answered.length >= killAfter) {
              killed = true;
              server.child.kill("SIGKILL");
              resolve(performance.now() - t0);
            }
          }
        } catch {
          // the connection died with the server: not answered, nothing promised
        }
      }
    });
    void Promise.all(burst).then(() => resolve(performance.now() - t0));
  });
  const ms = await killedAt;
  await server.stop();
  console.log(
    `burst: ${sent} requests sent, ${answered.length} answered 200, SIGKILL after ${ms.toFixed(0)} ms`,
  );

  // restart on the same data
  const store = await openStore({ url: dbUrl });
  const pending = await store.db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "in", ["pending", "running"])
    .executeTakeFirstOrThrow();
  const t1 = performance.now();
  server = await startTorgai({ env, port });
  let left = Number(pending.n);
  for (let i = 0; left > 0 && i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const row = await store.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "in", ["pending", "running"])
      .executeTakeFirstOrThrow();
    left = Number(row.n);
  }
  const drainMs = performance.now() - t1;
  const found = new Set(
    (await store.db.selectFrom("statuses").select("id").where("id", "in", answered).execute()).map(
      (r) => r.id,
    ),
  );
  const lost = answered.filter((id) => !found.has(id));
  const dupes = await store.db
    .selectFrom("home_feed")
    .select(["account_id", "status_id"])
    .groupBy(["account_id", "status_id"])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  // every answered post reaches every reader's home (the fan-out finished after the restart)
  const readerRows = await store.db
    .selectFrom("accounts")
    .select("id")
    .where("username", "like", "reader%")
    .where("domain", "=", "")
    .execute();
  let missingHome = 0;
  for (const r of readerRows) {
    const held = new Set(
      (
        await store.db
          .selectFrom("home_feed")
          .select("status_id")
          .where("account_id", "=", r.id)
          .where("status_id", "in", answered)
          .execute()
      ).map((x) => x.status_id),
    );
    missingHome += answered.filter((id) => found.has(id) && !held.has(id)).length;
  }
  const dead = await store.db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "dead")
    .executeTakeFirstOrThrow();
  await store.destroy();
  await server.stop();

  console.log(`after restart: ${found.size}/${answered.length} answered posts present (${lost.length} lost)`);
  console.log(
    `fan-out jobs pending at restart: ${pending.n}, finished in ${(drainMs / 1000).toFixed(1)} s, ${left} left, ${dead.n} dead`,
  );
  console.log(
    `home timelines missing an answered post: ${missingHome} entries; statuses held twice: ${dupes.length}`,
  );
  failed = lost.length > 0 || dupes.length > 0 || left > 0 || missingHome > 0;
  console.log(failed ? "DRILL FAILED" : "drill passed");
} finally {
  data.remove();
  await database?.drop();
}
process.exit(failed ? 1 : 0);
