import { randomBytes, randomInt } from "node:crypto";

/**
 * Time-sortable 64-bit ids as decimal strings, like Mastodon's: milliseconds << 16 | sequence.
 * Timestamps before 2018-05-09 are clamped so every id has exactly 18 digits; ids therefore sort
 * the same as text and as numbers, in SQL and in clients that compare by length then lexically.
 */
const MIN_MS = 1_525_878_906_000n; // first ms whose id has 18 digits

export type IdGenerator = (at?: Date) => string;

export function createIdGenerator(): IdGenerator {
  let lastMs = 0n;
  let seq = 0;
  return (at?: Date) => {
    let ms = BigInt(at ? at.getTime() : Date.now());
    if (ms < MIN_MS) ms = MIN_MS;
    if (!at) {
      if (ms === lastMs) {
        seq = (seq + 1) & 0xffff;
      } else {
        lastMs = ms;
        seq = randomInt(0, 0x8000);
      }
      return ((ms << 16n) | BigInt(seq)).toString();
    }
    return ((ms << 16n) | BigInt(randomInt(0, 0x10000))).toString();
  };
}

/** The smallest id that could have been generated at `at` (for time-based cursors). */
export function idFloorForTime(at: Date): string {
  let ms = BigInt(at.getTime());
  if (ms < MIN_MS) ms = MIN_MS;
  return (ms << 16n).toString();
}

export function isId(value: string): boolean {
  return /^\d{1,19}$/.test(value);
}

const UNTIMED_MIN = 500_000_000_000_000_000n; // above every time-sortable id made before the year 2211
const UNTIMED_SPAN = 500_000_000_000_000_000n;

/**
 * An 18-digit id that carries no time, for rows whose creation time is nobody's business (a
 * hashtag's id must not date its first, perhaps private, use). Drawn from the upper half of the
 * 18-digit range, which time-sortable ids do not reach before 2211, so the two never collide.
 */
export function untimedId(): string {
  return (UNTIMED_MIN + (randomBytes(8).readBigUInt64BE() % UNTIMED_SPAN)).toString();
}
