/** Typed errors thrown by core services; adapters map them to protocol responses. */
export class TorgaiError extends Error {
  readonly status: number;
  readonly details?: Record<string, unknown>;
  constructor(message: string, status: number, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.details = details;
  }
}
export class ValidationError extends TorgaiError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 422, details);
  }
}
export class BadRequestError extends TorgaiError {
  constructor(message: string) {
    super(message, 400);
  }
}
export class UnauthorizedError extends TorgaiError {
  constructor(message = "The access token is invalid") {
    super(message, 401);
  }
}
export class ForbiddenError extends TorgaiError {
  constructor(message = "This action is not allowed") {
    super(message, 403);
  }
}
export class NotFoundError extends TorgaiError {
  constructor(message = "Record not found") {
    super(message, 404);
  }
}
export class ConflictError extends TorgaiError {
  constructor(message: string) {
    super(message, 409);
  }
}
export class GoneError extends TorgaiError {
  constructor(message = "Gone") {
    super(message, 410);
  }
}
export class RateLimitError extends TorgaiError {
  readonly resetAt: Date;
  constructor(resetAt: Date, message = "Too many requests") {
    super(message, 429);
    this.resetAt = resetAt;
  }
}

/**
 * A post would mention accounts its `allowed_mentions` leave out (Mastodon's UnexpectedMentionsError,
 * 422 with `unexpected_accounts`): the API renders the accounts.
 */
export class UnexpectedMentionsError extends ValidationError {
  readonly accountIds: string[];
  constructor(accountIds: string[]) {
    super("Post would be sent to unexpected accounts");
    this.accountIds = accountIds;
  }
}
