import { confirmEmail } from "../../core/accounts/confirmation.ts";
import { escapeHtml as esc } from "../../core/text/escape.ts";
import type { Ctx } from "../context.ts";
import { html } from "./authorize.ts";
import { chooseLocale, messages } from "./i18n.ts";

const STATUS = { confirmed: 200, invalid: 404, expired: 410, taken: 409 } as const;

/**
 * GET /auth/confirmation?confirmation_token=… (Mastodon's path): the link of the confirmation
 * mail. The page speaks the user's language when the link is valid, else the browser's.
 */
export async function getConfirmation(c: Ctx): Promise<Response> {
  const token = c.req.query("confirmation_token") ?? "";
  const result = await confirmEmail(c.get("app"), token);
  const userLocale = "locale" in result ? result.locale : undefined;
  const locale = chooseLocale(c.req.query("lang") ?? userLocale, c.req.header("accept-language"));
  const m = messages(locale);
  const text = {
    confirmed: m.emailConfirmed,
    invalid: m.confirmInvalid,
    expired: m.confirmExpired,
    taken: m.confirmTaken,
  }[result.status];
  const body =
    result.status === "confirmed"
      ? `<h1>${esc(m.confirmTitle)}</h1><p role="status">${esc(text)}</p>`
      : `<h1>${esc(m.confirmTitle)}</h1><p class="err" role="alert">${esc(text)}</p>`;
  return html(c, locale, m, body, STATUS[result.status]);
}
