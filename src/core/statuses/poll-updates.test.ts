/** A local poll's counts are federated: debounced after votes (local or remote), at once at its end. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { remoteActor } from "../../../test/helpers/activitypub.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import { upsertRemoteAccount } from "../accounts/remote.ts";
import { createStatus } from "./create.ts";
import { expirePoll } from "./jobs.ts";
import { votePoll } from "./polls.ts";
import { receiveRemoteVote } from "./remote-votes.ts";

describeStores(
  "poll count updates",
  (get) => {
    const pending = async (statusId: string) => {
      const rows = await get()
        .db.selectFrom("jobs")
        .select(["payload", "run_at", "dedupe_key", "ordering_key"])
        .where("type", "=", "federation.outbound")
        .where("status", "=", "pending")
        .execute();
      return rows.filter((r) => {
        const p = JSON.parse(r.payload) as { type: string; statusId?: string };
        return p.type === "poll.update" && p.statusId === statusId;
      });
    };

    test("votes within the debounce are one pending Update, in no actor's lane; the end sends at once", async () => {
      const ctx = get();
      const author = await createTestUser(ctx);
      const voter = await createTestUser(ctx);
      const status = await createStatus(ctx, author.account, {
        text: "Иә ме, жоқ па?",
        poll: { options: ["иә", "жоқ"], expiresIn: 600 },
      });
      const pollId = status.poll_id ?? "";
      const remote = await upsertRemoteAccount(ctx, remoteActor());
      assert.equal(await receiveRemoteVote(ctx, remote, status, "жоқ"), true);
      await votePoll(ctx, voter.account, pollId, [0]);
      const jobs = await pending(status.id);
      assert.equal(jobs.length, 1, "two votes, one Update");
      assert.equal(jobs[0].dedupe_key, `poll.update:${pollId}`);
      assert.equal(jobs[0].ordering_key, null);
      assert.ok(Date.parse(jobs[0].run_at) - ctx.now().getTime() >= 20_000, "debounced");

      // the poll's end: an Update at once besides the pending one
      await ctx.db
        .updateTable("polls")
        .set({ expires_at: new Date(ctx.now().getTime() - 1000).toISOString() })
        .where("id", "=", pollId)
        .execute();
      await expirePoll(ctx, pollId);
      const after = await pending(status.id);
      assert.equal(after.length, 2);
      assert.ok(after.some((j) => j.dedupe_key === null && Date.parse(j.run_at) <= ctx.now().getTime()));
    });
  },
  { config: { TORGAI_POLL_UPDATE_DEBOUNCE_MS: "30000" } },
);
