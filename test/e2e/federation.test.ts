/**
 * Two Torgai servers federating over real HTTP through their real job queues, each watched
 * through the Mastodon API with the `masto` client — on SQLite and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { mastodon } from "masto";
import { eventually, type FederatedUser, type Instance, startInstance } from "../helpers/federation.ts";
import { STORES } from "../helpers/harness.ts";

/** The account of `who` as `viewer`'s server knows it (resolved by WebFinger on first use). */
async function remoteAccount(viewer: FederatedUser, who: FederatedUser): Promise<mastodon.v1.Account> {
  const found = await viewer.masto.v2.search.list({ q: `@${who.handle}`, resolve: true, type: "accounts" });
  const account = found.accounts.find((a) => a.acct === who.handle);
  assert.ok(account, `${who.handle} resolved`);
  return account;
}

for (const kind of STORES) {
  describe(`federation between two servers [${kind}]`, () => {
    let a: Instance;
    let b: Instance;
    before(async () => {
      a = await startInstance(kind);
      b = await startInstance(kind);
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
    });

    test("follow, post, reply, favourite, boost, edit and delete cross the wire", async () => {
      const alice = await a.user({ username: "alice" });
      const bob = await b.user({ username: "bob" });

      // bob finds alice by her handle and follows her; she is not locked, so her server accepts
      const aliceOnB = await remoteAccount(bob, alice);
      assert.equal(aliceOnB.acct, `alice@${a.domain}`);
      assert.equal(aliceOnB.url, a.ctx.uris.profile("alice"));
      const rel = await bob.masto.v1.accounts.$select(aliceOnB.id).follow();
      assert.equal(rel.requested || rel.following, true);
      await eventually(
        async () => (await bob.masto.v1.accounts.relationships.fetch({ id: [aliceOnB.id] }))[0].following,
        15_000,
        "bob following alice",
      );
      const aliceSeen = await alice.masto.v1.accounts.$select(alice.account.id).fetch();
      assert.equal(aliceSeen.followersCount, 1);
      const followNotes = await alice.masto.v1.notifications.list({ types: ["follow"] });
      assert.equal(followNotes[0]?.account.acct, `bob@${b.domain}`);

      // alice posts: it reaches bob's home timeline
      const post = await alice.masto.v1.statuses.create({
        status: "Сәлем, #федерация! Бұл бірінші жазба.",
        visibility: "public",
        language: "kk",
      });
      const inHome = await eventually(
        async () => {
          const home = await bob.masto.v1.timelines.home.list();
          return home.find((s) => s.uri === post.uri);
        },
        15_000,
        "alice's post in bob's home",
      );
      assert.equal(inHome.account.acct, `alice@${a.domain}`);
      assert.match(inHome.content, /Бұл бірінші жазба/);
      assert.equal(inHome.language, "kk");
      assert.ok(inHome.tags.some((t) => t.name.toLowerCase() === "федерация"));

      // bob replies mentioning her: alice is notified and the reply threads under her post
      const reply = await bob.masto.v1.statuses.create({
        status: `@${alice.handle} Сәлем!`,
        inReplyToId: inHome.id,
      });
      const mention = await eventually(
        async () => {
          const notes = await alice.masto.v1.notifications.list({ types: ["mention"] });
          return notes.find((n) => n.status?.uri === reply.uri);
        },
        15_000,
        "mention notification",
      );
      assert.equal(mention.status?.inReplyToId, post.id);
      const context = await alice.masto.v1.statuses.$select(post.id).context.fetch();
      assert.ok(context.descendants.some((s) => s.uri === reply.uri));

      // favourite and boost come back as notifications and counters
      await bob.masto.v1.statuses.$select(inHome.id).favourite();
      await bob.masto.v1.statuses.$select(inHome.id).reblog();
      await eventually(
        async () => {
          const s = await alice.masto.v1.statuses.$select(post.id).fetch();
          return s.favouritesCount === 1 && s.reblogsCount === 1;
        },
        15_000,
        "favourite and reblog counted",
      );
      const kinds = (await alice.masto.v1.notifications.list()).map((n) => n.type);
      assert.ok(kinds.includes("favourite") && kinds.includes("reblog"), kinds.join());
      // and undone
      await bob.masto.v1.statuses.$select(inHome.id).unfavourite();
      await eventually(
        async () => (await alice.masto.v1.statuses.$select(post.id).fetch()).favouritesCount === 0,
        15_000,
        "favourite undone",
      );

      // an edit replaces the text on bob's side
      await alice.masto.v1.statuses
        .$select(post.id)
        .update({ status: "Сәлем, #федерация! Түзетілген жазба." });
      await eventually(
        async () => /Түзетілген/.test((await bob.masto.v1.statuses.$select(inHome.id).fetch()).content),
        15_000,
        "edit seen",
      );

      // a profile update reaches bob's server
      await alice.masto.v1.accounts.updateCredentials({ displayName: "Әлия" });
      await eventually(
        async () => (await bob.masto.v1.accounts.$select(aliceOnB.id).fetch()).displayName === "Әлия",
        15_000,
        "profile update seen",
      );

      // delete: gone on bob's side too
      await alice.masto.v1.statuses.$select(post.id).remove();
      await eventually(
        async () => {
          try {
            await bob.masto.v1.statuses.$select(inHome.id).fetch();
            return false;
          } catch (err) {
            return (err as { statusCode?: number }).statusCode === 404;
          }
        },
        15_000,
        "delete seen",
      );
    });

    test("locked accounts: the request waits for approval; followers-only posts reach followers only", async () => {
      const carol = await a.user({ username: "carol", locked: true });
      const dave = await b.user({ username: "dave" });
      const erin = await b.user({ username: "erin" });
      const carolOnB = await remoteAccount(dave, carol);
      const rel = await dave.masto.v1.accounts.$select(carolOnB.id).follow();
      assert.equal(rel.requested, true);
      const requests = await eventually(
        async () => {
          const list = await carol.masto.v1.followRequests.list();
          return list.length ? list : null;
        },
        15_000,
        "follow request arrives",
      );
      assert.equal(requests[0].acct, `dave@${b.domain}`);
      // still only requested until carol approves
      assert.equal(
        (await dave.masto.v1.accounts.relationships.fetch({ id: [carolOnB.id] }))[0].following,
        false,
      );
      await carol.masto.v1.followRequests.$select(requests[0].id).authorize();
      await eventually(
        async () => (await dave.masto.v1.accounts.relationships.fetch({ id: [carolOnB.id] }))[0].following,
        15_000,
        "dave following carol",
      );

      const secret = await carol.masto.v1.statuses.create({
        status: "Тек оқырмандарға",
        visibility: "private",
      });
      const seen = await eventually(
        async () => {
          const home = await dave.masto.v1.timelines.home.list();
          return home.find((s) => s.uri === secret.uri);
        },
        15_000,
        "private post delivered to the follower",
      );
      assert.equal(seen.visibility, "private");
      // erin (same server, not a follower) cannot see it, nor fetch it from carol's server
      await assert.rejects(erin.masto.v1.statuses.$select(seen.id).fetch());
      const anon = await fetch(secret.uri, { headers: { accept: "application/activity+json" } });
      assert.ok(anon.status === 401 || anon.status === 403 || anon.status === 404, String(anon.status));
      const noResolve = await erin.masto.v2.search.list({ q: secret.uri, resolve: true, type: "statuses" });
      assert.equal(noResolve.statuses.length, 0);
    });

    test("polls: a remote vote is counted by the poll's server", async () => {
      const fay = await a.user({ username: "fay" });
      const gus = await b.user({ username: "gus" });
      const fayOnB = await remoteAccount(gus, fay);
      await gus.masto.v1.accounts.$select(fayOnB.id).follow();
      await eventually(
        async () => (await gus.masto.v1.accounts.relationships.fetch({ id: [fayOnB.id] }))[0].following,
        15_000,
        "gus following fay",
      );
      const poll = await fay.masto.v1.statuses.create({
        status: "Қай қала?",
        poll: { options: ["Алматы", "Астана"], expiresIn: 3600 },
      });
      const onB = await eventually(
        async () => {
          const home = await gus.masto.v1.timelines.home.list();
          return home.find((s) => s.uri === poll.uri);
        },
        15_000,
        "poll delivered",
      );
      assert.deepEqual(
        onB.poll?.options.map((o) => o.title),
        ["Алматы", "Астана"],
      );
      await gus.masto.v1.polls.$select(onB.poll?.id ?? "").votes.create({ choices: [1] });
      await eventually(
        async () => {
          const p = await fay.masto.v1.polls.$select(poll.poll?.id ?? "").fetch();
          return p.options[1].votesCount === 1;
        },
        15_000,
        "vote counted",
      );
    });

    test("blocks end the follow on the other side", async () => {
      const hal = await a.user({ username: "hal" });
      const ivy = await b.user({ username: "ivy" });
      const halOnB = await remoteAccount(ivy, hal);
      await ivy.masto.v1.accounts.$select(halOnB.id).follow();
      await eventually(
        async () => (await ivy.masto.v1.accounts.relationships.fetch({ id: [halOnB.id] }))[0].following,
        15_000,
        "ivy following hal",
      );
      const ivyOnA = await remoteAccount(hal, ivy);
      await hal.masto.v1.accounts.$select(ivyOnA.id).block();
      await eventually(
        async () => !(await ivy.masto.v1.accounts.relationships.fetch({ id: [halOnB.id] }))[0].following,
        15_000,
        "follow ended by the block",
      );
    });
  });
}
