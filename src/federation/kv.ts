/**
 * Fedify's `KvStore` on our store (table `fedify_kv`, SQLite and PostgreSQL alike).
 *
 *   createFederation({ kv: createKvStore(ctx), … })
 *
 * Keys are Fedify's string arrays stored as their JSON (`["_fedify","publicKey","https://…"]`), so a
 * prefix of the array is a prefix of the text that ends just before a `]`: `list(["a"])` matches
 * `["a"]` and `["a",…`, never `["ab"]`. Values are JSON text. An entry past its `expires_at` is
 * invisible to every method at once and deleted by the sweep (`sweepExpiredKv`, also run by `set`
 * at most once a minute per store), so nothing needs a timer. Time is the context's clock, so tests
 * move it instead of sleeping.
 */
import { isDeepStrictEqual } from "node:util";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { sql } from "kysely";
import type { AppContext } from "../app.ts";

/** How often `set` sweeps expired entries as a side effect. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The part of `Temporal.Duration` we use. Fedify's declarations name the global `Temporal`, which
 * Node 24 does not declare; the values come from Fedify's polyfill.
 */
interface Duration {
  total(options: { unit: "millisecond" }): number;
}

function encodeKey(key: KvKey): string {
  if (key.length === 0) throw new TypeError("a key has at least one part");
  return JSON.stringify(key);
}

function ttlMs(options: KvStoreSetOptions | undefined): number | null {
  const ttl = options?.ttl as Duration | undefined;
  if (ttl == null) return null;
  const ms = ttl.total({ unit: "millisecond" });
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError("ttl must be a non-negative duration");
  return ms;
}

/** Deletes every expired entry; returns how many went. */
export async function sweepExpiredKv(ctx: AppContext): Promise<number> {
  const res = await ctx.db
    .deleteFrom("fedify_kv")
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", ctx.now().toISOString())
    .executeTakeFirst();
  return Number(res.numDeletedRows ?? 0);
}

export function createKvStore(ctx: AppContext): KvStore {
  let lastSweep = 0;
  const nowIso = () => ctx.now().toISOString();
  const expiresAt = (options?: KvStoreSetOptions): string | null => {
    const ms = ttlMs(options);
    return ms === null ? null : new Date(ctx.now().getTime() + ms).toISOString();
  };
  // an entry is live when it never expires or expires later than now
  const liveNow = () => sql<boolean>`(expires_at is null or expires_at > ${nowIso()})`;

  const maybeSweep = async (): Promise<void> => {
    const now = ctx.now().getTime();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    await sweepExpiredKv(ctx);
  };

  const store: KvStore = {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      const row = await ctx.db
        .selectFrom("fedify_kv")
        .select("value")
        .where("key", "=", encodeKey(key))
        .where(liveNow())
        .executeTakeFirst();
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
      const k = encodeKey(key);
      // JSON has no undefined: storing it is forgetting the key, so get() answers undefined either way
      if (value === undefined) return store.delete(key);
      const row = { key: k, value: JSON.stringify(value), expires_at: expiresAt(options) };
      await ctx.db
        .insertInto("fedify_kv")
        .values(row)
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, expires_at: row.expires_at }))
        .execute();
      await maybeSweep();
    },

    async delete(key: KvKey): Promise<void> {
      await ctx.db.deleteFrom("fedify_kv").where("key", "=", encodeKey(key)).execute();
    },

    /**
     * Atomic without a transaction: the write itself states what it expects (no live row, or the
     * exact text read), so a concurrent writer between the read and the write makes it match nothing.
     */
    async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions) {
      const k = encodeKey(key);
      const now = nowIso();
      const exp = expiresAt(options);
      const next = newValue === undefined ? undefined : JSON.stringify(newValue);
      if (expectedValue === undefined) {
        if (next === undefined) {
          // "absent → absent": true when nothing live is there; an expired row may go
          return (await store.get(key)) === undefined;
        }
        // insert, or take over an expired row; a live row makes the upsert's where clause fail
        const res = await ctx.db
          .insertInto("fedify_kv")
          .values({ key: k, value: next, expires_at: exp })
          .onConflict((oc) =>
            oc
              .column("key")
              .doUpdateSet({ value: next, expires_at: exp })
              .where("fedify_kv.expires_at", "is not", null)
              .where("fedify_kv.expires_at", "<=", now),
          )
          .executeTakeFirst();
        return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      const row = await ctx.db
        .selectFrom("fedify_kv")
        .select("value")
        .where("key", "=", k)
        .where(liveNow())
        .executeTakeFirst();
      // compare as JSON values, as they will be read back (key order and undefined fields aside)
      if (!row || !isDeepStrictEqual(JSON.parse(row.value), JSON.parse(JSON.stringify(expectedValue)))) {
        return false;
      }
      if (next === undefined) {
        const res = await ctx.db
          .deleteFrom("fedify_kv")
          .where("key", "=", k)
          .where("value", "=", row.value)
          .where(liveNow())
          .executeTakeFirst();
        return Number(res.numDeletedRows ?? 0) === 1;
      }
      const res = await ctx.db
        .updateTable("fedify_kv")
        .set({ value: next, expires_at: exp })
        .where("key", "=", k)
        .where("value", "=", row.value)
        .where(liveNow())
        .executeTakeFirst();
      return Number(res.numUpdatedRows ?? 0) === 1;
    },

    async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
      let query = ctx.db.selectFrom("fedify_kv").select(["key", "value"]).where(liveNow()).orderBy("key");
      if (prefix && prefix.length > 0) {
        const exact = encodeKey(prefix);
        // `["a","b"]` → entries `["a","b"]` and `["a","b",…`
        const longer = `${exact.slice(0, -1)},`;
        query = query.where((eb) =>
          eb.or([
            eb("key", "=", exact),
            // substr counts characters (code points) on both databases
            eb(sql<string>`substr(key, 1, ${[...longer].length})`, "=", longer),
          ]),
        );
      }
      const rows = await query.execute();
      for (const row of rows) {
        yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
      }
    },
  };
  return store;
}
