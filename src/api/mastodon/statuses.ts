import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app.ts";
import { loadAccountsById } from "../../core/accounts/hydrate.ts";
import { UnexpectedMentionsError } from "../../core/errors.ts";
import { bookmarkStatus, unbookmarkStatus } from "../../core/statuses/bookmark.ts";
import { reblogStatus, unreblogStatus } from "../../core/statuses/boost.ts";
import { statusContext } from "../../core/statuses/context.ts";
import { createStatus } from "../../core/statuses/create.ts";
import { deleteStatus } from "../../core/statuses/delete.ts";
import { editStatus, statusHistory } from "../../core/statuses/edit.ts";
import { favouriteStatus, unfavouriteStatus } from "../../core/statuses/favourite.ts";
import { favouritedBy, rebloggedBy } from "../../core/statuses/lists.ts";
import { getOwnStatus, getVisibleStatus, getVisibleStatuses } from "../../core/statuses/load.ts";
import { muteConversation, unmuteConversation } from "../../core/statuses/mute.ts";
import { pinStatus, unpinStatus } from "../../core/statuses/pin.ts";
import { scheduleStatus } from "../../core/statuses/scheduled.ts";
import { VISIBILITIES } from "../../core/visibility.ts";
import type { Account, Status } from "../../store/schema.ts";
import { appOf, type Ctx, type HonoEnv, optionalUser, requireUser } from "../context.ts";
import { parsePage, setLinkHeader } from "../pagination.ts";
import { allParams, queryParams, validate, zBool, zId, zInt, zList } from "../params.ts";
import { serializeStatus, serializeStatuses } from "./present.ts";
import { zScheduledAt } from "./scheduled-statuses.ts";
import { serializeAccounts } from "./serializers/account.ts";
import { toMastodonScheduledStatus } from "./serializers/scheduled-status.ts";
import { serializeStatusEdits } from "./serializers/status-edit.ts";

/** Empty strings and nulls (as clients send for "not set") become undefined. */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

const PollSchema = z.object({
  options: zList(z.string().max(1000)).pipe(z.array(z.string()).min(1, "can't be blank")),
  expires_in: zInt(0, 100_000_000),
  multiple: opt(zBool),
  hide_totals: opt(zBool),
});

const TextFields = {
  status: opt(z.string().max(100_000)),
  spoiler_text: opt(z.string().max(10_000)),
  sensitive: opt(zBool),
  language: opt(z.string().max(20)),
  media_ids: zList(zId),
  poll: opt(PollSchema),
};

const CreateSchema = z.object({
  ...TextFields,
  in_reply_to_id: opt(zId),
  visibility: opt(z.enum(VISIBILITIES)),
  scheduled_at: opt(zScheduledAt),
  allowed_mentions: zList(zId),
});

const ReblogSchema = z.object({ visibility: opt(z.enum(["public", "unlisted", "private"])) });

function pollInput(p: z.output<typeof PollSchema> | undefined) {
  if (!p) return undefined;
  return { options: p.options, expiresIn: p.expires_in, multiple: p.multiple, hideTotals: p.hide_totals };
}

/** Mastodon's answer when `allowed_mentions` leaves out someone the text mentions: 422 with them. */
async function unexpectedMentions(c: Ctx, err: unknown): Promise<Response> {
  if (!(err instanceof UnexpectedMentionsError)) throw err;
  const ctx = appOf(c);
  const found = await loadAccountsById(ctx, err.accountIds);
  const accounts = err.accountIds.flatMap((id) => found.get(id) ?? []);
  return c.json({ error: err.message, unexpected_accounts: serializeAccounts(ctx, accounts) }, 422);
}

export function statusesRoutes(ctx: AppContext): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const id = (c: Ctx) => c.req.param("id") as string;
  const one = async (c: Ctx, status: Status, viewer: Account | null) =>
    c.json(await serializeStatus(ctx, status, viewer));

  app.post("/api/v1/statuses", async (c) => {
    const v = requireUser(c, "write:statuses");
    const p = validate(CreateSchema, await allParams(c));
    const input = {
      text: p.status,
      inReplyToId: p.in_reply_to_id,
      spoilerText: p.spoiler_text,
      sensitive: p.sensitive,
      visibility: p.visibility as Status["visibility"] | undefined,
      language: p.language,
      poll: pollInput(p.poll),
      mediaIds: p.media_ids,
      idempotencyKey: c.req.header("idempotency-key") ?? null,
      applicationId: v.grant.appId,
    };
    // a time already past posts at once, as Mastodon does; one within five minutes is refused
    if (p.scheduled_at && p.scheduled_at.getTime() > ctx.now().getTime()) {
      return c.json(toMastodonScheduledStatus(await scheduleStatus(ctx, v.account, input, p.scheduled_at)));
    }
    // allowed_mentions guards an immediate post (a scheduled one is checked by no one at its time)
    const status = await createStatus(ctx, v.account, {
      ...input,
      allowedMentions: p.allowed_mentions,
    }).catch((err) => unexpectedMentions(c, err));
    if (status instanceof Response) return status;
    return one(c, status, v.account);
  });

  app.get("/api/v1/statuses", async (c) => {
    const v = optionalUser(c, "read:statuses");
    const p = validate(z.object({ id: zList(zId).pipe(z.array(zId).max(20)) }), queryParams(c));
    const statuses = await getVisibleStatuses(ctx, p.id ?? [], v?.account.id ?? null);
    return c.json(await serializeStatuses(ctx, statuses, v?.account ?? null));
  });

  app.get("/api/v1/statuses/:id{[0-9]+}", async (c) => {
    const v = optionalUser(c, "read:statuses");
    return one(c, await getVisibleStatus(ctx, id(c), v?.account.id ?? null), v?.account ?? null);
  });

  app.put("/api/v1/statuses/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:statuses");
    const p = validate(z.object(TextFields), await allParams(c));
    // Mastodon replaces every field on edit: what is not sent is cleared (the poll too), except the language
    const status = await editStatus(ctx, v.account, id(c), {
      text: p.status ?? "",
      spoilerText: p.spoiler_text ?? "",
      sensitive: p.sensitive ?? false,
      language: p.language,
      poll: pollInput(p.poll) ?? null,
      mediaIds: p.media_ids,
    });
    return one(c, status, v.account);
  });

  app.delete("/api/v1/statuses/:id{[0-9]+}", async (c) => {
    const v = requireUser(c, "write:statuses");
    const status = await getOwnStatus(ctx, id(c), v.account.id).catch(async (err) => {
      // one's own reblog may be deleted too
      const s = await getVisibleStatus(ctx, id(c), v.account.id);
      if (s.account_id !== v.account.id) throw err;
      return s;
    });
    const json = await serializeStatus(ctx, status, v.account);
    await deleteStatus(ctx, v.account, status.id);
    // Mastodon answers a delete with the source (`text`) in place of `content`, for redraft
    const { content: _content, ...rest } = json;
    return c.json({ ...rest, text: status.text });
  });

  app.get("/api/v1/statuses/:id{[0-9]+}/context", async (c) => {
    const v = optionalUser(c, "read:statuses");
    const viewer = v?.account ?? null;
    const { ancestors, descendants } = await statusContext(ctx, id(c), viewer?.id ?? null);
    const all = await serializeStatuses(ctx, [...ancestors, ...descendants], viewer);
    return c.json({ ancestors: all.slice(0, ancestors.length), descendants: all.slice(ancestors.length) });
  });

  app.get("/api/v1/statuses/:id{[0-9]+}/history", async (c) => {
    const v = optionalUser(c, "read:statuses");
    const status = await getVisibleStatus(ctx, id(c), v?.account.id ?? null);
    const author = (await loadAccountsById(ctx, [status.account_id])).get(status.account_id);
    if (!author) return c.json([]);
    return c.json(serializeStatusEdits(ctx, await statusHistory(ctx, status), author));
  });

  app.get("/api/v1/statuses/:id{[0-9]+}/source", async (c) => {
    const v = requireUser(c, "read:statuses");
    // as Mastodon: only the author's own statuses have a source to edit
    const status = await getOwnStatus(ctx, id(c), v.account.id);
    return c.json({ id: status.id, text: status.text, spoiler_text: status.spoiler_text });
  });

  const actions: [string, string, (ctx: AppContext, a: Account, id: string) => Promise<Status>][] = [
    ["favourite", "write:favourites", favouriteStatus],
    ["unfavourite", "write:favourites", unfavouriteStatus],
    ["unreblog", "write:statuses", unreblogStatus],
    ["bookmark", "write:bookmarks", bookmarkStatus],
    ["unbookmark", "write:bookmarks", unbookmarkStatus],
    ["pin", "write:accounts", pinStatus],
    ["unpin", "write:accounts", unpinStatus],
    ["mute", "write:mutes", muteConversation],
    ["unmute", "write:mutes", unmuteConversation],
  ];
  for (const [name, scope, action] of actions) {
    app.post(`/api/v1/statuses/:id{[0-9]+}/${name}`, async (c) => {
      const v = requireUser(c, scope);
      return one(c, await action(ctx, v.account, id(c)), v.account);
    });
  }

  app.post("/api/v1/statuses/:id{[0-9]+}/reblog", async (c) => {
    const v = requireUser(c, "write:statuses");
    const p = validate(ReblogSchema, await allParams(c));
    const reblog = await reblogStatus(ctx, v.account, id(c), p.visibility);
    return one(c, reblog, v.account);
  });

  for (const [name, list] of [
    ["favourited_by", favouritedBy],
    ["reblogged_by", rebloggedBy],
  ] as const) {
    app.get(`/api/v1/statuses/:id{[0-9]+}/${name}`, async (c) => {
      const v = optionalUser(c, "read:statuses");
      const page = parsePage(queryParams(c), 40, 80);
      const rows = await list(ctx, id(c), v?.account.id ?? null, page);
      setLinkHeader(
        c,
        rows.map((r) => r.key),
      );
      return c.json(
        serializeAccounts(
          ctx,
          rows.map((r) => r.item),
        ),
      );
    });
  }

  return app;
}
