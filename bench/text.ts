/**
 * What text costs the (single) event loop, through the real HTTP routes on in-memory SQLite.
 *
 *   node bench/text.ts
 *
 * Prints the time to POST a 5,000-grapheme post made of combining marks (~100k code points), the
 * largest such post still accepted, a long ordinary post (Kazakh prose with links, mentions and
 * tags), a post with 900 distinct mentions of existing accounts, and the size of a page of 5 tiny
 * posts by an account whose display name is as large as update_credentials lets it be. Times are
 * the median of 5 requests (route, validation, transaction) on one core.
 *
 * Measured on the shared 2-core dev machine (before = 6348fb1, after = the text hardening):
 *
 *   case                                            before              after
 *   5,000 graphemes × 19 marks (100k code points)   200 in 787 ms       422 in 4 ms
 *   5,000 graphemes × 3 marks (20k, the cap)        200 in 81 ms        200 in 24 ms
 *   long ordinary post (4,990 code points)          200 in 32 ms        200 in 13 ms
 *   50 mentions of existing (remote) accounts       200 in 20 ms        200 in 7 ms
 *   900 mentions of existing (remote) accounts      200 in 151 ms       422 in 19 ms
 *   1,000 unknown mentions                          500                 422
 *   page of 5 tiny posts, maximal display name      1,506,986 bytes     7,436 bytes
 */
import { performance } from "node:perf_hooks";
import type { AppContext } from "../src/app.ts";
import { closeContext } from "../src/app.ts";
import { insertRemoteAccounts } from "../test/helpers/fixtures.ts";
import { createTestContext, createTestUser } from "../test/helpers/harness.ts";

const MARKS =
  "\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c\u0323\u0324\u0325\u0326\u0327\u0328\u032d\u032e\u0330";

/** `n` graphemes, each a base letter carrying `marks` combining marks. */
function zalgo(n: number, marks: number): string {
  const one = `a${MARKS.repeat(Math.ceil(marks / MARKS.length)).slice(0, marks)}`;
  return one.repeat(n);
}

async function timedPost(
  label: string,
  api: (path: string, init?: { json?: unknown; method?: string }) => Promise<Response>,
  status: string,
): Promise<void> {
  // median of 5, so one garbage collection does not decide
  const times: number[] = [];
  let res: Response | undefined;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    res = await api("/api/v1/statuses", { json: { status } });
    times.push(performance.now() - t0);
    if (i < 4) await res.arrayBuffer();
  }
  if (!res) return;
  const took = `${times.sort((a, b) => a - b)[2].toFixed(0)} ms`;
  const body = (await res.json()) as { error?: string };
  const cps = [...status].length;
  console.log(
    `${label.padEnd(44)} ${String(cps).padStart(7)} code points  → ${res.status} in ${took}` +
      (body.error ? `  (${body.error.slice(0, 70)})` : ""),
  );
}

async function remoteAccounts(ctx: AppContext, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => i.toString(36).padStart(2, "0"));
  await insertRemoteAccounts(ctx, "r.example", names);
  return names.map((u) => `@${u}@r.example`);
}

const ctx = await createTestContext("sqlite", { config: { TORGAI_MAX_STATUS_CHARS: "5000" } });
try {
  const author = await createTestUser(ctx);
  await author.api("/api/v1/statuses", { json: { status: "warm-up #жылыту https://example.kz" } });

  await timedPost("5,000 graphemes × 19 combining marks", author.api, zalgo(5000, 19));
  await timedPost("5,000 graphemes × 3 combining marks", author.api, zalgo(5000, 3));
  const prose =
    "Бүгін Алматыда ауа райы керемет болды, достар! Тауға шығып, #табиғат туралы жаздым. " +
    "Толығырақ: https://example.kz/blog/2024/tau-saiakhaty @aigerim қосылғың келе ме? ";
  await timedPost("long ordinary post (prose, links, tags)", author.api, prose.repeat(40).slice(0, 4990));
  const mentioned = await remoteAccounts(ctx, 900);
  await timedPost("50 distinct mentions of existing accounts", author.api, mentioned.slice(0, 50).join(" "));
  await timedPost("900 distinct mentions of existing accounts", author.api, mentioned.join(" "));
  await timedPost(
    "1,000 distinct mentions (unknown)",
    author.api,
    Array.from({ length: 1000 }, (_, i) => `@${(i + 1000).toString(36)}`).join(" "),
  );

  // a page of 5 tiny posts by an account with the largest display name the server accepts
  const poster = await createTestUser(ctx);
  const patch = (display_name: string) =>
    poster.api("/api/v1/accounts/update_credentials", { method: "PATCH", json: { display_name } });
  const stuffed = zalgo(30, 5000);
  const r = await patch(stuffed);
  console.log(`display name of 30 graphemes × 5,000 marks    → ${r.status}`);
  if (r.status !== 200) {
    // the largest accepted: 30 code points of 4 UTF-8 bytes each
    const fallback = "𝔸".repeat(30);
    console.log(`  (using the maximal accepted name instead: 30 × "𝔸" → ${(await patch(fallback)).status})`);
  }
  for (let i = 0; i < 5; i++) await poster.api("/api/v1/statuses", { json: { status: `tiny ${i}` } });
  const page = await poster.api(`/api/v1/accounts/${poster.account.id}/statuses?limit=5`);
  const bytes = Buffer.byteLength(await page.text());
  console.log(
    `page of 5 tiny posts by that account          → ${page.status}, ${bytes.toLocaleString("en")} bytes`,
  );
} finally {
  await closeContext(ctx);
}
