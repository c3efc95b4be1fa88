/**
 * The language of a post when the client does not say: the Kazakh language kit tells kk, ru and en
 * apart (Kazakh in either script). Loaded on first use so that processes which never create posts do
 * not carry its tables.
 */
type LangId = typeof import("../../lang/langid.ts");
let langid: Promise<LangId> | undefined;

// links, mentions and hashtags say nothing about the language of the prose around them
const NOT_PROSE = /https?:\/\/\S+|[@#][\p{L}\p{M}\p{N}_.@-]+/gu;

export async function detectPostLanguage(text: string, spoiler = ""): Promise<"kk" | "ru" | "en" | null> {
  const prose = `${spoiler} ${text}`.replace(NOT_PROSE, " ").trim();
  if (!/\p{L}{2}/u.test(prose)) return null;
  langid ??= import("../../lang/langid.ts");
  const code = (await langid).detect(prose);
  return code === "kk" || code === "ru" || code === "en" ? code : null;
}
