/**
 * Other servers, as admins decide about them and as deliveries find them.
 *
 * Domain blocks (Mastodon's severities): `suspend` — nothing is accepted from the domain or its
 * subdomains, nothing is delivered or fetched there, and its known accounts are suspended here
 * (follows both ways end); `silence` — its accounts count as limited (the notification policy's
 * `for_limited_accounts` applies to them); `noop` — only the media/report rejections apply.
 *
 * Delivery health: failures since the last success are counted per domain; a domain that has
 * failed continuously for UNAVAILABLE_AFTER_MS is marked unavailable and gets no deliveries until
 * it is heard from again (an activity from it, or a delivery that succeeds).
 */
import { type AppContext, owned, resourceKey, transaction } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { DomainBlock } from "../../store/schema.ts";
import { normalizeDomain } from "../domain-blocks.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { Lru } from "../lru.ts";

export const UNAVAILABLE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a domain's block decision is cached in a process (blocks made here clear it at once). */
const BLOCK_CACHE_MS = 10_000;

export type Severity = DomainBlock["severity"];

/** `a.b.example.com:8443` → the domain and every parent a block may name. */
function candidates(domain: string): string[] {
  const host = domain.toLowerCase();
  const out = [host];
  const bare = host.replace(/:\d+$/, "");
  if (bare !== host) out.push(bare);
  const parts = bare.split(".");
  for (let i = 1; i < parts.length - 1; i++) out.push(parts.slice(i).join("."));
  return out;
}

const blockCache = resourceKey(
  "federation.domain-block-cache",
  () => new Lru<string, { block: DomainBlock | null; until: number }>(5_000),
);

/** The block that applies to `domain` (the most specific one), or null. */
export async function domainBlockFor(
  ctx: AppContext,
  domain: string,
  db: Db = ctx.db,
): Promise<DomainBlock | null> {
  if (!domain) return null;
  const cache = owned(ctx, blockCache);
  const hit = cache.get(domain);
  const now = Date.now();
  if (hit && hit.until > now) return hit.block;
  const names = candidates(domain);
  const rows = await db.selectFrom("domain_blocks").selectAll().where("domain", "in", names).execute();
  const block = names.map((n) => rows.find((r) => r.domain === n)).find((r) => r) ?? null;
  cache.set(domain, { block, until: now + BLOCK_CACHE_MS });
  return block;
}

export async function isDomainSuspended(ctx: AppContext, domain: string): Promise<boolean> {
  return (await domainBlockFor(ctx, domain))?.severity === "suspend";
}

/** Whether `hostOrUrl` may receive deliveries now (not suspended, not unavailable). */
export async function mayDeliverTo(ctx: AppContext, domain: string): Promise<boolean> {
  if (await isDomainSuspended(ctx, domain)) return false;
  const row = await ctx.db
    .selectFrom("instances")
    .select("unavailable_at")
    .where("domain", "=", domain.toLowerCase())
    .executeTakeFirst();
  return !row?.unavailable_at;
}

export interface DomainBlockInput {
  domain: string;
  severity: Severity;
  rejectMedia?: boolean;
  rejectReports?: boolean;
  publicComment?: string;
  privateComment?: string;
}

/** A domain as blocks name it: a host name (normalizeDomain's rules) or an IP address, with its port if any. */
function blockableDomain(ctx: AppContext, raw: string): string {
  const d = raw.trim().toLowerCase();
  if (/^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$/.test(d) || /^\[[0-9a-f:.]+\](?::\d{1,5})?$/.test(d)) {
    if (d === ctx.config.domain.toLowerCase())
      throw new ValidationError("Validation failed: Domain can't be this server's own domain");
    return d;
  }
  return normalizeDomain(ctx, raw);
}

/** Accounts of `domain` and its subdomains (remote only), as a where-clause builder. */
function ofDomain(domain: string) {
  return (eb: { or: (x: unknown[]) => unknown; (c: string, op: string, v: string): unknown }) =>
    eb.or([eb("domain", "=", domain), eb("domain", "like", `%.${domain.replace(/[\\%_]/g, "\\$&")}`)]);
}

/** Blocks (or re-grades) a domain; a suspension suspends its known accounts and ends follows. */
export async function blockDomain(ctx: AppContext, input: DomainBlockInput): Promise<DomainBlock> {
  const domain = blockableDomain(ctx, input.domain);
  const now = ctx.now().toISOString();
  const row = {
    domain,
    severity: input.severity,
    reject_media: input.rejectMedia ? 1 : 0,
    reject_reports: input.rejectReports ? 1 : 0,
    public_comment: (input.publicComment ?? "").slice(0, 1000),
    private_comment: (input.privateComment ?? "").slice(0, 1000),
    created_at: now,
    updated_at: now,
  };
  await transaction(ctx, async (trx) => {
    await trx
      .insertInto("domain_blocks")
      .values(row)
      .onConflict((oc) =>
        oc.column("domain").doUpdateSet({
          severity: row.severity,
          reject_media: row.reject_media,
          reject_reports: row.reject_reports,
          public_comment: row.public_comment,
          private_comment: row.private_comment,
          updated_at: now,
        }),
      )
      .execute();
    if (input.severity === "suspend") {
      // biome-ignore lint/suspicious/noExplicitAny: a shared where-builder over one column
      const where = ofDomain(domain) as any;
      const ids = trx.selectFrom("accounts").select("id").where(where).where("domain", "!=", "");
      await trx
        .updateTable("accounts")
        .set({ suspended_at: now })
        .where(where)
        .where("domain", "!=", "")
        .where("suspended_at", "is", null)
        .execute();
      for (const [mine, theirs] of [
        ["account_id", "target_account_id"],
        ["target_account_id", "account_id"],
      ] as const) {
        // counters of the local side go down with the follows
        const gone = await trx
          .selectFrom("follows")
          .select(["id", mine, theirs])
          .where(theirs, "in", ids)
          .execute();
        for (const f of gone) {
          const local = f[mine];
          const column = mine === "account_id" ? "following_count" : "followers_count";
          await trx
            .updateTable("accounts")
            .set((eb) => ({ [column]: eb(column, "-", 1) }))
            .where("id", "=", local)
            .where(column, ">", 0)
            .execute();
        }
        await trx.deleteFrom("follows").where(theirs, "in", ids).execute();
        await trx.deleteFrom("follow_requests").where(theirs, "in", ids).execute();
      }
      await trx.deleteFrom("home_feed").where("author_id", "in", ids).execute();
    }
  });
  owned(ctx, blockCache).clear();
  return (await ctx.db
    .selectFrom("domain_blocks")
    .selectAll()
    .where("domain", "=", domain)
    .executeTakeFirst()) as DomainBlock;
}

/** Lifts a block; accounts a suspension suspended are shown again (their follows do not return). */
export async function unblockDomain(ctx: AppContext, rawDomain: string): Promise<void> {
  const domain = blockableDomain(ctx, rawDomain);
  await transaction(ctx, async (trx) => {
    const block = await trx
      .selectFrom("domain_blocks")
      .selectAll()
      .where("domain", "=", domain)
      .executeTakeFirst();
    if (!block) throw new NotFoundError("No block for this domain");
    await trx.deleteFrom("domain_blocks").where("domain", "=", domain).execute();
    if (block.severity === "suspend") {
      // biome-ignore lint/suspicious/noExplicitAny: a shared where-builder over one column
      const where = ofDomain(domain) as any;
      await trx
        .updateTable("accounts")
        .set({ suspended_at: null })
        .where(where)
        .where("domain", "!=", "")
        .execute();
    }
  });
  owned(ctx, blockCache).clear();
}

export async function listDomainBlocks(ctx: AppContext): Promise<DomainBlock[]> {
  return ctx.db.selectFrom("domain_blocks").selectAll().orderBy("domain").execute();
}

/** A delivery to `domain` failed; after days of nothing but failures it is marked unavailable. */
export async function recordDeliveryFailure(ctx: AppContext, domain: string, error: string): Promise<void> {
  const d = domain.toLowerCase();
  const now = ctx.now();
  const iso = now.toISOString();
  await ctx.db
    .insertInto("instances")
    .values({
      domain: d,
      failures: 1,
      first_failure_at: iso,
      last_failure_at: iso,
      last_error: error.slice(0, 500),
    })
    .onConflict((oc) =>
      oc.column("domain").doUpdateSet((eb) => ({
        failures: eb("instances.failures", "+", 1),
        first_failure_at: eb.fn.coalesce("instances.first_failure_at", eb.val(iso)),
        last_failure_at: iso,
        last_error: error.slice(0, 500),
      })),
    )
    .execute();
  const since = new Date(now.getTime() - UNAVAILABLE_AFTER_MS).toISOString();
  await ctx.db
    .updateTable("instances")
    .set({ unavailable_at: iso })
    .where("domain", "=", d)
    .where("unavailable_at", "is", null)
    .where("first_failure_at", "<=", since)
    .execute();
}

/** A delivery to `domain` succeeded, or it was heard from: its failure record is cleared. */
export async function recordDomainAlive(ctx: AppContext, domain: string): Promise<void> {
  const d = domain.toLowerCase();
  const iso = ctx.now().toISOString();
  await ctx.db
    .insertInto("instances")
    .values({ domain: d, failures: 0, last_success_at: iso })
    .onConflict((oc) =>
      oc.column("domain").doUpdateSet({
        failures: 0,
        first_failure_at: null,
        unavailable_at: null,
        last_success_at: iso,
      }),
    )
    .execute();
}

export interface InstanceSummary {
  domain: string;
  accounts: number;
  failures: number;
  lastFailureAt: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  unavailableAt: string | null;
  block: Severity | null;
}

/** Every server we know of (by its accounts, deliveries or blocks), most accounts first. */
export async function listInstances(
  ctx: AppContext,
  opts: { failingOnly?: boolean } = {},
): Promise<InstanceSummary[]> {
  const counts = await ctx.db
    .selectFrom("accounts")
    .select(["domain", (eb) => eb.fn.countAll<number>().as("n")])
    .where("domain", "!=", "")
    .groupBy("domain")
    .execute();
  const health = await ctx.db.selectFrom("instances").selectAll().execute();
  const blocks = await listDomainBlocks(ctx);
  const domains = new Set([
    ...counts.map((c) => c.domain),
    ...health.map((h) => h.domain),
    ...blocks.map((b) => b.domain),
  ]);
  const out: InstanceSummary[] = [];
  for (const domain of domains) {
    const h = health.find((x) => x.domain === domain);
    const block = names(domain, blocks);
    out.push({
      domain,
      accounts: Number(counts.find((c) => c.domain === domain)?.n ?? 0),
      failures: Number(h?.failures ?? 0),
      lastFailureAt: h?.last_failure_at ?? null,
      lastError: h?.last_error ?? null,
      lastSuccessAt: h?.last_success_at ?? null,
      unavailableAt: h?.unavailable_at ?? null,
      block,
    });
  }
  const list = opts.failingOnly ? out.filter((i) => i.failures > 0 || i.unavailableAt) : out;
  return list.sort((a, b) => b.accounts - a.accounts || a.domain.localeCompare(b.domain));
}

function names(domain: string, blocks: DomainBlock[]): Severity | null {
  for (const n of candidates(domain)) {
    const b = blocks.find((x) => x.domain === n);
    if (b) return b.severity;
  }
  return null;
}

export interface DeadDelivery {
  id: string;
  type: string;
  /** the inbox host or the event kind; never the payload (Fedify's carries signing keys) */
  target: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** Federation jobs that exhausted their attempts (dead letters), newest first. */
export async function listDeadDeliveries(ctx: AppContext, limit = 50): Promise<DeadDelivery[]> {
  const rows = await ctx.db
    .selectFrom("jobs")
    .select(["id", "type", "payload", "attempts", "last_error", "updated_at"])
    .where("status", "=", "dead")
    .where("type", "in", ["fedify.message", "federation.outbound"])
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => {
    let target = "";
    try {
      const p = JSON.parse(r.payload) as { message?: { type?: string; inbox?: string }; type?: string };
      if (p.message?.inbox) target = new URL(p.message.inbox).host;
      else target = p.message?.type ?? p.type ?? "";
    } catch {
      target = "";
    }
    return {
      id: r.id,
      type: r.type,
      target,
      attempts: r.attempts,
      lastError: r.last_error,
      updatedAt: r.updated_at,
    };
  });
}

/** An activity came from `domain`: if deliveries there were failing, it is alive again. */
export async function markHeardFrom(ctx: AppContext, domain: string): Promise<void> {
  const row = await ctx.db
    .selectFrom("instances")
    .select(["failures", "unavailable_at"])
    .where("domain", "=", domain.toLowerCase())
    .executeTakeFirst();
  if (row && (row.failures > 0 || row.unavailable_at)) await recordDomainAlive(ctx, domain);
}
