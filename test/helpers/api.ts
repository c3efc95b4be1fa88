/** Helpers for API tests: post through the real route (jobs drained) and read JSON bodies. */
import assert from "node:assert/strict";
import type { AppContext } from "../../src/app.ts";
import type { TestUser } from "./harness.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
export type J = any;

/** POST /api/v1/statuses as `user`, asserting 200, then runs the fan-out jobs. */
export async function postStatus(
  ctx: AppContext,
  user: TestUser,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<J> {
  const res = await user.api("/api/v1/statuses", { json: { status, ...extra } });
  assert.equal(res.status, 200, await res.clone().text());
  await ctx.queue.drain();
  return res.json();
}

export const json = async (res: Response | Promise<Response>): Promise<J> => (await res).json();

/** POST /api/v1/statuses as `user`, whatever the answer (for refusals); no jobs run. */
export async function post(
  user: TestUser,
  json: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ status: number; body: J }> {
  const res = await user.api("/api/v1/statuses", { method: "POST", json, headers });
  return { status: res.status, body: (await res.json()) as J };
}
