import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import type { OauthApp } from "../../store/schema.ts";
import { randomSecret, sha256 } from "./tokens.ts";

export interface IssuedToken {
  id: string;
  accessToken: string;
  refreshToken: string | null;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
}

/** Issues an access token (and a refresh token for user grants); only hashes are stored. */
export async function issueToken(
  ctx: AppContext,
  input: {
    appId: string;
    userId: string | null;
    scopes: string[];
    withRefresh?: boolean;
    expiresInSec?: number | null;
    /** the grant family (code hash, or the first token's id); defaults to this token's own id */
    grantRef?: string | null;
  },
  db: Db = ctx.db,
): Promise<IssuedToken> {
  const accessToken = randomSecret(32);
  const refreshToken = input.withRefresh === false || !input.userId ? null : randomSecret(32);
  const createdAt = ctx.now();
  const expiresAt = input.expiresInSec ? new Date(createdAt.getTime() + input.expiresInSec * 1000) : null;
  const id = ctx.ids();
  await db
    .insertInto("oauth_tokens")
    .values({
      id,
      token_hash: sha256(accessToken),
      refresh_token_hash: refreshToken ? sha256(refreshToken) : null,
      app_id: input.appId,
      user_id: input.userId,
      scopes: input.scopes.join(" "),
      created_at: createdAt.toISOString(),
      expires_at: expiresAt?.toISOString() ?? null,
      revoked_at: null,
      last_used_at: null,
      grant_ref: input.grantRef ?? id,
    })
    .execute();
  return { id, accessToken, refreshToken, scopes: input.scopes, createdAt, expiresAt };
}

export async function createOauthApp(
  ctx: AppContext,
  input: { name: string; website?: string | null; redirectUris: string[]; scopes: string[] },
): Promise<OauthApp> {
  const app: OauthApp = {
    id: ctx.ids(),
    name: input.name,
    website: input.website ?? null,
    redirect_uris: input.redirectUris.join("\n"),
    scopes: input.scopes.join(" "),
    client_id: randomSecret(32),
    client_secret: randomSecret(32),
    created_at: ctx.now().toISOString(),
  };
  await ctx.db.insertInto("oauth_apps").values(app).execute();
  return app;
}
