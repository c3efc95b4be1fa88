import type { AccessGrant } from "../../core/auth/tokens.ts";
import { UnauthorizedError } from "../../core/errors.ts";
import type { StreamViewer } from "./streams.ts";

export interface StreamingCredentials {
  authorization?: string;
  /** `access_token` query parameter */
  query?: string | null;
  /** `Sec-WebSocket-Protocol` header: Mastodon's web client sends the token there */
  protocol?: string;
}

/** The token of a streaming request, in Mastodon's order: Authorization, query, subprotocol. */
export function streamingToken(creds: StreamingCredentials): string | null {
  const bearer = creds.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(creds.authorization)?.[1] : undefined;
  if (bearer) return bearer;
  if (creds.query) return creds.query;
  const proto = creds.protocol?.split(",")[0]?.trim();
  return proto || null;
}

/**
 * The viewer of a stream, from its token and what the token resolved to: a user token is required
 * for every stream (Mastodon 4.x); app-only tokens cannot stream.
 */
export function streamViewer(token: string | null, grant: AccessGrant | null): StreamViewer {
  if (!token) throw new UnauthorizedError("Missing access token");
  if (!grant) throw new UnauthorizedError("Invalid access token");
  if (!grant.account || !grant.user)
    throw new UnauthorizedError("This method requires an authenticated user");
  return { account: grant.account, userId: grant.user.id, scopes: grant.scopes, tokenId: grant.tokenId };
}
