// Tokenizer for posts: words (hyphenated words and Latin apostrophes kept whole), numbers (with a
// Kazakh suffix attached by a hyphen, "18-ші", "2024-жылы"), hashtags, mentions (@user and
// @user@domain), URLs, e-mail addresses and emoji. Punctuation and spaces are skipped. Offsets are
// UTF-16 indices into the input, end exclusive.

import { EMAIL_SOURCE, HASHTAG_SOURCE, MENTION_SOURCE, trimUrl, URL_SOURCE } from "./patterns.ts";

export type TokenType = "word" | "number" | "hashtag" | "mention" | "url" | "email" | "emoji";

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

const WORD_SOURCE = String.raw`[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:[-'’ʼ][\p{L}\p{M}\p{N}]+)*`;
const NUMBER_SOURCE = String.raw`\p{N}+(?:[.,:/]\p{N}+)*(?:[-–][\p{L}\p{M}]+)?`;
const EMOJI_SOURCE = String.raw`[\u{1F1E6}-\u{1F1FF}]{2}|\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])*(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])*)*`;

// Group order sets the type; the lookbehind keeps "a@b" and "x#y" from starting a mention or tag.
const TOKEN = new RegExp(
  `(${URL_SOURCE})|(${EMAIL_SOURCE})|(?<![\\p{L}\\p{N}_])(${MENTION_SOURCE})|(?<![\\p{L}\\p{N}_&])(${HASHTAG_SOURCE})|(${NUMBER_SOURCE})|(${WORD_SOURCE})|(${EMOJI_SOURCE})`,
  "gu",
);
const TYPES: TokenType[] = ["url", "email", "mention", "hashtag", "number", "word", "emoji"];

/** Splits text into tokens. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    let g = 1;
    while (m[g] === undefined) g++;
    const type = TYPES[g - 1];
    let t = m[0];
    if (type === "url") {
      t = trimUrl(t);
      TOKEN.lastIndex = m.index + t.length;
    }
    tokens.push({ type, text: t, start: m.index, end: m.index + t.length });
  }
  return tokens;
}
