import { TorgaiError } from "../errors.ts";

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "access_denied"
  | "unsupported_response_type"
  | "unsupported_token_type";

/**
 * RFC 6749 §5.2 errors. The message is the error code so that the API's generic error mapping
 * already yields `{"error": code, "error_description": …}`.
 */
export class OAuthError extends TorgaiError {
  readonly code: OAuthErrorCode;
  readonly description: string;
  constructor(code: OAuthErrorCode, description: string, status = code === "invalid_client" ? 401 : 400) {
    super(code, status, { error_description: description });
    this.code = code;
    this.description = description;
  }
}
