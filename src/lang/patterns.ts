// Spans of text that are identifiers rather than words: they are never transliterated, normalised
// or stemmed. Shared by the tokenizer and the transliterators so both agree on what a URL is.

/** A URL with a scheme or starting with "www.", up to whitespace or a closing bracket/quote. */
export const URL_SOURCE = String.raw`(?:https?:\/\/|www\.)[^\s<>"«»\u201c\u201d]+`;
/** An e-mail address. */
export const EMAIL_SOURCE = String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`;
/** @user or @user@domain (fediverse handle). */
export const MENTION_SOURCE = String.raw`@[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?`;
/** #tag: letters, digits and underscores. */
export const HASHTAG_SOURCE = String.raw`#[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*`;

/** Any protected span, as one alternation (URL first so "http://x/#a" stays one span). */
export const PROTECTED_SOURCE = `${URL_SOURCE}|${EMAIL_SOURCE}|${MENTION_SOURCE}|${HASHTAG_SOURCE}`;

const TRAILING_PUNCT = /[.,;:!?…)\]}'’]+$/;

/** URLs often swallow the sentence's final punctuation; give it back (keeps balanced parentheses). */
export function trimUrl(url: string): string {
  const m = TRAILING_PUNCT.exec(url);
  if (!m) return url;
  let end = url.length - m[0].length;
  // keep a ")" that closes a "(" inside the URL (Wikipedia-style links)
  if (url[end] === ")" && url.lastIndexOf("(", end) > url.lastIndexOf(")", end - 1)) end++;
  return url.slice(0, end);
}
