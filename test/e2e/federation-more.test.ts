/**
 * Federation beyond posts, between two Torgai servers over real HTTP and their real queues (and
 * an independent Fedify peer for signed fetches), watched through the Mastodon API with `masto` —
 * on SQLite and PostgreSQL: the instance actor, forwarded reports (Flag), account deletion,
 * account migration (Move) and poll results (Update of a Question).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signRequest } from "@fedify/fedify";
import { Move } from "@fedify/fedify/vocab";
import type { mastodon } from "masto";
import { runAccountsCommand } from "../../src/cli/accounts.ts";
import { deleteAccount } from "../../src/core/accounts/delete.ts";
import { listReports } from "../../src/core/reports.ts";
import { expirePoll } from "../../src/core/statuses/jobs.ts";
import { eventually, type FederatedUser, type Instance, startInstance } from "../helpers/federation.ts";
import { startPeer } from "../helpers/fedify-peer.ts";
import { insertStatus } from "../helpers/fixtures.ts";
import { STORES } from "../helpers/harness.ts";

async function remoteAccount(viewer: FederatedUser, who: FederatedUser): Promise<mastodon.v1.Account> {
  const found = await viewer.masto.v2.search.list({ q: `@${who.handle}`, resolve: true, type: "accounts" });
  const account = found.accounts.find((a) => a.acct === who.handle);
  assert.ok(account, `${who.handle} resolved`);
  return account;
}

/** `follower` follows `who` on another server, and the Accept has come back. */
async function followRemote(follower: FederatedUser, who: FederatedUser): Promise<mastodon.v1.Account> {
  const account = await remoteAccount(follower, who);
  await follower.masto.v1.accounts.$select(account.id).follow();
  await eventually(
    async () => (await follower.masto.v1.accounts.relationships.fetch({ id: [account.id] }))[0].following,
    15_000,
    `${follower.handle} following ${who.handle}`,
  );
  return account;
}

async function isFollowing(viewer: FederatedUser, accountId: string): Promise<boolean> {
  // an account no longer shown (deleted) has no relationship at all
  return (await viewer.masto.v1.accounts.relationships.fetch({ id: [accountId] }))[0]?.following ?? false;
}

function cli(instance: Instance, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return runAccountsCommand(instance.ctx, argv, {
    log: (s) => out.push(s),
    error: (s) => err.push(s),
  }).then((code) => ({ code, out, err }));
}

/** Every inbox task of `instance` has run (so what was delivered before has had its effect). */
async function inboxIdle(instance: Instance): Promise<void> {
  await eventually(
    async () => {
      const row = await instance.ctx.db
        .selectFrom("jobs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("type", "=", "fedify.message")
        .where("status", "in", ["pending", "running"])
        .executeTakeFirstOrThrow();
      return Number(row.n) === 0;
    },
    15_000,
    "inbox idle",
  );
}

const notFound = async (p: Promise<unknown>) => {
  try {
    await p;
    return false;
  } catch (e) {
    return (e as { statusCode?: number }).statusCode === 404;
  }
};

for (const kind of STORES) {
  describe(`federation: instance actor, reports, deletion, moves, polls [${kind}]`, () => {
    let a: Instance;
    let b: Instance;
    before(async () => {
      // votes gathered for 300 ms before the counts go out (30 s by default)
      a = await startInstance(kind, { TORGAI_POLL_UPDATE_DEBOUNCE_MS: "300" });
      b = await startInstance(kind, { TORGAI_POLL_UPDATE_DEBOUNCE_MS: "300" });
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
    });

    test("the instance actor is an Application at /actor, found by WebFinger, and signs fetches", async () => {
      const res = await fetch(`${a.url}/actor`, { headers: { accept: "application/activity+json" } });
      assert.equal(res.status, 200);
      const actor = (await res.json()) as Record<string, unknown>;
      assert.equal(actor.id, a.ctx.uris.instanceActor());
      assert.equal(actor.type, "Application");
      assert.equal(actor.preferredUsername, a.domain);
      assert.equal((actor.publicKey as { id: string }).id, `${a.url}/actor#main-key`);
      assert.match(String((actor.publicKey as { publicKeyPem: string }).publicKeyPem), /BEGIN PUBLIC KEY/);

      const jrd = await fetch(
        `${a.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${a.domain}@${a.domain}`)}`,
      );
      assert.equal(jrd.status, 200);
      const links = ((await jrd.json()) as { links: { rel: string; href: string }[] }).links;
      assert.equal(links.find((l) => l.rel === "self")?.href, a.ctx.uris.instanceActor());

      // a peer serving its actors only to signed fetches is still resolved, by the instance actor
      const peer = await startPeer(["locked_down"], { requireSignedFetch: true });
      try {
        const unsigned = await fetch(peer.actorUri("locked_down"), {
          headers: { accept: "application/activity+json" },
        });
        assert.equal(unsigned.status, 401, "the peer refuses unsigned fetches");
        const viewer = await a.user({ username: "viewer" });
        const found = await viewer.masto.v2.search.list({
          q: `@locked_down@${peer.domain}`,
          resolve: true,
          type: "accounts",
        });
        assert.equal(found.accounts[0]?.acct, `locked_down@${peer.domain}`);
        assert.ok(peer.actorFetchedBy.includes(a.ctx.uris.instanceActor()), peer.actorFetchedBy.join());
      } finally {
        await peer.stop();
      }
    });

    test("a forwarded report reaches the reported account's server as a report from the instance actor", async () => {
      const rita = await a.user({ username: "rita" });
      const spammer = await b.user({ username: "spammer" });
      const spammerOnA = await followRemote(rita, spammer);
      const post = await spammer.masto.v1.statuses.create({ status: "Арзан тауар! Сатып алыңыз!" });
      const seen = await eventually(
        async () => (await rita.masto.v1.timelines.home.list()).find((s) => s.uri === post.uri),
        15_000,
        "spam delivered",
      );
      const report = await rita.masto.v1.reports.create({
        accountId: spammerOnA.id,
        statusIds: [seen.id],
        comment: "Жарнама",
        forward: true,
      });
      assert.equal(report.forwarded, true);
      const received = await eventually(
        async () => (await listReports(b.ctx)).find((r) => r.target.id === spammer.account.id),
        15_000,
        "report received by the spammer's server",
      );
      assert.equal(received.comment, "Жарнама");
      assert.deepEqual(received.statusIds, [post.id]);
      // filed by A's instance actor; the reporter stays unnamed
      assert.equal(received.reporter.uri, a.ctx.uris.instanceActor());
      assert.equal(received.reporter.actor_type, "Application");
      // a report not forwarded stays home
      const other = await b.user({ username: "other" });
      const otherOnA = await remoteAccount(rita, other);
      const kept = await rita.masto.v1.reports.create({ accountId: otherOnA.id, comment: "x" });
      assert.equal(kept.forwarded, false);
      const mine = await listReports(a.ctx);
      assert.equal(mine.filter((r) => r.reporter.id === rita.account.id).length, 2);
    });

    test("a deleted account is gone on the other server: its posts leave timelines, follows end", async () => {
      const dora = await a.user({ username: "dora" });
      const finn = await b.user({ username: "finn" });
      const doraOnB = await followRemote(finn, dora);
      const finnOnA = await followRemote(dora, finn);
      const post = await dora.masto.v1.statuses.create({ status: "Қош болыңыздар" });
      const inHome = await eventually(
        async () => (await finn.masto.v1.timelines.home.list()).find((s) => s.uri === post.uri),
        15_000,
        "post delivered",
      );
      assert.equal((await finn.masto.v1.accounts.$select(finn.account.id).fetch()).followersCount, 1);

      await deleteAccount(a.ctx, dora.account.id);
      await eventually(
        () => notFound(finn.masto.v1.statuses.$select(inHome.id).fetch()),
        15_000,
        "post gone",
      );
      assert.ok(!(await finn.masto.v1.timelines.home.list()).some((s) => s.uri === post.uri));
      assert.equal(await isFollowing(finn, doraOnB.id), false);
      const finnNow = await finn.masto.v1.accounts.$select(finn.account.id).fetch();
      assert.equal(finnNow.followersCount, 0, "her follow of finn ended with her");
      assert.equal(finnNow.followingCount, 0);
      const gone = await b.ctx.db
        .selectFrom("accounts")
        .select("suspended_at")
        .where("id", "=", doraOnB.id)
        .executeTakeFirstOrThrow();
      assert.ok(gone.suspended_at, "the remote account is a tombstone");
      assert.ok(finnOnA.id);
    });

    test("a gone actor's unverifiable Delete of itself: applied when its server says 410, not when forged", async () => {
      const peer = await startPeer(["ghost", "impostor"]);
      try {
        const mourner = await a.user({ username: "mourner" });
        const ghostUri = peer.actorUri("ghost");
        // known here (fetched, never signed to us: Fedify holds no copy of its key)
        const found = await mourner.masto.v2.search.list({ q: ghostUri, resolve: true, type: "accounts" });
        const ghostId = found.accounts[0]?.id ?? "";
        assert.ok(ghostId);
        const post = await insertStatus(a.ctx, ghostId, { local: 0, uri: `${peer.origin}/notes/last` });
        const deleteOf = (id: string, keyOf: string) =>
          peer.keyPair(keyOf).then((pair) =>
            signRequest(
              new Request(a.ctx.uris.sharedInbox(), {
                method: "POST",
                headers: { "content-type": "application/activity+json" },
                body: JSON.stringify({
                  "@context": "https://www.w3.org/ns/activitystreams",
                  id: `${peer.origin}/deletes/${id}`,
                  type: "Delete",
                  actor: ghostUri,
                  object: ghostUri,
                  to: ["https://www.w3.org/ns/activitystreams#Public"],
                }),
              }),
              pair.privateKey,
              new URL(`${peer.actorUri(keyOf)}#main-key`),
            ),
          );
        const ghostRow = () =>
          a.ctx.db
            .selectFrom("accounts")
            .select("suspended_at")
            .where("id", "=", ghostId)
            .executeTakeFirstOrThrow();
        const postRow = () =>
          a.ctx.db.selectFrom("statuses").select("id").where("id", "=", post.id).executeTakeFirst();

        // a forger signs with a key whose document is gone: the ghost's server still serves it
        peer.gone.add("impostor");
        const forged = await fetch(await deleteOf("forged", "impostor"));
        assert.equal(forged.status, 202);
        assert.equal((await ghostRow()).suspended_at, null);
        assert.ok(await postRow());

        // the ghost is gone at its server: its last Delete (key unfetchable) is applied
        peer.gone.add("ghost");
        const real = await fetch(await deleteOf("real", "ghost"));
        assert.equal(real.status, 202);
        assert.ok((await ghostRow()).suspended_at);
        assert.equal(await postRow(), undefined);
      } finally {
        await peer.stop();
      }
    });

    test("Move: an account moves to another server; followers on both servers follow the target", async () => {
      const alice = await a.user({ username: "alice" });
      const carol = await a.user({ username: "carol" });
      const bob = await b.user({ username: "bob" });
      const zed = await b.user({ username: "zed" });
      await carol.masto.v1.accounts.$select(alice.account.id).follow();
      const aliceOnB = await followRemote(bob, alice);

      // the target does not list alice yet: the move is refused
      const refused = await cli(a, ["move", "--from", "alice", "--to", zed.handle]);
      assert.equal(refused.code, 1, refused.err.join());
      assert.match(refused.err.join(), /alias/);

      const aliased = await cli(b, ["alias", "--username", "zed", "--add", alice.handle]);
      assert.equal(aliased.code, 0, aliased.err.join());
      assert.deepEqual(aliased.out, [a.ctx.uris.actor("alice")]);
      const moved = await cli(a, ["move", "--from", "alice", "--to", zed.handle]);
      assert.equal(moved.code, 0, moved.err.join());

      // alice's own server: she is moved; carol (local follower) now follows zed over there
      const zedOnA = await remoteAccount(carol, zed);
      const aliceOnA = await carol.masto.v1.accounts.$select(alice.account.id).fetch();
      assert.equal(aliceOnA.moved?.acct, zed.handle);
      assert.equal((await alice.masto.v1.accounts.verifyCredentials()).moved?.acct, zed.handle);
      await eventually(() => isFollowing(carol, zedOnA.id), 15_000, "carol following zed");
      assert.equal(await isFollowing(carol, alice.account.id), false);

      // the other server heard the Move: alice moved there too, bob follows zed instead
      await eventually(
        async () => (await bob.masto.v1.accounts.$select(aliceOnB.id).fetch()).moved?.acct === "zed",
        15_000,
        "alice moved on B",
      );
      await eventually(() => isFollowing(bob, zed.account.id), 15_000, "bob following zed");
      assert.equal(await isFollowing(bob, aliceOnB.id), false);
      const zedNow = await zed.masto.v1.accounts.$select(zed.account.id).fetch();
      assert.equal(zedNow.followersCount, 2);
    });

    test("a forged Move (target not listing the mover) changes nothing", async () => {
      const mia = await a.user({ username: "mia" });
      const ned = await b.user({ username: "ned" });
      const stranger = await b.user({ username: "stranger" });
      const miaOnB = await followRemote(ned, mia);
      // mia's server believes the target lists her (a stale copy), the target's server does not
      const strangerOnA = await remoteAccount(mia, stranger);
      await a.ctx.db
        .updateTable("accounts")
        .set({ also_known_as: JSON.stringify([a.ctx.uris.actor("mia")]) })
        .where("id", "=", strangerOnA.id)
        .execute();
      const moved = await cli(a, ["move", "--from", "mia", "--to", stranger.handle]);
      // fetched afresh before the move: refused at home already
      assert.equal(moved.code, 1, moved.err.join());
      const miaNow = await a.ctx.db
        .selectFrom("accounts")
        .select("moved_to_account_id")
        .where("id", "=", mia.account.id)
        .executeTakeFirstOrThrow();
      assert.equal(miaNow.moved_to_account_id, null);
      assert.equal(await isFollowing(ned, miaOnB.id), true);
    });

    test("an incoming Move is applied only when the target lists the mover (an independent peer)", async () => {
      const peer = await startPeer(["mover", "faker"]);
      try {
        const home = await a.user({ username: "newhome" });
        const fan = await a.user({ username: "fan" });
        const moveTo = (who: string, n: number) =>
          peer.send(
            who,
            { id: new URL(a.ctx.uris.actor("newhome")), inboxId: new URL(a.ctx.uris.inbox("newhome")) },
            new Move({
              id: new URL(`${peer.actorUri(who)}#moves/${n}`),
              actor: new URL(peer.actorUri(who)),
              object: new URL(peer.actorUri(who)),
              target: new URL(a.ctx.uris.actor("newhome")),
            }),
          );
        const movedTo = async (who: string) =>
          (
            await a.ctx.db
              .selectFrom("accounts")
              .select("moved_to_account_id")
              .where("uri", "=", peer.actorUri(who))
              .executeTakeFirst()
          )?.moved_to_account_id ?? null;

        // newhome does not list faker: the Move is processed and ignored
        const fakerOnA = await fan.masto.v2.search.list({ q: peer.actorUri("faker"), resolve: true });
        assert.equal(fakerOnA.accounts.length, 1);
        await moveTo("faker", 1);
        await inboxIdle(a);
        assert.equal(await movedTo("faker"), null);

        // newhome lists mover: the same Move is applied
        const aliased = await cli(a, ["alias", "--username", "newhome", "--add", peer.actorUri("mover")]);
        assert.equal(aliased.code, 0, aliased.err.join());
        await moveTo("mover", 1);
        await eventually(async () => (await movedTo("mover")) === home.account.id, 15_000, "mover moved");
        const moverOnA = await fan.masto.v2.search.list({ q: peer.actorUri("mover"), resolve: true });
        const mover = await fan.masto.v1.accounts.$select(moverOnA.accounts[0]?.id ?? "").fetch();
        assert.equal(mover.moved?.acct, "newhome");
      } finally {
        await peer.stop();
      }
    });

    test("poll results: votes here and there reach the voter's server as updated counts", async () => {
      const fay = await a.user({ username: "fay" });
      const karl = await a.user({ username: "karl" });
      const gus = await b.user({ username: "gus" });
      await followRemote(gus, fay);
      const poll = await fay.masto.v1.statuses.create({
        status: "Қай қала?",
        poll: { options: ["Алматы", "Астана"], expiresIn: 3600 },
      });
      const onB = await eventually(
        async () => (await gus.masto.v1.timelines.home.list()).find((s) => s.uri === poll.uri),
        15_000,
        "poll delivered",
      );
      const pollIdOnB = onB.poll?.id ?? "";
      await gus.masto.v1.polls.$select(pollIdOnB).votes.create({ choices: [1] });
      await karl.masto.v1.polls.$select(poll.poll?.id ?? "").votes.create({ choices: [0] });
      // the counts B shows for a remote poll are the ones its server reports
      const counts = await eventually(
        async () => {
          const p = await gus.masto.v1.polls.$select(pollIdOnB).fetch();
          const c = p.options.map((o) => o.votesCount);
          return c[0] === 1 && c[1] === 1 ? p : null;
        },
        15_000,
        "counts updated on B",
      );
      assert.equal(counts.votesCount, 2);
      assert.equal(counts.voted, true);

      // the poll closes early (its author's server ends it): the final Update closes it over there
      const localPollId = poll.poll?.id ?? "";
      await a.ctx.db
        .updateTable("polls")
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where("id", "=", localPollId)
        .execute();
      await expirePoll(a.ctx, localPollId);
      await eventually(
        async () => (await gus.masto.v1.polls.$select(pollIdOnB).fetch()).expired,
        15_000,
        "poll closed on B",
      );
    });
  });
}
