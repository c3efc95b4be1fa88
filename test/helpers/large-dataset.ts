/**
 * A large, realistic-enough database generated in SQL (a recursive CTE on SQLite, generate_series on
 * PostgreSQL), for query-plan tests and the public-reads benchmark: 200,000 statuses load in seconds
 * where going through the core services would take many minutes.
 *
 * Shape: `accounts` accounts (three quarters local with a user each, one of them the admin; the
 * rest on remote.example); one prolific
 * account (every hundredth status, five of them pinned); a viewer following 200 accounts with a
 * materialised home feed, a list and 1 in 50 notifications; statuses of every visibility, reblogs,
 * replies (mentioning whom they answer), pins, 50 common hashtags and one rare one; and one public
 * thread of `threadReplies` replies a few levels deep. No one account owns a large share of any
 * table, so PostgreSQL's planner, which knows such shares, plans as it would on a real server.
 */
import { type RawBuilder, sql } from "kysely";
import type { Db, DialectName } from "../../src/store/db.ts";

export interface LargeDatasetOptions {
  /** statuses besides the thread */
  statuses?: number;
  accounts?: number;
  threadReplies?: number;
  /** the server's base URL: local accounts' and statuses' uri/url start with it */
  baseUrl: string;
}

export interface LargeDataset {
  statuses: number;
  /** follows 200 accounts, owns `listId`, receives 1 in 50 notifications */
  viewerId: string;
  viewerUsername: string;
  /** writes every hundredth status; five of them pinned */
  prolificId: string;
  prolificUsername: string;
  listId: string;
  /** the thread's first status, public, with `threadReplies` replies */
  threadRootId: string;
  /** the URL and the ActivityPub id of a public local status */
  statusUrl: string;
  statusUri: string;
  /** on 1 status in 200 */
  commonTag: string;
  /** on 1 status in 20,000 */
  rareTag: string;
}

const CREATED = "2025-01-01T00:00:00.000Z";
const ACCOUNT_BASE = 100000000000000000n;
const STATUS_BASE = 200000000000000000n;
const OTHER_BASE = 300000000000000000n;

const accountId = (k: number | bigint) => String(ACCOUNT_BASE + BigInt(k));
const statusId = (n: number | bigint) => String(STATUS_BASE + BigInt(n));

/** `n` from `from` to `to` as a FROM item aliased `g`. */
function numbers(dialect: DialectName, from: number, to: number): RawBuilder<unknown> {
  if (dialect === "postgres") return sql`generate_series(${sql.lit(from)}, ${sql.lit(to)}) as g(n)`;
  return sql`(with recursive c(n) as (select ${sql.lit(from)} union all select n + 1 from c where n < ${sql.lit(to)}) select n from c) as g`;
}

const id = (base: bigint, expr: string) => sql.raw(`cast(${base} + ${expr} as text)`);

export async function generateLargeDataset(
  db: Db,
  dialect: DialectName,
  opts: LargeDatasetOptions,
): Promise<LargeDataset> {
  const N = opts.statuses ?? 200_000;
  const A = opts.accounts ?? 20_000;
  const R = opts.threadReplies ?? 1000;
  const base = sql`cast(${opts.baseUrl} as text)`;
  const remote = "'https://remote.example'";
  const localAccounts = Math.floor((A * 3) / 4);
  const lit = (v: number) => sql.lit(v);

  // account number of status n: the prolific account 2 writes every hundredth, the rest spread over 3..A
  const author = (n: string) => `(case when ${n} % 100 = 0 then 2 else 3 + ${n} % ${A - 2} end)`;
  const isReblog = (n: string) => `(${n} % 13 = 5 and ${n} > 1000)`;
  const isReply = (n: string) => `(${n} % 5 = 1 and ${n} > 3 and not ${isReblog(`(${n} - 3)`)})`;
  // of 100: 70 public, 10 unlisted, 15 private, 5 direct; reblogs are public
  const bucket = (n: string) => `((${n} * 7919) % 100)`;
  const visibility = (n: string) =>
    `(case when ${isReblog(n)} then 'public' when ${bucket(n)} < 70 then 'public' when ${bucket(n)} < 80 then 'unlisted' when ${bucket(n)} < 95 then 'private' else 'direct' end)`;
  const host = (k: string) => sql.raw(`(case when ${k} <= ${localAccounts} then `);

  await sql`insert into accounts (id, username, domain, display_name, uri, url, discoverable, indexable, created_at, updated_at)
    select ${id(ACCOUNT_BASE, "n")}, 'u' || cast(n as text),
      case when n <= ${lit(localAccounts)} then '' else 'remote.example' end,
      'Account ' || cast(n as text),
      ${host("n")}${base} else ${sql.raw(remote)} end) || '/users/u' || cast(n as text),
      ${host("n")}${base} else ${sql.raw(remote)} end) || '/@u' || cast(n as text),
      1, 1, ${CREATED}, ${CREATED}
    from ${numbers(dialect, 1, A)}`.execute(db);

  // a user for every local account; account 3 is the admin
  await sql`insert into users (id, account_id, email, password_hash, role, locale, settings, approved, disabled,
      otp_enabled, confirmed_at, created_at)
    select ${id(ACCOUNT_BASE, "n")}, ${id(ACCOUNT_BASE, "n")}, 'u' || cast(n as text) || '@example.test', 'x',
      case when n = 3 then 'admin' else 'user' end, 'kk', '{}', 1, 0, 0, ${CREATED}, ${CREATED}
    from ${numbers(dialect, 1, localAccounts)}`.execute(db);

  const a = sql.raw(author("n"));
  await sql`insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id,
      reblog_of_id, text, content, visibility, language, created_at, updated_at)
    select ${id(STATUS_BASE, "n")},
      ${host(author("n"))}${base} else ${sql.raw(remote)} end) || '/users/u' || cast(${a} as text) || '/statuses/' || ${id(STATUS_BASE, "n")},
      ${host(author("n"))}${base} else ${sql.raw(remote)} end) || '/@u' || cast(${a} as text) || '/' || ${id(STATUS_BASE, "n")},
      ${id(ACCOUNT_BASE, author("n"))},
      case when ${a} <= ${lit(localAccounts)} then 1 else 0 end,
      case when ${sql.raw(isReply("n"))} then ${id(STATUS_BASE, "n - 3")} end,
      case when ${sql.raw(isReply("n"))} then ${id(ACCOUNT_BASE, author("(n - 3)"))} end,
      case when ${sql.raw(isReblog("n"))} then ${id(STATUS_BASE, "n - 1000")} end,
      case when ${sql.raw(isReblog("n"))} then '' else 'Жазба нөмірі ' || cast(n as text) end,
      case when ${sql.raw(isReblog("n"))} then '' else '<p>Жазба нөмірі ' || cast(n as text) || '</p>' end,
      ${sql.raw(visibility("n"))}, 'kk', ${CREATED}, ${CREATED}
    from ${numbers(dialect, 1, N)}`.execute(db);

  // the thread: root N+1 by account 3, replies N+2… — the first 100 answer the root, each later one
  // answers the reply at a third of its number, so the thread is a few levels deep
  const root = N + 1;
  await sql`insert into statuses (id, uri, url, account_id, local, text, content, visibility, language, created_at, updated_at)
    values (${statusId(root)}, ${`${opts.baseUrl}/users/u3/statuses/${statusId(root)}`}, ${`${opts.baseUrl}/@u3/${statusId(root)}`},
      ${accountId(3)}, 1, 'Тред', '<p>Тред</p>', 'public', 'kk', ${CREATED}, ${CREATED})`.execute(db);
  const replyAuthor = `(3 + n % ${localAccounts - 3})`;
  const parent = `(case when n <= 100 then ${root} else ${root} + n / 3 end)`;
  await sql`insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id,
      text, content, visibility, language, created_at, updated_at)
    select ${id(STATUS_BASE, `${root} + n`)},
      ${base} || '/users/u' || cast(${sql.raw(replyAuthor)} as text) || '/statuses/' || ${id(STATUS_BASE, `${root} + n`)},
      ${base} || '/@u' || cast(${sql.raw(replyAuthor)} as text) || '/' || ${id(STATUS_BASE, `${root} + n`)},
      ${id(ACCOUNT_BASE, replyAuthor)}, 1, ${id(STATUS_BASE, parent)},
      ${id(ACCOUNT_BASE, `(case when n <= 100 then 3 else 3 + (n / 3) % ${localAccounts - 3} end)`)},
      'Жауап ' || cast(n as text), '<p>Жауап ' || cast(n as text) || '</p>', 'public', 'kk', ${CREATED}, ${CREATED}
    from ${numbers(dialect, 1, R)}`.execute(db);

  // mentions: a reply mentions the author it answers; a direct status someone (1 in 7 the viewer)
  await sql`insert into mentions (id, status_id, account_id, silent)
    select ${id(OTHER_BASE, "n")}, ${id(STATUS_BASE, "n")}, ${id(ACCOUNT_BASE, author("(n - 3)"))}, 0
    from ${numbers(dialect, 1, N)} where ${sql.raw(isReply("n"))}`.execute(db);
  await sql`insert into mentions (id, status_id, account_id, silent)
    select ${id(OTHER_BASE, "1000000 + n")}, ${id(STATUS_BASE, "n")},
      case when n % 7 = 0 then ${accountId(1)} else ${id(ACCOUNT_BASE, author("(n + 1)"))} end, 0
    from ${numbers(dialect, 1, N)}
    where ${sql.raw(visibility("n"))} = 'direct' and not ${sql.raw(isReply("n"))}`.execute(db);

  await sql`insert into tags (id, name, display_name, created_at)
    select ${id(OTHER_BASE, "n")}, 'tag' || cast(n as text), 'Tag' || cast(n as text), ${CREATED}
    from ${numbers(dialect, 1, 51)}`.execute(db);
  // every fourth original carries one of tags 1..50 (1 status in 200 each); tag51 is rare
  await sql`insert into status_tags (status_id, tag_id)
    select ${id(STATUS_BASE, "n")},
      case when n % 20000 = 8 then ${id(OTHER_BASE, "51")} else ${id(OTHER_BASE, "1 + (n / 4) % 50")} end
    from ${numbers(dialect, 1, N)} where (n % 4 = 0 or n % 20000 = 8) and not ${sql.raw(isReblog("n"))}`.execute(
    db,
  );

  // five public originals of the prolific account pinned, and one in a hundred of everyone else's
  await sql`insert into status_pins (id, account_id, status_id, created_at)
    select ${id(OTHER_BASE, "2000000 + n")}, ${id(ACCOUNT_BASE, author("n"))}, ${id(STATUS_BASE, "n")}, ${CREATED}
    from ${numbers(dialect, 1, N)}
    where (n % 40000 = 0 or (n % 97 = 3 and n % 100 <> 0))
      and not ${sql.raw(isReblog("n"))} and ${sql.raw(visibility("n"))} = 'public'`.execute(db);

  // the viewer follows accounts 2..201; everyone else follows the next five accounts
  await sql`insert into follows (id, account_id, target_account_id, show_reblogs, notify, created_at)
    select ${id(OTHER_BASE, "3000000 + n")}, ${accountId(1)}, ${id(ACCOUNT_BASE, "n + 1")}, 1, 0, ${CREATED}
    from ${numbers(dialect, 1, 200)}`.execute(db);
  await sql`insert into follows (id, account_id, target_account_id, show_reblogs, notify, created_at)
    select ${id(OTHER_BASE, "4000000 + n * 10 + d")}, ${id(ACCOUNT_BASE, "n")},
      ${id(ACCOUNT_BASE, `3 + (n + d) % ${A - 2}`)}, 1, 0, ${CREATED}
    from ${numbers(dialect, 3, A)} cross join (select 1 as d union all select 2 union all select 3
      union all select 4 union all select 5) as dd`.execute(db);

  // home feeds of the viewer and of 2,000 others: what the accounts they follow wrote
  await sql`insert into home_feed (account_id, status_id, author_id, reblog_of_id)
    select f.account_id, s.id, s.account_id, s.reblog_of_id
    from follows f join statuses s on s.account_id = f.target_account_id
    where f.account_id = ${accountId(1)} or f.account_id between ${accountId(3)} and ${accountId(2002)}`.execute(
    db,
  );

  const listId = String(OTHER_BASE + 9000000n);
  await sql`insert into lists (id, account_id, title, replies_policy, exclusive, created_at)
    values (${listId}, ${accountId(1)}, 'Достар', 'list', 0, ${CREATED})`.execute(db);
  await sql`insert into list_accounts (list_id, account_id)
    select ${listId}, ${id(ACCOUNT_BASE, "n + 1")} from ${numbers(dialect, 1, 10)}`.execute(db);

  // one notification per status: 1 in 50 to the viewer, the rest to the status's author
  await sql`insert into notifications (id, account_id, from_account_id, status_id, type, created_at)
    select ${id(OTHER_BASE, "5000000 + n")},
      case when n % 50 = 0 then ${accountId(1)} else ${id(ACCOUNT_BASE, author("n"))} end,
      ${id(ACCOUNT_BASE, `3 + (n * 7) % ${A - 2}`)},
      ${id(STATUS_BASE, "n")},
      case when n % 3 = 0 then 'mention' when n % 3 = 1 then 'favourite' else 'reblog' end,
      ${CREATED}
    from ${numbers(dialect, 1, N)}`.execute(db);

  // the planner's statistics, as autovacuum would gather them on a server that grew to this size
  if (dialect === "postgres") await sql`analyze`.execute(db);

  // a public local original by a local author, addressed by URL in search
  let probe = 7;
  while (!(probe % 100 !== 0 && (probe * 7919) % 100 < 70 && probe % 13 !== 5 && probe % 5 !== 1)) probe++;
  const probeAuthor = 3 + (probe % (A - 2));
  if (probeAuthor > localAccounts) throw new Error("dataset: probe status is not local");
  return {
    statuses: N + 1 + R,
    viewerId: accountId(1),
    viewerUsername: "u1",
    prolificId: accountId(2),
    prolificUsername: "u2",
    listId,
    threadRootId: statusId(root),
    statusUrl: `${opts.baseUrl}/@u${probeAuthor}/${statusId(probe)}`,
    statusUri: `${opts.baseUrl}/users/u${probeAuthor}/statuses/${statusId(probe)}`,
    commonTag: "tag1",
    rareTag: "tag51",
  };
}
