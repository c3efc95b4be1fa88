import { createHash } from "node:crypto";
import { escapeHtml as esc } from "../../core/text/escape.ts";
import { describeScope, fill, type Locale, type Messages } from "./i18n.ts";

/** Server-rendered authorisation pages: no JavaScript, one inline stylesheet allowed by its hash. */
const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f2f4f7;color:#1c2430}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.6rem;border:1px solid #b8c0cc;border-radius:8px;font-size:1rem}
ul{padding-left:1.2rem}.err{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:8px}
.row{display:flex;gap:.6rem;margin-top:1.2rem}button{flex:1;padding:.7rem;border-radius:8px;border:0;font-size:1rem;cursor:pointer}
.ok{background:#0a6cbd;color:#fff}.no{background:#e4e8ee;color:#1c2430}.muted{color:#5a6575;font-size:.9rem}
code{display:block;padding:.8rem;background:#f2f4f7;border-radius:8px;word-break:break-all;font-size:1.05rem}`;
const CSS_HASH = `'sha256-${createHash("sha256").update(CSS).digest("base64")}'`;

/** form-action must allow the redirect that follows the form post (browsers check redirects too). */
function redirectSource(redirectUri: string | undefined): string {
  if (!redirectUri || !URL.canParse(redirectUri)) return "";
  const u = new URL(redirectUri);
  if (u.protocol === "http:" || u.protocol === "https:") return ` ${u.origin}`;
  if (u.protocol === "urn:") return "";
  return ` ${u.protocol}`;
}

export function contentSecurityPolicy(redirectUri?: string): string {
  return [
    "default-src 'none'",
    `style-src ${CSS_HASH}`,
    "img-src 'self' data:",
    `form-action 'self'${redirectSource(redirectUri)}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export function layout(locale: Locale, m: Messages, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${esc(m.htmlTitle)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}

export function errorBody(m: Messages, message: string): string {
  return `<h1>${esc(m.errorTitle)}</h1><p class="err">${esc(message)}</p>`;
}

export interface AuthorizeView {
  m: Messages;
  appName: string;
  appWebsite: string | null;
  scopes: string[];
  /** the authorisation request, echoed in hidden fields */
  params: Record<string, string>;
  csrf: string;
  error?: string;
  /** signed-in user (no password needed) */
  signedInAs?: string;
  /** link that shows the login form again (force_login) */
  otherAccountHref?: string;
  loginValue?: string;
}

function hidden(params: Record<string, string>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
}

function appHeader(v: AuthorizeView, title: string): string {
  const app = `<strong>${esc(v.appName)}</strong>`;
  const site =
    v.appWebsite && /^https?:\/\//i.test(v.appWebsite)
      ? `<p class="muted">${esc(v.m.website)}: ${esc(v.appWebsite)}</p>`
      : "";
  const scopes = v.scopes.map((s) => `<li>${esc(describeScope(v.m, s))}</li>`).join("");
  return `<h1>${esc(title)}</h1>${v.error ? `<p class="err" role="alert">${esc(v.error)}</p>` : ""}
<p>${fill(esc(v.m.appWants), { app })}</p><ul>${scopes}</ul>${site}`;
}

const buttons = (m: Messages, approve: string) =>
  `<div class="row"><button class="ok" type="submit" name="decision" value="approve">${esc(approve)}</button>
<button class="no" type="submit" name="decision" value="deny" formnovalidate>${esc(m.deny)}</button></div>`;

export function authorizeBody(v: AuthorizeView): string {
  const { m } = v;
  if (v.signedInAs) {
    const other = v.otherAccountHref
      ? ` <a href="${esc(v.otherAccountHref)}">${esc(m.otherAccount)}</a>`
      : "";
    return `${appHeader(v, m.authorizeTitle)}<form method="post" action="/oauth/authorize">
${hidden(v.params)}<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<p class="muted">${esc(fill(m.signedInAs, { user: v.signedInAs }))}${other}</p>${buttons(m, m.authorize)}</form>`;
  }
  return `${appHeader(v, m.signInTitle)}<form method="post" action="/oauth/authorize">
${hidden(v.params)}<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<label for="login">${esc(m.login)}</label>
<input type="text" id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(v.loginValue ?? "")}">
<label for="password">${esc(m.password)}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
${buttons(m, m.signInAndAuthorize)}</form>`;
}

export function otpBody(v: AuthorizeView & { mfaToken: string }): string {
  const { m } = v;
  return `${appHeader(v, m.signInTitle)}<p>${esc(m.otpPrompt)}</p><form method="post" action="/oauth/authorize">
${hidden(v.params)}<input type="hidden" name="csrf" value="${esc(v.csrf)}"><input type="hidden" name="mfa_token" value="${esc(v.mfaToken)}">
<label for="otp">${esc(m.otp)}</label>
<input type="text" id="otp" name="otp_attempt" inputmode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" required autofocus>
${buttons(m, m.confirm)}</form>`;
}

export function codeBody(m: Messages, code: string): string {
  return `<h1>${esc(m.codeTitle)}</h1><p>${esc(m.codeHelp)}</p><code id="code">${esc(code)}</code>`;
}
