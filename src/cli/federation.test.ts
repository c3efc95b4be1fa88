import assert from "node:assert/strict";
import { test } from "node:test";
import { storeTest } from "../../test/helpers/harness.ts";
import { recordDeliveryFailure } from "../core/fediverse/instances.ts";
import { runFederationCommand } from "./federation.ts";

function capture() {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: { log: (s: string) => lines.push(s), error: (s: string) => errors.push(s) }, lines, errors };
}

storeTest("torgai federation: block, list, failures, dead letters and unblock", async (ctx) => {
  let c = capture();
  assert.equal(await runFederationCommand(ctx, ["blocks"], c.out), 0);
  assert.deepEqual(c.lines, ["No domain blocks"]);

  c = capture();
  assert.equal(
    await runFederationCommand(
      ctx,
      ["block", "Bad.Example", "--severity", "silence", "--public-comment", "spam"],
      c.out,
    ),
    0,
  );
  assert.match(c.lines[0], /Blocked bad\.example \(silence\)/);
  c = capture();
  await runFederationCommand(ctx, ["blocks"], c.out);
  assert.match(c.lines[0], /bad\.example\s+silence\s+no\s+no\s+\S+ \S+\s+spam/);

  await recordDeliveryFailure(ctx, "down.example", "HTTP 503 Service Unavailable");
  c = capture();
  assert.equal(await runFederationCommand(ctx, ["failures"], c.out), 0);
  assert.match(c.lines[0], /down\.example\s+0\s+1\s/);
  assert.match(c.lines[0], /HTTP 503/);
  assert.doesNotMatch(c.lines[0], /bad\.example/);
  c = capture();
  await runFederationCommand(ctx, ["instances"], c.out);
  assert.match(c.lines[0], /bad\.example.*silence/);

  // a dead delivery is listed by its target, never with its payload (Fedify's carries keys)
  await ctx.db
    .insertInto("jobs")
    .values({
      id: ctx.ids(),
      type: "fedify.message",
      payload: JSON.stringify({
        message: { type: "outbox", inbox: "https://gone.example/inbox", keys: ["SECRET"] },
      }),
      dedupe_key: null,
      ordering_key: null,
      status: "dead",
      attempts: 16,
      max_attempts: 16,
      run_at: new Date().toISOString(),
      locked_until: null,
      last_error: "HTTP 410 Gone",
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    })
    .execute();
  c = capture();
  assert.equal(await runFederationCommand(ctx, ["dead"], c.out), 0);
  assert.match(c.lines[0], /fedify\.message\s+gone\.example\s+16/);
  assert.doesNotMatch(c.lines[0], /SECRET/);

  c = capture();
  assert.equal(await runFederationCommand(ctx, ["unblock", "bad.example"], c.out), 0);
  c = capture();
  assert.equal(await runFederationCommand(ctx, ["unblock", "bad.example"], c.out), 1);
  assert.match(c.errors[0], /No block/);
});

test("torgai federation refuses bad command lines with exit code 2", async () => {
  const c = capture();
  // no context is touched before the arguments are checked
  // biome-ignore lint/suspicious/noExplicitAny: the context is never reached
  const ctx = {} as any;
  assert.equal(await runFederationCommand(ctx, ["block"], c.out), 2);
  assert.equal(await runFederationCommand(ctx, ["block", "x.example", "--severity", "ban"], c.out), 2);
  assert.equal(await runFederationCommand(ctx, ["frobnicate"], c.out), 2);
  assert.equal(await runFederationCommand(ctx, ["dead", "--limit", "0"], c.out), 2);
});
