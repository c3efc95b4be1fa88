import type { AppContext } from "../../app.ts";
import { OOB_URI } from "../../core/auth/apps.ts";
import {
  type AuthorizationParams,
  type AuthorizationRequest,
  checkAuthorizationRequest,
} from "../../core/auth/authorize.ts";
import { createAuthorizationCode } from "../../core/auth/codes.ts";
import { OAuthError } from "../../core/auth/errors.ts";
import { authenticate, authenticateSecondFactor, type LoginResult } from "../../core/auth/login.ts";
import { RateLimitError } from "../../core/errors.ts";
import type { Ctx } from "../context.ts";
import { requestIp } from "./client-ip.ts";
import { chooseLocale, type Locale, type Messages, messages } from "./i18n.ts";
import { authorizeBody, codeBody, contentSecurityPolicy, errorBody, layout, otpBody } from "./page.ts";
import {
  checkCsrf,
  csrfNonce,
  csrfToken,
  mfaToken,
  readMfaToken,
  sessionUser,
  startSession,
} from "./session.ts";

const PARAM_NAMES = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
] as const;

function pickParams(source: Record<string, unknown>): AuthorizationParams & Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PARAM_NAMES) {
    const v = source[k];
    if (typeof v === "string" && v.length <= 2000) out[k] = v;
  }
  return out;
}

/** An authorisation page (sign-in, consent, e-mail confirmation) with its security headers. */
export function html(
  c: Ctx,
  locale: Locale,
  m: Messages,
  body: string,
  status: number,
  redirectUri?: string,
) {
  c.header("Content-Security-Policy", contentSecurityPolicy(redirectUri));
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
  return c.html(layout(locale, m, body), status as 200);
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

function redirectError(c: Ctx, redirectUri: string, error: OAuthError, state?: string) {
  if (redirectUri === OOB_URI) {
    const locale = chooseLocale(c.req.query("lang"), c.req.header("accept-language"));
    const m = messages(locale);
    return html(c, locale, m, errorBody(m, `${error.code}: ${error.description}`), 400);
  }
  return c.redirect(
    withParams(redirectUri, { error: error.code, error_description: error.description, state }),
    302,
  );
}

interface PageState {
  locale: Locale;
  m: Messages;
  request: AuthorizationRequest;
  params: Record<string, string>;
  nonce: string;
}

/** Shared start of GET and POST: language, CSRF nonce, and the checked authorisation request. */
async function begin(c: Ctx, source: Record<string, unknown>): Promise<PageState | Response> {
  const ctx = c.get("app");
  const lang = typeof source.lang === "string" ? source.lang : undefined;
  const locale = chooseLocale(lang, c.req.header("accept-language"));
  const m = messages(locale);
  const params = pickParams(source);
  const check = await checkAuthorizationRequest(ctx, params);
  if (check.kind === "fatal") {
    const msg = check.reason === "unknown_client" ? m.unknownClient : m.badRedirect;
    return html(c, locale, m, errorBody(m, msg), 400);
  }
  if (check.kind === "redirect") return redirectError(c, check.redirectUri, check.error, check.state);
  const echoed: Record<string, string> = { ...params, lang: locale, redirect_uri: check.request.redirectUri };
  return { locale, m, request: check.request, params: echoed, nonce: csrfNonce(c) };
}

async function showForm(
  c: Ctx,
  s: PageState,
  opts: { error?: string; status?: number; loginValue?: string; forceLogin?: boolean } = {},
) {
  const session = opts.forceLogin ? null : await sessionUser(c);
  const other = new URLSearchParams({ ...s.params, force_login: "true" });
  const body = authorizeBody({
    m: s.m,
    appName: s.request.app.name,
    appWebsite: s.request.app.website,
    scopes: s.request.scopes,
    params: s.params,
    csrf: await csrfToken(c, s.nonce),
    error: opts.error,
    signedInAs: session ? `@${session.account.username}` : undefined,
    otherAccountHref: `/oauth/authorize?${other.toString()}`,
    loginValue: opts.loginValue,
  });
  return html(c, s.locale, s.m, body, opts.status ?? 200, s.request.redirectUri);
}

export async function getAuthorize(c: Ctx): Promise<Response> {
  const query = Object.fromEntries(new URL(c.req.url).searchParams);
  const s = await begin(c, query);
  if (s instanceof Response) return s;
  return showForm(c, s, { forceLogin: query.force_login === "true" || query.force_login === "1" });
}

function failureMessage(m: Messages, r: Extract<LoginResult, { status: "failed" }>): string {
  switch (r.reason) {
    case "invalid_otp":
      return m.invalidOtp;
    case "pending_approval":
      return m.pendingApproval;
    case "disabled":
      return m.disabled;
    default:
      return m.invalidCredentials;
  }
}

async function issueAndRedirect(c: Ctx, ctx: AppContext, s: PageState, userId: string) {
  const { request } = s;
  const code = await createAuthorizationCode(ctx, {
    app: request.app,
    userId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
  });
  if (request.redirectUri === OOB_URI) return html(c, s.locale, s.m, codeBody(s.m, code), 200);
  return c.redirect(withParams(request.redirectUri, { code, state: request.state }), 302);
}

export async function postAuthorize(c: Ctx): Promise<Response> {
  const ctx = c.get("app");
  const type = c.req.header("content-type") ?? "";
  const form: Record<string, unknown> =
    type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")
      ? Object.fromEntries(await c.req.formData())
      : {};
  const s = await begin(c, form);
  if (s instanceof Response) return s;
  if (!(await checkCsrf(c, form.csrf))) return showForm(c, s, { error: s.m.expired, status: 403 });
  if (form.decision === "deny") {
    return redirectError(
      c,
      s.request.redirectUri,
      new OAuthError("access_denied", "The resource owner denied the request"),
      s.request.state,
    );
  }
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const ip = requestIp(c);
  const login = str(form.login).trim();
  let result: LoginResult;
  try {
    if (form.mfa_token) {
      const userId = await readMfaToken(c, form.mfa_token);
      if (!userId) return showForm(c, s, { error: s.m.expired, status: 403, forceLogin: true });
      result = await authenticateSecondFactor(ctx, { userId, otp: str(form.otp_attempt), ip });
      if (result.status === "failed" && result.reason === "invalid_otp") {
        const token = await mfaToken(c, s.nonce, userId);
        const view = {
          m: s.m,
          appName: s.request.app.name,
          appWebsite: s.request.app.website,
          scopes: s.request.scopes,
        };
        const body = otpBody({
          ...view,
          params: s.params,
          csrf: await csrfToken(c, s.nonce),
          error: s.m.invalidOtp,
          mfaToken: token,
        });
        return html(c, s.locale, s.m, body, 401, s.request.redirectUri);
      }
    } else if (!login) {
      const session = await sessionUser(c);
      if (!session) return showForm(c, s, { error: s.m.invalidCredentials, status: 401, forceLogin: true });
      return issueAndRedirect(c, ctx, s, session.user.id);
    } else {
      result = await authenticate(ctx, {
        login,
        password: str(form.password),
        otp: str(form.otp_attempt) || null,
        ip,
      });
    }
  } catch (err) {
    if (err instanceof RateLimitError) {
      c.header(
        "Retry-After",
        String(Math.max(1, Math.ceil((err.resetAt.getTime() - ctx.now().getTime()) / 1000))),
      );
      return showForm(c, s, { error: s.m.tooMany, status: 429, loginValue: login, forceLogin: true });
    }
    throw err;
  }
  if (result.status === "otp_required") {
    const token = await mfaToken(c, s.nonce, result.user.id);
    const view = {
      m: s.m,
      appName: s.request.app.name,
      appWebsite: s.request.app.website,
      scopes: s.request.scopes,
    };
    const body = otpBody({ ...view, params: s.params, csrf: await csrfToken(c, s.nonce), mfaToken: token });
    return html(c, s.locale, s.m, body, 200, s.request.redirectUri);
  }
  if (result.status === "failed") {
    return showForm(c, s, {
      error: failureMessage(s.m, result),
      status: 401,
      loginValue: login,
      forceLogin: true,
    });
  }
  await startSession(c, result.user);
  return issueAndRedirect(c, ctx, s, result.user.id);
}
