/** Remote Notes into the store: create (idempotent, concurrent), visibility, replies, polls, update, delete. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { remoteActor } from "../../../test/helpers/activitypub.ts";
import { followById, homeIds, insertStatus } from "../../../test/helpers/fixtures.ts";
import { createTestUser, describeStores } from "../../../test/helpers/harness.ts";
import type { AppContext } from "../../app.ts";
import { upsertRemoteAccount } from "../accounts/remote.ts";
import type { RemoteNote } from "../remote/types.ts";
import { deleteRemoteStatus, ingestRemoteNote, updateRemoteNote } from "./remote.ts";

async function remoteAuthor(ctx: AppContext) {
  return upsertRemoteAccount(ctx, remoteActor());
}

function remoteNote(author: { uri: string }, overrides: Partial<RemoteNote> = {}): RemoteNote {
  const uri = `${author.uri}/statuses/${randomBytes(6).toString("hex")}`;
  return {
    uri,
    url: uri.replace("/statuses/", "/posts/"),
    actorUri: author.uri,
    type: "Note",
    content: "<p>Сәлем, әлем</p>",
    summary: "",
    sensitive: false,
    language: "kk",
    published: "2024-03-01T10:00:00.000Z",
    updated: null,
    inReplyTo: null,
    visibility: "public",
    mentions: [],
    hashtags: [],
    emojis: [],
    poll: null,
    attachments: [],
    quote: null,
    context: null,
    ...overrides,
  };
}

describeStores("remote notes", (get) => {
  const notifications = (accountId: string) =>
    get()
      .db.selectFrom("notifications")
      .select(["type", "status_id", "from_account_id"])
      .where("account_id", "=", accountId)
      .orderBy("id")
      .execute();

  test("a public Note is stored as the author's status and reaches local followers and the mentioned", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const follower = await createTestUser(ctx);
    const mentioned = await createTestUser(ctx);
    const stranger = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const note = remoteNote(author, { hashtags: ["Qazaq"], summary: "CW", sensitive: true });
    const { status, created } = await ingestRemoteNote(ctx, note, {
      accountId: author.id,
      mentionIds: [mentioned.account.id],
      inReplyToId: null,
    });
    assert.equal(created, true);
    assert.equal(status.uri, note.uri);
    assert.equal(status.url, note.url);
    assert.equal(status.local, 0);
    assert.equal(status.account_id, author.id);
    assert.equal(status.content, note.content);
    assert.equal(status.text, "");
    assert.equal(status.spoiler_text, "CW");
    assert.equal(status.sensitive, 1);
    assert.equal(status.language, "kk");
    assert.equal(status.visibility, "public");
    assert.equal(status.created_at, "2024-03-01T10:00:00.000Z");
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [status.id]);
    assert.deepEqual(await homeIds(ctx, stranger.account.id), []);
    assert.deepEqual(await notifications(mentioned.account.id), [
      { type: "mention", status_id: status.id, from_account_id: author.id },
    ]);
    const tag = await ctx.db
      .selectFrom("status_tags")
      .innerJoin("tags", "tags.id", "status_tags.tag_id")
      .select(["tags.name", "tags.public_at"])
      .where("status_tags.status_id", "=", status.id)
      .execute();
    assert.equal(tag[0]?.name, "qazaq");
    assert.ok(tag[0]?.public_at);
    const counted = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.id)
      .executeTakeFirst();
    assert.equal(counted?.statuses_count, 1);

    // through the Mastodon API the remote post looks like any other, with the remote acct
    const res = await follower.api("/api/v1/timelines/home");
    const body = (await res.json()) as {
      id: string;
      uri: string;
      account: { acct: string };
      spoiler_text: string;
    }[];
    assert.equal(body[0]?.id, status.id);
    assert.equal(body[0]?.uri, note.uri);
    assert.equal(body[0]?.account.acct, `${author.username}@remote.example`);
    assert.equal(body[0]?.spoiler_text, "CW");
  });

  test("the same Note twice, and twice at once, gives one status and one notification", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const mentioned = await createTestUser(ctx);
    const note = remoteNote(author);
    const resolved = { accountId: author.id, mentionIds: [mentioned.account.id], inReplyToId: null };
    const results = await Promise.all([
      ingestRemoteNote(ctx, note, resolved),
      ingestRemoteNote(ctx, note, resolved),
      ingestRemoteNote(ctx, note, resolved),
    ]);
    const again = await ingestRemoteNote(ctx, note, resolved);
    assert.equal(again.created, false);
    assert.equal(new Set([...results, again].map((r) => r.status.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    const rows = await ctx.db.selectFrom("statuses").select("id").where("uri", "=", note.uri).execute();
    assert.equal(rows.length, 1);
    await ctx.queue.drain();
    assert.equal((await notifications(mentioned.account.id)).length, 1);
  });

  test("followers-only and direct Notes reach only whom they may", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const follower = await createTestUser(ctx);
    const mentioned = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const priv = await ingestRemoteNote(ctx, remoteNote(author, { visibility: "private" }), {
      accountId: author.id,
      mentionIds: [mentioned.account.id],
      inReplyToId: null,
    });
    const dm = await ingestRemoteNote(ctx, remoteNote(author, { visibility: "direct" }), {
      accountId: author.id,
      mentionIds: [mentioned.account.id],
      inReplyToId: null,
    });
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [priv.status.id]);
    // the mentioned see both (a mention reaches them whatever the visibility); the follower not the DM
    assert.deepEqual(await homeIds(ctx, mentioned.account.id), [dm.status.id, priv.status.id]);
    // not through the API either: a stranger gets 404 for both
    const stranger = await createTestUser(ctx);
    for (const s of [priv.status, dm.status]) {
      assert.equal((await stranger.api(`/api/v1/statuses/${s.id}`)).status, 404);
    }
    assert.equal((await mentioned.api(`/api/v1/statuses/${dm.status.id}`)).status, 200);
    const counted = await ctx.db
      .selectFrom("accounts")
      .select("statuses_count")
      .where("id", "=", author.id)
      .executeTakeFirst();
    assert.equal(counted?.statuses_count, 1, "direct posts are not counted, as in Mastodon");
  });

  test("a reply joins its parent's thread and counts; a remote context groups a thread we hold no parent of", async () => {
    const ctx = get();
    const local = await createTestUser(ctx);
    const author = await remoteAuthor(ctx);
    const parent = await insertStatus(ctx, local.account.id);
    const reply = await ingestRemoteNote(ctx, remoteNote(author, { inReplyTo: parent.uri }), {
      accountId: author.id,
      mentionIds: [local.account.id],
      inReplyToId: parent.id,
    });
    assert.equal(reply.status.in_reply_to_id, parent.id);
    assert.equal(reply.status.in_reply_to_account_id, local.account.id);
    const p = await ctx.db
      .selectFrom("statuses")
      .selectAll()
      .where("id", "=", parent.id)
      .executeTakeFirstOrThrow();
    assert.equal(p.replies_count, 1);
    assert.equal(reply.status.conversation_id, p.conversation_id ?? reply.status.conversation_id);

    const context = `https://remote.example/contexts/${randomBytes(4).toString("hex")}`;
    const a = await ingestRemoteNote(ctx, remoteNote(author, { context }), {
      accountId: author.id,
      mentionIds: [],
      inReplyToId: null,
    });
    const b = await ingestRemoteNote(ctx, remoteNote(author, { context }), {
      accountId: author.id,
      mentionIds: [],
      inReplyToId: null,
    });
    assert.ok(a.status.conversation_id);
    assert.equal(a.status.conversation_id, b.status.conversation_id);
  });

  test("a Note attributed to someone else, by a suspended author, or claiming another's uri is refused", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const other = await remoteAuthor(ctx);
    const note = remoteNote(author);
    await assert.rejects(
      ingestRemoteNote(ctx, note, { accountId: other.id, mentionIds: [], inReplyToId: null }),
      /not attributed/,
    );
    const elsewhere = remoteNote(author, { uri: "https://elsewhere.example/notes/1" });
    await assert.rejects(
      ingestRemoteNote(ctx, elsewhere, { accountId: author.id, mentionIds: [], inReplyToId: null }),
      /server/,
    );
    await ingestRemoteNote(ctx, note, { accountId: author.id, mentionIds: [], inReplyToId: null });
    const impostor = { ...note, actorUri: other.uri };
    await assert.rejects(
      ingestRemoteNote(ctx, impostor, { accountId: other.id, mentionIds: [], inReplyToId: null }),
      /another/,
    );
    const suspended = await remoteAuthor(ctx);
    await ctx.db
      .updateTable("accounts")
      .set({ suspended_at: ctx.now().toISOString() })
      .where("id", "=", suspended.id)
      .execute();
    await assert.rejects(
      ingestRemoteNote(ctx, remoteNote(suspended), {
        accountId: suspended.id,
        mentionIds: [],
        inReplyToId: null,
      }),
      /suspended/,
    );
    assert.equal(
      (await ctx.db.selectFrom("statuses").select("id").where("account_id", "=", suspended.id).execute())
        .length,
      0,
    );
  });

  test("a remote poll keeps its server's counts; an Update with new counts refreshes them without an edit", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const viewer = await createTestUser(ctx);
    const poll = {
      options: [
        { title: "Иә", votes: 3 },
        { title: "Жоқ", votes: 1 },
      ],
      multiple: false,
      expiresAt: "2099-01-01T00:00:00.000Z",
      closed: false,
      votersCount: 4,
    };
    const note = remoteNote(author, { type: "Question", poll });
    const { status } = await ingestRemoteNote(ctx, note, {
      accountId: author.id,
      mentionIds: [],
      inReplyToId: null,
    });
    const api = async () =>
      (await (await viewer.api(`/api/v1/statuses/${status.id}`)).json()) as {
        poll: {
          votes_count: number;
          voters_count: number;
          options: { title: string; votes_count: number }[];
        };
        edited_at: string | null;
      };
    let shown = await api();
    assert.deepEqual(
      shown.poll.options.map((o) => [o.title, o.votes_count]),
      [
        ["Иә", 3],
        ["Жоқ", 1],
      ],
    );
    assert.equal(shown.poll.votes_count, 4);
    assert.equal(shown.poll.voters_count, 4);

    const tallied = {
      ...note,
      updated: "2024-03-01T11:00:00.000Z",
      poll: {
        ...poll,
        options: [
          { title: "Иә", votes: 5 },
          { title: "Жоқ", votes: 2 },
        ],
        votersCount: 7,
      },
    };
    await updateRemoteNote(ctx, tallied, { accountId: author.id, mentionIds: [], inReplyToId: null });
    shown = await api();
    assert.deepEqual(
      shown.poll.options.map((o) => o.votes_count),
      [5, 2],
    );
    assert.equal(shown.poll.voters_count, 7);
    assert.equal(shown.edited_at, null, "new counts are not an edit");
  });

  test("an Update by the author edits with history and notifies the newly mentioned; others' and stale ones are not applied", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const other = await remoteAuthor(ctx);
    const later = await createTestUser(ctx);
    const note = remoteNote(author);
    const { status } = await ingestRemoteNote(ctx, note, {
      accountId: author.id,
      mentionIds: [],
      inReplyToId: null,
    });
    const edited = await updateRemoteNote(
      ctx,
      { ...note, content: "<p>түзетілді</p>", updated: "2024-03-01T12:00:00.000Z" },
      { accountId: author.id, mentionIds: [later.account.id], inReplyToId: null },
    );
    assert.equal(edited?.content, "<p>түзетілді</p>");
    assert.equal(edited?.edited_at, "2024-03-01T12:00:00.000Z");
    const history = await ctx.db
      .selectFrom("status_edits")
      .select("content")
      .where("status_id", "=", status.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      history.map((h) => h.content),
      [note.content, "<p>түзетілді</p>"],
    );
    assert.deepEqual(
      (await notifications(later.account.id)).map((n) => n.type),
      ["mention"],
    );

    // an older Update arriving late changes nothing
    const stale = await updateRemoteNote(
      ctx,
      { ...note, content: "<p>ескі</p>", updated: "2024-03-01T11:00:00.000Z" },
      { accountId: author.id, mentionIds: [], inReplyToId: null },
    );
    assert.equal(stale?.content, "<p>түзетілді</p>");
    await assert.rejects(
      updateRemoteNote(
        ctx,
        { ...note, actorUri: other.uri, content: "<p>hijack</p>", updated: "2024-03-02T00:00:00.000Z" },
        {
          accountId: other.id,
          mentionIds: [],
          inReplyToId: null,
        },
      ),
      /author/,
    );
    const row = await ctx.db
      .selectFrom("statuses")
      .select("content")
      .where("id", "=", status.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.content, "<p>түзетілді</p>");
    assert.equal(
      await updateRemoteNote(ctx, remoteNote(author), {
        accountId: author.id,
        mentionIds: [],
        inReplyToId: null,
      }),
      null,
    );
  });

  test("a Delete by the author removes the status everywhere; by anyone else it is refused", async () => {
    const ctx = get();
    const author = await remoteAuthor(ctx);
    const other = await remoteAuthor(ctx);
    const follower = await createTestUser(ctx);
    await followById(ctx, follower.account.id, author.id);
    const note = remoteNote(author);
    const { status } = await ingestRemoteNote(ctx, note, {
      accountId: author.id,
      mentionIds: [],
      inReplyToId: null,
    });
    await ctx.queue.drain();
    assert.deepEqual(await homeIds(ctx, follower.account.id), [status.id]);
    await assert.rejects(deleteRemoteStatus(ctx, note.uri, other.id), /author/);
    const local = await createTestUser(ctx);
    const mine = await insertStatus(ctx, local.account.id);
    await assert.rejects(deleteRemoteStatus(ctx, mine.uri, other.id), /author/);
    assert.equal(await deleteRemoteStatus(ctx, note.uri, author.id), true);
    assert.equal(await deleteRemoteStatus(ctx, note.uri, author.id), false);
    assert.deepEqual(await homeIds(ctx, follower.account.id), []);
    assert.equal(
      (await ctx.db.selectFrom("statuses").select("id").where("uri", "=", note.uri).execute()).length,
      0,
    );
  });
});
