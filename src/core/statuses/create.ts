/** Posting a status: compose (outside the transaction), then persist and distribute in one. */
import { type AppContext, transaction } from "../../app.ts";
import type { Account, Status } from "../../store/schema.ts";
import { distributeStatus } from "../distribution/distribute.ts";
import { UnexpectedMentionsError } from "../errors.ts";
import { type CreateStatusInput, composeStatus } from "./compose.ts";
import { findIdempotent, persistStatus } from "./persist.ts";

export type { CreateStatusInput } from "./compose.ts";

export async function createStatus(
  ctx: AppContext,
  author: Account,
  input: CreateStatusInput,
): Promise<Status> {
  const key = input.idempotencyKey?.slice(0, 200) || null;
  if (key) {
    const existing = await findIdempotent(ctx, author.id, key);
    if (existing) return existing;
  }
  const draft = await composeStatus(ctx, author, input);
  if (input.allowedMentions) {
    const allowed = new Set(input.allowedMentions);
    const unexpected = (draft.mentions ?? []).filter((id) => !allowed.has(id));
    if (unexpected.length > 0) throw new UnexpectedMentionsError(unexpected);
  }
  try {
    return await transaction(ctx, async (trx, after) => {
      const status = await persistStatus(ctx, trx, draft);
      await distributeStatus(ctx, trx, after, status);
      return status;
    });
  } catch (err) {
    // the same Idempotency-Key sent twice at once: the primary key decides, the loser gets the winner's status
    if (key && /unique|duplicate/i.test(String((err as Error)?.message))) {
      const existing = await findIdempotent(ctx, author.id, key);
      if (existing) return existing;
    }
    throw err;
  }
}
