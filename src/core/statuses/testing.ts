/** Helpers for status tests (not shipped behaviour). */
import type { AppContext } from "../../app.ts";
import type { TestUser } from "../../testing/harness.ts";

/** Makes `follower` follow `target` directly in the store (tests do not depend on the follows API). */
export async function follow(ctx: AppContext, follower: TestUser, target: TestUser): Promise<void> {
  await ctx.db
    .insertInto("follows")
    .values({
      id: ctx.ids(),
      account_id: follower.account.id,
      target_account_id: target.account.id,
      show_reblogs: 1,
      notify: 0,
      languages: null,
      uri: null,
      created_at: ctx.now().toISOString(),
    })
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in tests
export type Json = any;

/** POST /api/v1/statuses as `user`. */
export async function post(
  user: TestUser,
  json: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const res = await user.api("/api/v1/statuses", { method: "POST", json, headers });
  return { status: res.status, body: (await res.json()) as Json };
}
