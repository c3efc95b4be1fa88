/**
 * The hot and anonymous reads keep to their indexes on a large database, on SQLite and PostgreSQL.
 *
 * The server is one event loop over synchronous SQLite: one query that reads a whole table stalls
 * every request. These tests run the real core functions against 200,000 generated statuses,
 * capture the SQL they send (the store's onQuery hook), and check each query's plan: no table of
 * the dataset's size read whole (SQLite `SCAN t`, PostgreSQL Seq Scan) and the intended index used.
 * SQLite is checked three times: with the statistics a server that grew since start-up has (none for
 * the data), after `PRAGMA optimize` has analysed it on a sample, and after a full ANALYZE (the
 * statistics once made plans worse).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { PG_URL, STORES, type StoreKind, testConfig } from "../../test/helpers/harness.ts";
import { generateLargeDataset, type LargeDataset } from "../../test/helpers/large-dataset.ts";
import { explain, type QueryPlan, QueryRecorder } from "../../test/helpers/query-plans.ts";
import { serializeStatuses } from "../api/mastodon/present.ts";
import { type AppContext, closeContext, createContext } from "../app.ts";
import { lookupAccount } from "../core/accounts/lookup.ts";
import { contactAccount } from "../core/instance.ts";
import { listNotificationGroups } from "../core/notifications/groups.ts";
import { listNotifications } from "../core/notifications/query.ts";
import { search } from "../core/search.ts";
import { statusContext } from "../core/statuses/context.ts";
import {
  accountStatuses,
  homeTimeline,
  listTimeline,
  publicTimeline,
  tagTimeline,
} from "../core/timelines/queries.ts";
import { dropSchema, openStore, optimize, sql } from "./db.ts";

/** Tables the dataset makes large: none of them may be read whole. */
const LARGE = new Set([
  "statuses",
  "accounts",
  "home_feed",
  "notifications",
  "status_tags",
  "mentions",
  "follows",
]);

/** Index names as each database calls them (SQLite names the ones behind constraints itself). */
const IDX = {
  statusesPk: { sqlite: "sqlite_autoindex_statuses_1", postgres: "statuses_pkey" },
  statusesUri: { sqlite: "sqlite_autoindex_statuses_2", postgres: "statuses_uri_key" },
  accountsUri: { sqlite: "sqlite_autoindex_accounts_2", postgres: "accounts_uri_key" },
  statusTagsByTag: { sqlite: "sqlite_autoindex_status_tags_1 (tag_id=?)", postgres: "status_tags_pk" },
  // searched by the account alone: the pins lead (not probed once for each of the account's statuses)
  pinsByAccount: {
    sqlite: "sqlite_autoindex_status_pins_2 (account_id=?)",
    postgres: "status_pins_account_status",
  },
  homeFeedPk: { sqlite: "sqlite_autoindex_home_feed_1", postgres: "home_feed_pk" },
};
type Named = string | { sqlite: string; postgres: string };
const nameOn = (n: Named, kind: StoreKind) => (typeof n === "string" ? n : n[kind]);

interface Case {
  name: string;
  run: (ctx: AppContext, ds: LargeDataset) => Promise<unknown>;
  /** every one of these must be used by some query of the case (an array: any one of them) */
  uses: (Named | Named[])[];
  /** never used: for `reblog_of_id is null`, the reblog index reads every original */
  avoid?: Named[];
  check?: (result: unknown, ds: LargeDataset) => void;
}

const page = { limit: 20 };
const length = (n: number) => (r: unknown) => assert.equal((r as unknown[]).length, n);

const CASES: Case[] = [
  {
    name: "context of a 1,000-reply thread, anonymous",
    run: (ctx, ds) => statusContext(ctx, ds.threadRootId, null),
    uses: ["statuses_in_reply_to"],
    check: (r) => assert.equal((r as { descendants: unknown[] }).descendants.length, 60),
  },
  {
    name: "context of a 1,000-reply thread, signed in",
    run: (ctx, ds) => statusContext(ctx, ds.threadRootId, ds.viewerId),
    uses: ["statuses_in_reply_to"],
    check: (r) => assert.equal((r as { descendants: unknown[] }).descendants.length, 1000),
  },
  {
    name: "context of a reply deep in the thread (ancestors)",
    run: (ctx, ds) => statusContext(ctx, String(BigInt(ds.threadRootId) + 1000n), null),
    uses: [IDX.statusesPk, "statuses_in_reply_to"],
    check: (r) => assert.equal((r as { ancestors: unknown[] }).ancestors.length, 4),
  },
  {
    name: "a context's statuses serialised",
    run: async (ctx, ds) =>
      serializeStatuses(ctx, (await statusContext(ctx, ds.threadRootId, null)).descendants, null),
    uses: [IDX.statusesPk],
  },
  {
    name: "search by a status's URL",
    run: (ctx, ds) => search(ctx, null, { q: ds.statusUrl, limit: 20, offset: 0 }),
    uses: ["statuses_url"],
    check: (r) => assert.equal((r as { statuses: unknown[] }).statuses.length, 1),
  },
  {
    name: "search by a status's ActivityPub id",
    run: (ctx, ds) => search(ctx, null, { q: ds.statusUri, limit: 20, offset: 0 }),
    uses: [IDX.statusesUri],
    check: (r) => assert.equal((r as { statuses: unknown[] }).statuses.length, 1),
  },
  {
    name: "search by a URL nothing has",
    run: (ctx) => search(ctx, null, { q: `${ctx.config.baseUrl}/@nobody/404`, limit: 20, offset: 0 }),
    uses: [IDX.statusesUri, "statuses_url", IDX.accountsUri, "accounts_url"],
  },
  {
    name: "an account's statuses, anonymous",
    run: (ctx, ds) => accountStatuses(ctx, null, ds.prolificId, {}, page),
    uses: ["statuses_account_id_id"],
    check: length(20),
  },
  {
    name: "an account's statuses without replies, signed in",
    run: (ctx, ds) => accountStatuses(ctx, ds.viewerId, ds.prolificId, { excludeReplies: true }, page),
    uses: ["statuses_account_id_id"],
    check: length(20),
  },
  {
    name: "an account's pinned statuses",
    run: (ctx, ds) => accountStatuses(ctx, null, ds.prolificId, { pinned: true }, page),
    uses: [IDX.pinsByAccount],
    check: length(5),
  },
  {
    name: "home timeline",
    run: (ctx, ds) => homeTimeline(ctx, ds.viewerId, page),
    // PostgreSQL may instead walk the newest statuses' home rows (home_feed_status) when the
    // viewer's rows are a large share of home_feed: a costed choice that reads a few hundred rows
    uses: [[IDX.homeFeedPk, { sqlite: IDX.homeFeedPk.sqlite, postgres: "home_feed_status" }]],
    check: length(20),
  },
  {
    name: "public timeline",
    run: (ctx) => publicTimeline(ctx, null, {}, page),
    uses: [["statuses_visibility_id", "statuses_public_local", IDX.statusesPk]],
    check: length(20),
  },
  {
    name: "local timeline",
    run: (ctx) => publicTimeline(ctx, null, { local: true }, page),
    uses: [["statuses_public_local", IDX.statusesPk]],
    check: length(20),
  },
  {
    name: "hashtag timeline (1 status in 200)",
    run: (ctx, ds) => tagTimeline(ctx, null, ds.commonTag, {}, page),
    uses: [IDX.statusTagsByTag],
    check: length(20),
  },
  {
    name: "hashtag timeline (1 status in 20,000)",
    run: (ctx, ds) => tagTimeline(ctx, null, ds.rareTag, {}, page),
    uses: [IDX.statusTagsByTag],
  },
  {
    name: "local hashtag timeline, signed in",
    run: (ctx, ds) => tagTimeline(ctx, ds.viewerId, ds.commonTag, { local: true }, page),
    uses: [IDX.statusTagsByTag],
    check: length(20),
  },
  {
    name: "list timeline",
    run: (ctx, ds) => listTimeline(ctx, ds.viewerId, ds.listId, page),
    uses: ["statuses_account_id_id"],
    check: length(20),
  },
  {
    name: "notifications",
    run: (ctx, ds) => listNotifications(ctx, ds.viewerId, {}, page),
    uses: ["notifications_account"],
  },
  {
    name: "notifications of one type",
    run: (ctx, ds) => listNotifications(ctx, ds.viewerId, { types: ["mention"] }, page),
    uses: ["notifications_account"],
  },
  {
    name: "grouped notifications",
    run: (ctx, ds) => listNotificationGroups(ctx, ds.viewerId, {}, page),
    uses: ["notifications_account"],
  },
  {
    name: "instance contact",
    run: (ctx) => contactAccount(ctx),
    uses: ["users_admins"],
    check: (r) => assert.ok(r),
  },
  {
    name: "account lookup",
    run: (ctx, ds) => lookupAccount(ctx, ds.prolificUsername),
    uses: ["accounts_username_domain"],
  },
];

const describePlan = (p: QueryPlan) => `${p.query.sql.replace(/\s+/g, " ")}\n${p.text}`;

for (const kind of STORES) {
  describe(`query plans on 200,000 statuses [${kind}]`, () => {
    const recorder = new QueryRecorder();
    let ctx: AppContext | undefined;
    let ds: LargeDataset;
    const schema = `plans_${randomBytes(6).toString("hex")}`;

    before(async () => {
      const store =
        kind === "sqlite"
          ? await openStore({ url: "sqlite::memory:", onQuery: recorder.onQuery })
          : await openStore({ url: PG_URL, pgSchema: schema, poolSize: 2, onQuery: recorder.onQuery });
      ctx = await createContext(testConfig(), { store, logger: pino({ level: "silent" }) });
      ds = await generateLargeDataset(ctx.db, ctx.dialect, { baseUrl: ctx.config.baseUrl });
    });
    after(async () => {
      if (ctx) await closeContext(ctx);
      if (kind === "postgres") await dropSchema(PG_URL, schema);
    });

    const passes =
      kind === "sqlite"
        ? [
            { name: "statistics as at start-up (none for the data)", prepare: async () => {} },
            { name: "after PRAGMA optimize", prepare: () => optimize(ctx!.store) },
            // exact statistics (optimize samples): what an operator's manual ANALYZE leaves
            { name: "after a full ANALYZE", prepare: () => sql`analyze`.execute(ctx!.db).then(() => {}) },
          ]
        : [{ name: "after ANALYZE", prepare: async () => {} }];
    for (const pass of passes) {
      describe(pass.name, () => {
        before(() => pass.prepare());
        for (const c of CASES) {
          test(c.name, async () => {
            const { result, queries } = await recorder.record(() => c.run(ctx!, ds));
            c.check?.(result, ds);
            assert.ok(queries.length > 0, "no query captured");
            const texts = queries.map((q) => JSON.stringify([q.sql, q.parameters]));
            const repeated = texts.filter((t, i) => texts.indexOf(t) !== i);
            assert.deepEqual(repeated, [], "the same query twice");
            const plans = await Promise.all(queries.map((q) => explain(ctx!.db, kind, q)));
            for (const p of plans) {
              const whole = p.fullScans.filter((t) => LARGE.has(t));
              assert.deepEqual(whole, [], `reads ${whole.join(", ")} whole:\n${describePlan(p)}`);
            }
            const used = new Set(plans.flatMap((p) => p.indexes));
            const all = plans.map(describePlan).join("\n\n");
            for (const want of c.uses) {
              const names = (Array.isArray(want) ? want : [want]).map((n) => nameOn(n, kind));
              assert.ok(
                names.some((n) => used.has(n)),
                `expected ${names.join(" or ")} among the indexes used:\n${all}`,
              );
            }
            for (const bad of ["statuses_reblog_of", ...(c.avoid ?? [])].map((n) => nameOn(n, kind)))
              assert.ok(!used.has(bad), `${bad} used:\n${all}`);
          });
        }
      });
    }
  });
}
