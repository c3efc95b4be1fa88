import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { mustConfirmEmail, resendConfirmation } from "../../core/accounts/confirmation.ts";
import { getAccount, lookupAccount, searchAccounts } from "../../core/accounts/lookup.ts";
import { movedAccountOf } from "../../core/accounts/move.ts";
import { type ProfileUpdate, updateProfile } from "../../core/accounts/profile.ts";
import { registerAccount } from "../../core/accounts/register.ts";
import { VISIBILITIES } from "../../core/accounts/settings.ts";
import { appScopes, getApp } from "../../core/auth/apps.ts";
import { hasScope } from "../../core/scopes.ts";
import { appOf, type Ctx, type HonoEnv, optionalUser, requireToken, requireUser } from "../context.ts";
import { requestIp } from "../oauth/client-ip.ts";
import { allParams, queryParams, validate, zBool, zInt } from "../params.ts";
import { serializeCredentialAccount } from "./present.ts";
import { serializeAccount, serializeAccounts } from "./serializers/account.ts";

const Register = z.object({
  // missing and blank are reported together with every other invalid field (registerAccount)
  username: z.string().max(400).optional().default(""),
  email: z.string().max(400).optional().nullable(),
  password: z.string().max(10_000).optional().default(""),
  agreement: zBool.optional().default(false),
  locale: z.string().max(16).optional().nullable(),
  reason: z.string().optional().nullable(),
  date_of_birth: z.string().optional(),
});

/**
 * fields_attributes as a JSON array, a hash keyed by index, or Rails form brackets
 * (`fields_attributes[0][name]`). A scalar is dropped, as Rails' strong parameters drop it.
 */
export const ProfileFields = z.preprocess(
  (v) => {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return undefined;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, f]) => f);
    }
    return v;
  },
  z
    .array(z.object({ name: z.string().optional().default(""), value: z.string().optional().default("") }))
    .max(16)
    .optional(),
);

const UpdateCredentials = z.object({
  display_name: z.string().optional(),
  note: z.string().optional(),
  locked: zBool.optional(),
  bot: zBool.optional(),
  discoverable: zBool.optional(),
  indexable: zBool.optional(),
  fields_attributes: ProfileFields,
  source: z
    .object({
      privacy: z.enum(VISIBILITIES).optional(),
      sensitive: zBool.optional(),
      language: z.string().max(8).optional().nullable(),
    })
    .optional(),
  // avatar, header, hide_collections … are accepted and ignored until the media issue lands
});

const Search = z.object({
  q: z.string({ error: "q is required" }).min(1, "q can't be blank").max(200),
  limit: z.preprocess(
    (v) => (v === undefined || v === "" ? 40 : Math.min(80, Math.max(1, Number(v) || 40))),
    zInt(1, 80),
  ),
  offset: zInt(0, 10_000).optional(),
  resolve: zBool.optional(),
  following: zBool.optional(),
});

/** verify_credentials accepts the narrow `profile` scope (Mastodon 4.3) as well as read:accounts. */
function profileViewer(c: Ctx) {
  const grant = c.get("grant");
  return requireUser(c, grant && hasScope(grant.scopes, "profile") ? "profile" : "read:accounts");
}

export function accountsRoutes(_ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();

  app.post("/api/v1/accounts", async (c) => {
    const grant = requireToken(c, "write:accounts");
    const p = validate(Register, await allParams(c));
    const ctx = appOf(c);
    const client = await getApp(ctx, grant.appId);
    const reg = await registerAccount(ctx, {
      appId: grant.appId,
      // as in Mastodon, the new user's token carries the app's registered scopes
      appScopes: client ? appScopes(client) : grant.scopes,
      username: p.username,
      email: p.email,
      password: p.password,
      agreement: p.agreement,
      locale: p.locale,
      reason: p.reason,
      ip: requestIp(c),
    });
    return c.json({
      access_token: reg.token.accessToken,
      token_type: "Bearer",
      scope: reg.token.scopes.join(" "),
      created_at: Math.floor(reg.token.createdAt.getTime() / 1000),
    });
  });

  // mails the confirmation link again (to a corrected `email`); without mail it only records it
  app.post("/api/v1/emails/confirmations", async (c) => {
    const v = requireUser(c, "write:accounts", { unconfirmed: true });
    const p = validate(z.object({ email: z.string().max(400).optional() }), await allParams(c));
    await resendConfirmation(appOf(c), { user: v.user, appId: v.grant.appId, email: p.email });
    return c.json({});
  });

  // whether the user may act: confirmed, or no confirmation is asked for (no mail configured)
  app.get("/api/v1/emails/check_confirmation", (c) => {
    const v = requireUser(c, "read:accounts", { unconfirmed: true });
    return c.json(!mustConfirmEmail(appOf(c), v.user));
  });

  app.get("/api/v1/accounts/verify_credentials", async (c) => {
    const v = profileViewer(c);
    return c.json(await serializeCredentialAccount(appOf(c), v.account, v.user));
  });

  app.on(["PATCH", "PUT"], "/api/v1/accounts/update_credentials", async (c) => {
    const v = requireUser(c, "write:accounts");
    const p = validate(UpdateCredentials, await allParams(c));
    const input: ProfileUpdate = {
      displayName: p.display_name,
      note: p.note,
      locked: p.locked,
      bot: p.bot,
      discoverable: p.discoverable,
      indexable: p.indexable,
      fields: p.fields_attributes,
    };
    if (p.source) {
      input.source = {
        default_privacy: p.source.privacy,
        default_sensitive: p.source.sensitive,
        default_language: p.source.language,
      };
    }
    const ctx = appOf(c);
    const { account, user } = await updateProfile(ctx, v.account.id, input);
    return c.json(await serializeCredentialAccount(ctx, account, user));
  });

  app.get("/api/v1/accounts/lookup", async (c) => {
    optionalUser(c, "read:accounts");
    const { acct } = validate(
      z.object({ acct: z.string({ error: "acct is required" }).min(1).max(400) }),
      queryParams(c),
    );
    const ctx = appOf(c);
    const account = await lookupAccount(ctx, acct);
    return c.json(serializeAccount(ctx, account, await movedAccountOf(ctx, account)));
  });

  app.get("/api/v1/accounts/search", async (c) => {
    const v = requireUser(c, "read:accounts");
    const p = validate(Search, queryParams(c));
    const ctx = appOf(c);
    const found = await searchAccounts(ctx, {
      q: p.q,
      limit: p.limit,
      offset: p.offset,
      followingOf: p.following ? v.account.id : undefined,
    });
    return c.json(serializeAccounts(ctx, found));
  });

  app.get("/api/v1/accounts/:id{[0-9]+}", async (c) => {
    optionalUser(c, "read:accounts");
    const ctx = appOf(c);
    const account = await getAccount(ctx, c.req.param("id"));
    return c.json(serializeAccount(ctx, account, await movedAccountOf(ctx, account)));
  });

  return app;
}
