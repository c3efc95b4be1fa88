/**
 * Per-user domain blocks (Mastodon's account_domain_blocks): the domain's accounts disappear from the
 * user's timelines and search, follows both ways with them end, and their posts leave the home feed.
 */
import { type AppContext, transaction } from "../app.ts";
import { type Page, paginate } from "../store/paginate.ts";
import { ValidationError } from "./errors.ts";
import { removeFollow } from "./follows/graph.ts";

const HOST_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}(?::\d{1,5})?$/;

/** `Example.COM`, `https://example.com/`, `*.example.com` → `example.com` (punycode for IDNs). */
export function normalizeDomain(ctx: AppContext, raw: string): string {
  let d = raw.trim().toLowerCase();
  d = d
    .replace(/^[a-z]+:\/\//, "")
    .replace(/\/.*$/, "")
    .replace(/^\*\./, "")
    .replace(/\.$/, "");
  try {
    d = new URL(`http://${d}`).host;
  } catch {
    throw new ValidationError("Validation failed: Domain is not a valid domain name");
  }
  if (!HOST_RE.test(d)) throw new ValidationError("Validation failed: Domain is not a valid domain name");
  if (d === ctx.config.domain.toLowerCase())
    throw new ValidationError("Validation failed: Domain can't be this server's own domain");
  return d;
}

export async function blockDomain(ctx: AppContext, accountId: string, raw: string): Promise<void> {
  const domain = normalizeDomain(ctx, raw);
  await transaction(ctx, async (trx) => {
    await trx
      .insertInto("account_domain_blocks")
      .values({ id: ctx.ids(), account_id: accountId, domain, created_at: ctx.now().toISOString() })
      .onConflict((oc) => oc.columns(["account_id", "domain"]).doNothing())
      .execute();
    const remote = await trx.selectFrom("accounts").select("id").where("domain", "=", domain).execute();
    for (const { id } of remote) {
      await removeFollow(trx, accountId, id);
      await removeFollow(trx, id, accountId);
      await trx
        .deleteFrom("follow_requests")
        .where((eb) =>
          eb.or([
            eb.and([eb("account_id", "=", accountId), eb("target_account_id", "=", id)]),
            eb.and([eb("account_id", "=", id), eb("target_account_id", "=", accountId)]),
          ]),
        )
        .execute();
    }
    if (remote.length) {
      await trx
        .deleteFrom("home_feed")
        .where("account_id", "=", accountId)
        .where("author_id", "in", trx.selectFrom("accounts").select("id").where("domain", "=", domain))
        .execute();
    }
  });
}

export async function unblockDomain(ctx: AppContext, accountId: string, raw: string): Promise<void> {
  const domain = normalizeDomain(ctx, raw);
  await ctx.db
    .deleteFrom("account_domain_blocks")
    .where("account_id", "=", accountId)
    .where("domain", "=", domain)
    .execute();
}

/** Blocked domains, newest first; cursors are the block row ids (Link pagination as Mastodon). */
export async function listDomainBlocks(
  ctx: AppContext,
  accountId: string,
  page: Page,
): Promise<{ domains: string[]; cursorIds: string[] }> {
  const rows = await paginate(
    ctx.db.selectFrom("account_domain_blocks").select(["id", "domain"]).where("account_id", "=", accountId),
    "id",
    page,
  );
  return { domains: rows.map((r) => r.domain), cursorIds: rows.map((r) => r.id) };
}
