/**
 * Counting text the way limits need it. A limit counted in grapheme clusters (what a reader sees as
 * one character) says nothing about size: one cluster can carry thousands of combining marks. So
 * every such limit comes with a hard cap in code points, checked first and cheaply.
 */

// made on first use: building it maps ICU's break-iterator data (about 2 MB resident) that an
// idle server never reads
let segmenter: Intl.Segmenter | undefined;

/** User-perceived characters (Kazakh letters with marks and emoji sequences count once). */
export function graphemeCount(s: string): number {
  let n = 0;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

/**
 * Whether `s` has more than `max` code points. Stops at `max + 1`, and usually answers from the
 * UTF-16 length alone (a code point is one or two code units), so a megabyte costs nothing.
 */
export function codePointsOver(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  let n = 0;
  for (const _ of s) if (++n > max) return true;
  return false;
}

/**
 * How many code points a text counted in graphemes may hold: four per counted character covers
 * emoji sequences and long links (a link counts 23), never a wall of combining marks.
 */
export const CODE_POINTS_PER_CHAR = 4;
