/**
 * The JSON-LD each server really sends (test/fixtures/activitypub), end to end as the inbox will
 * run it: Fedify parses it, from-as converts it, core stores the actor and the post; the rows are
 * what Mastodon would show.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  fixtureContextLoader,
  loadApFixture,
  remoteActor,
  type Software,
} from "../../../test/helpers/activitypub.ts";
import { followById, homeIds, insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores, type TestUser } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { findAccountByUri, upsertRemoteAccount } from "../../core/accounts/remote.ts";
import { findStatusByUri, ingestRemoteNote } from "../../core/statuses/remote.ts";
import type { Account, Status } from "../../store/schema.ts";
import { isActorObject, isPostObject, toRemoteActor, toRemoteNote } from "./from-as.ts";

async function ingestActor(ctx: AppContext, software: Software): Promise<Account> {
  const fx = await loadApFixture(software, "actor");
  assert.ok(isActorObject(fx.object));
  const r = await toRemoteActor(fx.object, { origin: fx.origin, contextLoader: fixtureContextLoader });
  assert.ok(r.ok, r.ok ? "" : r.message);
  return upsertRemoteAccount(ctx, r.value);
}

/** What the inbox does for a Create: author known (or stored), mentions and parent resolved, then ingest. */
async function ingestNote(
  ctx: AppContext,
  software: Software,
  name: string,
  edit?: (json: Record<string, unknown>) => void,
): Promise<Status> {
  const fx = await loadApFixture(software, name, edit);
  assert.ok(isPostObject(fx.object));
  const actorUri = fx.object.attributionId?.href ?? "";
  const author =
    (await findAccountByUri(ctx, actorUri)) ??
    (await upsertRemoteAccount(
      ctx,
      remoteActor({ uri: actorUri, domain: new URL(actorUri).host, username: "someone" }),
    ));
  const r = await toRemoteNote(fx.object, {
    origin: fx.origin,
    contextLoader: fixtureContextLoader,
    raw: fx.objectJson,
    followersUrl: author.followers_url,
  });
  assert.ok(r.ok, r.ok ? "" : r.message);
  const mentionIds: string[] = [];
  for (const m of r.value.mentions) {
    const a = await findAccountByUri(ctx, m.href);
    if (a) mentionIds.push(a.id);
  }
  const parent = r.value.inReplyTo ? await findStatusByUri(ctx.db, r.value.inReplyTo) : undefined;
  const { status } = await ingestRemoteNote(ctx, r.value, {
    accountId: author.id,
    mentionIds,
    inReplyToId: parent?.id ?? null,
  });
  return status;
}

describeStores("fixtures from each server, ingested", (get) => {
  let aigerim: TestUser;
  before(async () => {
    aigerim = await createTestUser(get(), { username: "aigerim" });
  });

  const mentionsOf = (statusId: string) =>
    get().db.selectFrom("mentions").select("account_id").where("status_id", "=", statusId).execute();
  const tagsOf = async (statusId: string) =>
    (
      await get()
        .db.selectFrom("status_tags")
        .innerJoin("tags", "tags.id", "status_tags.tag_id")
        .select("tags.name")
        .where("status_tags.status_id", "=", statusId)
        .execute()
    ).map((t) => t.name);

  test("each server's actor becomes an account with its acct, keys and profile", async () => {
    const ctx = get();
    const expected: [Software, string, string, number][] = [
      ["mastodon", "nurlan", "mastodon.example", 0],
      ["misskey", "ayan", "misskey.example", 1],
      ["gotosocial", "1happyturtle", "gts.example", 1],
      ["pleroma", "rin", "pleroma.example", 0],
    ];
    for (const [software, username, domain, locked] of expected) {
      const a = await ingestActor(ctx, software);
      assert.equal(`${a.username}@${a.domain}`, `${username}@${domain}`, software);
      assert.equal(a.locked, locked, `${software} locked`);
      assert.match(a.public_key_pem ?? "", /BEGIN PUBLIC KEY/, `${software} key`);
      assert.ok(a.inbox_url?.startsWith(`https://${domain}/`), `${software} inbox`);
      const res = await aigerim.api(`/api/v1/accounts/${a.id}`);
      const shown = (await res.json()) as { acct: string; locked: boolean; url: string };
      assert.equal(shown.acct, `${username}@${domain}`);
      assert.equal(shown.locked, locked === 1);
    }
    const emojis = await ctx.db
      .selectFrom("custom_emojis")
      .select(["shortcode", "domain"])
      .orderBy("shortcode")
      .execute();
    assert.deepEqual(
      emojis.filter((e) => e.domain !== "").map((e) => `${e.shortcode}@${e.domain}`),
      ["blobcat@pleroma.example", "kz_flag@mastodon.example", "neko@misskey.example"],
    );
  });

  test("Mastodon posts: visibility, mentions, tags, language, CW reply, poll", async () => {
    const ctx = get();
    await ingestActor(ctx, "mastodon");
    const follower = await createTestUser(ctx);
    const author = await findAccountByUri(ctx, "https://mastodon.example/users/nurlan");
    assert.ok(author);
    await followById(ctx, follower.account.id, author.id);

    const pub = await ingestNote(ctx, "mastodon", "note-public");
    assert.equal(pub.visibility, "public");
    assert.equal(pub.language, "kk");
    assert.deepEqual(await mentionsOf(pub.id), [{ account_id: aigerim.account.id }]);
    assert.deepEqual(await tagsOf(pub.id), ["qazaq"]);
    const expectedVisibility: [string, Status["visibility"]][] = [
      ["note-unlisted", "unlisted"],
      ["note-followers-only", "private"],
      ["note-direct", "direct"],
      ["note-quote", "public"],
    ];
    const byName = new Map<string, Status>();
    for (const [name, visibility] of expectedVisibility) {
      const s = await ingestNote(ctx, "mastodon", name);
      byName.set(name, s);
      assert.equal(s.visibility, visibility, name);
    }

    const parent = await ingestNote(ctx, "mastodon", "note-direct");
    assert.equal(parent.id, byName.get("note-direct")?.id, "a redelivery is the same status");
    const target = await insertStatus(ctx, aigerim.account.id);
    const reply = await ingestNote(ctx, "mastodon", "note-reply-cw", (json) => {
      json.inReplyTo = target.uri;
    });
    assert.equal(reply.in_reply_to_id, target.id);
    assert.equal(reply.in_reply_to_account_id, aigerim.account.id);
    assert.equal(reply.spoiler_text, "спойлер: фильм соңы");
    assert.equal(reply.sensitive, 1);

    const question = await ingestNote(ctx, "mastodon", "question-multiple");
    const poll = await ctx.db
      .selectFrom("polls")
      .selectAll()
      .where("status_id", "=", question.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(poll.options), ["Қазақша", "Русский", "English"]);
    assert.equal(poll.multiple, 1);
    assert.equal(poll.voters_count, 7);
    assert.equal(poll.votes_count, 10);
    assert.equal(poll.expires_at, "2024-03-02T10:00:00.000Z");

    await ctx.queue.drain();
    const home = await homeIds(ctx, follower.account.id);
    assert.ok(home.includes(pub.id) && home.includes(byName.get("note-followers-only")?.id ?? ""));
    assert.ok(
      !home.includes(byName.get("note-direct")?.id ?? ""),
      "a DM to someone else is not in a follower's home",
    );
    const notes = await ctx.db
      .selectFrom("notifications")
      .select(["type", "status_id"])
      .where("account_id", "=", aigerim.account.id)
      .where("from_account_id", "=", author.id)
      .execute();
    for (const s of [pub, byName.get("note-followers-only"), byName.get("note-direct"), reply]) {
      assert.ok(
        notes.some((n) => n.type === "mention" && n.status_id === s?.id),
        `mention notification for ${s?.uri}`,
      );
    }
  });

  test("Misskey, GoToSocial and Pleroma posts land with the right visibility, mentions, tags and polls", async () => {
    const ctx = get();
    for (const software of ["misskey", "gotosocial", "pleroma"] as const) await ingestActor(ctx, software);
    const cases: [Software, string, Status["visibility"], string[], boolean][] = [
      ["misskey", "note-quote", "public", ["мысық"], false],
      ["misskey", "note-followers-only", "private", [], true],
      ["misskey", "question-no-end-date", "public", [], false],
      ["gotosocial", "note-public", "public", ["welcome"], false],
      ["gotosocial", "note-direct", "direct", [], true],
      ["gotosocial", "question-unlisted", "unlisted", [], true],
      ["pleroma", "note-public", "public", ["fediverse"], false],
      ["pleroma", "note-direct", "direct", [], true],
    ];
    for (const [software, name, visibility, tags, mentionsAigerim] of cases) {
      const s = await ingestNote(ctx, software, name);
      assert.equal(s.visibility, visibility, `${software}/${name}`);
      assert.deepEqual(await tagsOf(s.id), tags, `${software}/${name} tags`);
      const m = (await mentionsOf(s.id)).map((r) => r.account_id);
      assert.equal(m.includes(aigerim.account.id), mentionsAigerim, `${software}/${name} mentions`);
      assert.doesNotMatch(s.content, /<img|onerror|<script/);
    }
    const misskeyPoll = await ctx.db
      .selectFrom("polls")
      .innerJoin("statuses", "statuses.id", "polls.status_id")
      .select(["polls.options", "polls.expires_at", "polls.remote_counts"])
      .where("statuses.uri", "=", "https://skippers-bin.com/notes/7x9tmrp97i")
      .executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(misskeyPoll.options), ["Working", "Broken af"]);
    assert.equal(misskeyPoll.expires_at, null, "a Misskey poll without an end has none");
    assert.deepEqual(JSON.parse(misskeyPoll.remote_counts ?? "[]"), [0, 1]);
  });
});
