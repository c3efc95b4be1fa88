/**
 * Applying a user's filters to statuses (Mastodon's `filtered` on Status). Keyword matching is
 * Unicode-aware (JavaScript's `\b` only knows ASCII, which would break whole-word matching for
 * Cyrillic) and, for Kazakh, script-blind: a Cyrillic keyword also matches the same word written in
 * the Latin alphabets (2021, 2018, 2017 and informal ASCII), and a keyword in Kazakh Latin letters
 * also matches its Cyrillic spelling.
 */
// The transliterators only, not the kit's index: that would load language identification and the
// stemmers (and their models) at start-up for every server, though filters need neither.
import { toCyrillic } from "../lang/to-cyrillic.ts";
import { toLatin } from "../lang/translit.ts";

export const FILTER_CONTEXTS = ["home", "notifications", "public", "thread", "account"] as const;
export type FilterContext = (typeof FILTER_CONTEXTS)[number];
/** warn: shown behind a warning; blur (Mastodon 4.4): shown, its media blurred; hide: left out */
export type FilterAction = "warn" | "hide" | "blur";

/** Mastodon's Filter entity as it appears inside a FilterResult (without keywords and statuses). */
export interface FilterSummary {
  id: string;
  title: string;
  context: FilterContext[];
  expires_at: string | null;
  filter_action: FilterAction;
}

export interface FilterResult {
  filter: FilterSummary;
  keyword_matches: string[] | null;
  status_matches: string[] | null;
}

export interface CompiledKeyword {
  keyword: string;
  pattern: RegExp;
}

/** An active filter ready to apply (from `loadActiveFilters`). */
export interface ActiveFilter {
  summary: FilterSummary;
  keywords: CompiledKeyword[];
  statusIds: ReadonlySet<string>;
}

/** The parts of a status filters look at; a statuses row fits. Pass a reblog's original, not the wrapper. */
export interface FilterableStatus {
  id: string;
  content: string;
  spoiler_text: string;
  /** poll option titles and media descriptions, when the caller has them */
  extraText?: string[];
}

const WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";
const STARTS_WORD = /^[\p{L}\p{M}\p{N}_]/u;
const ENDS_WORD = /[\p{L}\p{M}\p{N}_]$/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const KAZAKH_LATIN = /[äöüūıİğşñáóúýǵÄÖÜŪĞŞÑÁÓÚÝǴ]/;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function spellings(keyword: string): string[] {
  const forms = new Set([keyword]);
  // short Cyrillic words collide with unrelated Latin words ("нет" → "net"), so only longer ones
  if (CYRILLIC.test(keyword) && [...keyword].length >= 4) {
    for (const v of ["2021", "2018", "2017", "ascii"] as const) forms.add(toLatin(keyword, v));
  } else if (!CYRILLIC.test(keyword) && KAZAKH_LATIN.test(keyword)) {
    forms.add(toCyrillic(keyword));
  }
  return [...forms].filter((f) => f.trim() !== "");
}

/** A case-insensitive pattern for one keyword; whole-word keywords get Unicode word boundaries. */
export function compileKeyword(keyword: string, wholeWord: boolean): RegExp {
  const alternatives = spellings(keyword.trim()).map((form) => {
    const body = escapeRegex(form);
    if (!wholeWord) return body;
    const start = STARTS_WORD.test(form) ? `(?<!${WORD_CHAR})` : "";
    const end = ENDS_WORD.test(form) ? `(?!${WORD_CHAR})` : "";
    return `${start}${body}${end}`;
  });
  return new RegExp(alternatives.join("|"), "iu");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Text content of rendered status HTML (paragraphs and line breaks become newlines). */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>\s*<p[^>]*>/gi, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** The text filters search: content warning, content, poll options, media descriptions. */
export function searchableText(status: FilterableStatus): string {
  return [status.spoiler_text, htmlToText(status.content), ...(status.extraText ?? [])]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Mastodon's `filtered` array for one status. `status` should be the original of a reblog (a filter
 * on a post applies to its boosts); a filter matches by keyword or by its list of statuses.
 */
export function matchFilters(filters: readonly ActiveFilter[], status: FilterableStatus): FilterResult[] {
  if (filters.length === 0) return [];
  let text: string | undefined;
  const results: FilterResult[] = [];
  for (const f of filters) {
    const keywordMatches: string[] = [];
    if (f.keywords.length > 0) {
      text ??= searchableText(status);
      for (const k of f.keywords) if (k.pattern.test(text)) keywordMatches.push(k.keyword);
    }
    const statusMatch = f.statusIds.has(status.id);
    if (keywordMatches.length === 0 && !statusMatch) continue;
    results.push({
      filter: f.summary,
      keyword_matches: keywordMatches.length ? keywordMatches : null,
      status_matches: statusMatch ? [status.id] : null,
    });
  }
  return results;
}

/** Whether any result hides the status outright (filter_action "hide"); "warn" keeps it shown. */
export function hiddenByFilters(results: readonly FilterResult[]): boolean {
  return results.some((r) => r.filter.filter_action === "hide");
}
