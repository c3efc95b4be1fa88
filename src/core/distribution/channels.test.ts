import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnnouncedStatus, announcementChannels, deletionChannels } from "./channels.ts";

const status = (extra: Partial<AnnouncedStatus> = {}): AnnouncedStatus => ({
  account_id: "1",
  visibility: "public",
  reblog_of_id: null,
  in_reply_to_account_id: null,
  local: 1,
  ...extra,
});

test("new and edited statuses: public originals only, replies to others on hashtags alone, :local for ours", () => {
  const tags = ["дала"];
  assert.deepEqual(announcementChannels(status(), tags), [
    "hashtag:дала",
    "hashtag:local:дала",
    "public",
    "public:local",
  ]);
  assert.deepEqual(announcementChannels(status({ local: 0 }), tags), ["hashtag:дала", "public"]);
  assert.deepEqual(announcementChannels(status({ in_reply_to_account_id: "2", local: 0 }), tags), [
    "hashtag:дала",
  ]);
  assert.deepEqual(announcementChannels(status({ in_reply_to_account_id: "1", local: 0 }), []), ["public"]);
  for (const other of [
    { visibility: "unlisted" as const },
    { visibility: "private" as const },
    { reblog_of_id: "9" },
  ])
    assert.deepEqual(announcementChannels(status(other), tags), [], JSON.stringify(other));
});

test("deletions: public streams for public statuses and for reblogs that were not followers-only", () => {
  const tags = ["дала"];
  assert.deepEqual(deletionChannels(status({ local: 0, in_reply_to_account_id: "2" }), tags), {
    everyId: ["public"],
    statusOnly: ["hashtag:дала"],
  });
  assert.deepEqual(deletionChannels(status({ reblog_of_id: "9", visibility: "unlisted" }), tags), {
    everyId: ["public", "public:local"],
    statusOnly: [],
  });
  for (const visibility of ["unlisted", "private", "direct"] as const)
    assert.deepEqual(deletionChannels(status({ visibility }), tags), { everyId: [], statusOnly: [] });
});
