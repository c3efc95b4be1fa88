/**
 * `torgai web` and `torgai worker` as two processes on one SQLite file: how long does the web
 * process's event loop stall while the worker fans out a burst of posts to many followers?
 * node:sqlite waits for a lock synchronously (busy_timeout), so every write the web process makes
 * while the worker holds the write lock stops its whole event loop.
 *
 *   node bench/split-sqlite.ts [-- --followers 300 --posts 40 --writers 4]
 *
 * Prints /healthz latency on the web process (p50, p99, max): idle, and while the worker fans out
 * while web clients keep writing (favourites), as in real use.
 */
import { parseArgs } from "node:util";
import { apiClient, freePort, percentile, startTorgai, tempDir } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    followers: { type: "string", default: "300" },
    posts: { type: "string", default: "40" },
    writers: { type: "string", default: "4" },
    mode: { type: "string", default: "split" }, // split | all (one process, for comparison)
  },
});
const data = tempDir("torgai-split-");
const port = await freePort();
const env = { TORGAI_DATA_DIR: data.path, TORGAI_ALLOW_SPLIT_SQLITE: "1" };
const split = args.mode === "split";
const web = await startTorgai({ env, port, mode: split ? "web" : "all" });
const worker = split ? await startTorgai({ env, port, mode: "worker", wait: false }) : undefined;

async function probe(ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await fetch(`${web.base}/healthz`);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out.sort((a, b) => a - b);
}
const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms  max ${xs[xs.length - 1].toFixed(1)} ms  (${xs.length} probes)`;

try {
  const { api, register } = apiClient(web.base);
  const author = await register("author");
  const authorId = String((await api("/api/v1/accounts/verify_credentials", { token: author })).id);
  const readers: string[] = [];
  for (let i = 0; i < Number(args.followers); i++) {
    const token = await register(`reader${i}`);
    readers.push(token);
    await api(`/api/v1/accounts/${authorId}/follow`, { token, json: {} });
  }
  const target = String((await api("/api/v1/statuses", { token: author, json: { status: "сәлем" } })).id);
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`seeded: 1 author, ${readers.length} followers; mode ${split ? "web + worker" : "all"}`);
  const idle = await probe(3000);

  // the burst: the worker fans each post out to every follower while web clients write
  let writing = true;
  const writers = readers.slice(0, Number(args.writers)).map(async (token) => {
    while (writing) {
      await api(`/api/v1/statuses/${target}/favourite`, { token, json: {} });
      await api(`/api/v1/statuses/${target}/unfavourite`, { token, json: {} });
    }
  });
  const posting = (async () => {
    for (let i = 0; i < Number(args.posts); i++)
      await api("/api/v1/statuses", { token: author, json: { status: `жазба ${i}` } });
  })();
  const busy = await probe(8000);
  writing = false;
  await Promise.all([posting, ...writers]);
  console.log(`/healthz idle:                       ${fmt(idle)}`);
  console.log(`/healthz during fan-out and writes:  ${fmt(busy)}  (aim p99 < 50 ms)`);
} finally {
  await worker?.stop();
  await web.stop();
  data.remove();
}
