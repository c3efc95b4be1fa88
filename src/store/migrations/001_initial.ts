import { type CreateTableBuilder, type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped schema
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: builder generic over table/column names
type Table = CreateTableBuilder<any, any>;

const id = (t: Table) => t.addColumn("id", "text", (c) => c.primaryKey());
const bool = (t: Table, name: string, dflt = 0) =>
  t.addColumn(name, "integer", (c) => c.notNull().defaultTo(dflt));
const ts = (t: Table, name: string, notNull = true) =>
  t.addColumn(name, "text", (c) => (notNull ? c.notNull() : c));
const count = (t: Table, name: string) => t.addColumn(name, "integer", (c) => c.notNull().defaultTo(0));
const ref = (t: Table, name: string, table: string, notNull = true) =>
  t.addColumn(name, "text", (c) => {
    const col = c.references(`${table}.id`).onDelete("cascade");
    return notNull ? col.notNull() : col;
  });

export async function up(db: Db): Promise<void> {
  let t: Table;

  t = id(db.schema.createTable("accounts"))
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("domain", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("display_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("note_source", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("fields", "text", (c) => c.notNull().defaultTo("[]"));
  for (const b of ["locked", "bot"]) t = bool(t, b);
  t = bool(bool(t, "discoverable", 1), "indexable", 1);
  for (const c of [
    "avatar_url",
    "header_url",
    "inbox_url",
    "outbox_url",
    "shared_inbox_url",
    "followers_url",
    "following_url",
    "public_key_pem",
    "private_key_pem",
    "ed25519_public_key",
    "ed25519_private_key",
    "moved_to_account_id",
  ])
    t = t.addColumn(c, "text");
  t = t.addColumn("uri", "text", (c) => c.notNull().unique()).addColumn("url", "text", (c) => c.notNull());
  for (const c of ["followers_count", "following_count", "statuses_count"]) t = count(t, c);
  t = ts(ts(t, "last_status_at", false), "suspended_at", false);
  t = ts(ts(t, "created_at"), "updated_at");
  await t.execute();
  await db.schema
    .createIndex("accounts_username_domain")
    .on("accounts")
    .unique()
    .expression(sql`lower(username), domain`)
    .execute();

  t = ref(id(db.schema.createTable("users")), "account_id", "accounts")
    .addColumn("email", "text")
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("user"))
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("kk"))
    .addColumn("registration_reason", "text")
    .addColumn("otp_secret", "text")
    .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"));
  t = bool(bool(bool(t, "approved", 1), "disabled"), "otp_enabled");
  t = ts(ts(ts(t, "confirmed_at", false), "created_at"), "last_sign_in_at", false);
  await t.addUniqueConstraint("users_account_id", ["account_id"]).execute();
  await db.schema.createIndex("users_email").on("users").unique().expression(sql`lower(email)`).execute();

  await ts(
    id(db.schema.createTable("oauth_apps"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("website", "text")
      .addColumn("redirect_uris", "text", (c) => c.notNull())
      .addColumn("scopes", "text", (c) => c.notNull())
      .addColumn("client_id", "text", (c) => c.notNull().unique())
      .addColumn("client_secret", "text", (c) => c.notNull()),
    "created_at",
  ).execute();

  t = db.schema
    .createTable("oauth_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text")
    .addColumn("code_challenge_method", "text");
  t = ref(ref(t, "app_id", "oauth_apps"), "user_id", "users");
  await ts(ts(ts(t, "expires_at"), "used_at", false), "created_at").execute();

  t = id(db.schema.createTable("oauth_tokens"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("refresh_token_hash", "text", (c) => c.unique())
    .addColumn("scopes", "text", (c) => c.notNull());
  t = ref(ref(t, "app_id", "oauth_apps"), "user_id", "users", false);
  t = ts(ts(ts(ts(t, "created_at"), "expires_at", false), "revoked_at", false), "last_used_at", false);
  await t.execute();
  await db.schema.createIndex("oauth_tokens_user").on("oauth_tokens").column("user_id").execute();

  await ts(
    id(db.schema.createTable("conversations")).addColumn("uri", "text", (c) => c.unique()),
    "created_at",
  ).execute();

  t = id(db.schema.createTable("statuses"))
    .addColumn("uri", "text", (c) => c.notNull().unique())
    .addColumn("url", "text", (c) => c.notNull());
  t = ref(t, "account_id", "accounts");
  t = bool(t, "local");
  // in_reply_to_id is deliberately not a foreign key: a reply outlives the deletion of its parent.
  t = t
    .addColumn("in_reply_to_id", "text")
    .addColumn("in_reply_to_account_id", "text")
    .addColumn("reblog_of_id", "text", (c) => c.references("statuses.id").onDelete("cascade"))
    .addColumn("conversation_id", "text", (c) => c.references("conversations.id").onDelete("set null"))
    .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("content", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("spoiler_text", "text", (c) => c.notNull().defaultTo(""));
  t = bool(t, "sensitive")
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("language", "text")
    .addColumn("application_id", "text")
    .addColumn("poll_id", "text");
  for (const c of ["replies_count", "reblogs_count", "favourites_count"]) t = count(t, c);
  await ts(ts(ts(t, "created_at"), "edited_at", false), "updated_at").execute();
  await db.schema
    .createIndex("statuses_account_id_id")
    .on("statuses")
    .columns(["account_id", "id"])
    .execute();
  await db.schema.createIndex("statuses_in_reply_to").on("statuses").column("in_reply_to_id").execute();
  await db.schema
    .createIndex("statuses_reblog_of")
    .on("statuses")
    .columns(["reblog_of_id", "account_id"])
    .execute();
  await db.schema.createIndex("statuses_conversation").on("statuses").column("conversation_id").execute();
  await db.schema
    .createIndex("statuses_public_local")
    .on("statuses")
    .columns(["visibility", "local", "id"])
    .execute();

  t = ref(ref(id(db.schema.createTable("status_edits")), "status_id", "statuses"), "account_id", "accounts")
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("spoiler_text", "text", (c) => c.notNull());
  await ts(bool(t, "sensitive").addColumn("poll_options", "text"), "created_at").execute();
  await db.schema
    .createIndex("status_edits_status")
    .on("status_edits")
    .columns(["status_id", "id"])
    .execute();

  t = bool(
    ref(ref(id(db.schema.createTable("mentions")), "status_id", "statuses"), "account_id", "accounts"),
    "silent",
  );
  await t.addUniqueConstraint("mentions_status_account", ["status_id", "account_id"]).execute();
  await db.schema
    .createIndex("mentions_account")
    .on("mentions")
    .columns(["account_id", "status_id"])
    .execute();

  await ts(
    id(db.schema.createTable("tags"))
      .addColumn("name", "text", (c) => c.notNull().unique())
      .addColumn("display_name", "text", (c) => c.notNull()),
    "created_at",
  ).execute();
  await ref(ref(db.schema.createTable("status_tags"), "status_id", "statuses"), "tag_id", "tags")
    .addPrimaryKeyConstraint("status_tags_pk", ["tag_id", "status_id"])
    .execute();
  await db.schema.createIndex("status_tags_status").on("status_tags").column("status_id").execute();

  for (const name of ["favourites", "bookmarks", "status_pins"]) {
    t = ref(ref(id(db.schema.createTable(name)), "account_id", "accounts"), "status_id", "statuses");
    if (name === "favourites") t = t.addColumn("uri", "text");
    await ts(t, "created_at")
      .addUniqueConstraint(`${name}_account_status`, ["account_id", "status_id"])
      .execute();
    await db.schema.createIndex(`${name}_status`).on(name).column("status_id").execute();
  }

  await ref(
    ref(db.schema.createTable("conversation_mutes"), "account_id", "accounts"),
    "conversation_id",
    "conversations",
  )
    .addPrimaryKeyConstraint("conversation_mutes_pk", ["account_id", "conversation_id"])
    .execute();

  t = ref(
    ref(id(db.schema.createTable("account_conversations")), "account_id", "accounts"),
    "conversation_id",
    "conversations",
  )
    .addColumn("participant_ids", "text", (c) => c.notNull())
    .addColumn("last_status_id", "text", (c) => c.notNull());
  await ts(bool(t, "unread"), "updated_at")
    .addUniqueConstraint("account_conversations_unique", ["account_id", "conversation_id"])
    .execute();

  for (const name of ["follows", "follow_requests"]) {
    t = ref(ref(id(db.schema.createTable(name)), "account_id", "accounts"), "target_account_id", "accounts");
    t = bool(bool(t, "show_reblogs", 1), "notify")
      .addColumn("languages", "text")
      .addColumn("uri", "text");
    await ts(t, "created_at")
      .addUniqueConstraint(`${name}_pair`, ["account_id", "target_account_id"])
      .execute();
    await db.schema.createIndex(`${name}_target`).on(name).columns(["target_account_id", "id"]).execute();
  }

  t = ref(
    ref(id(db.schema.createTable("blocks")), "account_id", "accounts"),
    "target_account_id",
    "accounts",
  );
  await ts(t.addColumn("uri", "text"), "created_at")
    .addUniqueConstraint("blocks_pair", ["account_id", "target_account_id"])
    .execute();
  await db.schema.createIndex("blocks_target").on("blocks").column("target_account_id").execute();

  t = ref(ref(id(db.schema.createTable("mutes")), "account_id", "accounts"), "target_account_id", "accounts");
  await ts(ts(bool(t, "hide_notifications", 1), "expires_at", false), "created_at")
    .addUniqueConstraint("mutes_pair", ["account_id", "target_account_id"])
    .execute();

  await ref(
    ref(db.schema.createTable("account_notes"), "account_id", "accounts"),
    "target_account_id",
    "accounts",
  )
    .addColumn("comment", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_notes_pk", ["account_id", "target_account_id"])
    .execute();

  t = ref(ref(db.schema.createTable("home_feed"), "account_id", "accounts"), "status_id", "statuses");
  await t
    .addColumn("author_id", "text", (c) => c.notNull())
    .addColumn("reblog_of_id", "text")
    .addPrimaryKeyConstraint("home_feed_pk", ["account_id", "status_id"])
    .execute();
  await db.schema
    .createIndex("home_feed_author")
    .on("home_feed")
    .columns(["account_id", "author_id"])
    .execute();

  t = ref(id(db.schema.createTable("lists")), "account_id", "accounts")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("replies_policy", "text", (c) => c.notNull().defaultTo("list"));
  await ts(bool(t, "exclusive"), "created_at").execute();
  await db.schema.createIndex("lists_account").on("lists").column("account_id").execute();
  await ref(ref(db.schema.createTable("list_accounts"), "list_id", "lists"), "account_id", "accounts")
    .addPrimaryKeyConstraint("list_accounts_pk", ["list_id", "account_id"])
    .execute();
  await db.schema.createIndex("list_accounts_account").on("list_accounts").column("account_id").execute();

  t = ref(
    ref(id(db.schema.createTable("notifications")), "account_id", "accounts"),
    "from_account_id",
    "accounts",
  );
  t = ref(t, "status_id", "statuses", false).addColumn("type", "text", (c) => c.notNull());
  await ts(t, "created_at").execute();
  await db.schema
    .createIndex("notifications_account")
    .on("notifications")
    .columns(["account_id", "id"])
    .execute();

  t = ref(db.schema.createTable("markers"), "account_id", "accounts")
    .addColumn("timeline", "text", (c) => c.notNull())
    .addColumn("last_read_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(0));
  await ts(t, "updated_at").addPrimaryKeyConstraint("markers_pk", ["account_id", "timeline"]).execute();

  t = ref(id(db.schema.createTable("polls")), "account_id", "accounts")
    .addColumn("status_id", "text", (c) => c.references("statuses.id").onDelete("cascade"))
    .addColumn("options", "text", (c) => c.notNull());
  t = bool(bool(bool(t, "multiple"), "hide_totals"), "closed_notified");
  t = count(count(t, "votes_count"), "voters_count");
  await ts(ts(t, "expires_at", false), "created_at").execute();

  t = ref(ref(id(db.schema.createTable("poll_votes")), "poll_id", "polls"), "account_id", "accounts");
  await ts(
    t.addColumn("choice", "integer", (c) => c.notNull()),
    "created_at",
  )
    .addUniqueConstraint("poll_votes_unique", ["poll_id", "account_id", "choice"])
    .execute();

  t = ref(ref(db.schema.createTable("idempotency_keys"), "account_id", "accounts"), "status_id", "statuses");
  await ts(
    t.addColumn("key", "text", (c) => c.notNull()),
    "created_at",
  )
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["account_id", "key"])
    .execute();

  t = ref(id(db.schema.createTable("filters")), "account_id", "accounts")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("context", "text", (c) => c.notNull())
    .addColumn("filter_action", "text", (c) => c.notNull().defaultTo("warn"));
  await ts(ts(t, "expires_at", false), "created_at").execute();
  await db.schema.createIndex("filters_account").on("filters").column("account_id").execute();
  await bool(ref(id(db.schema.createTable("filter_keywords")), "filter_id", "filters"), "whole_word", 1)
    .addColumn("keyword", "text", (c) => c.notNull())
    .execute();
  await ref(
    ref(id(db.schema.createTable("filter_statuses")), "filter_id", "filters"),
    "status_id",
    "statuses",
  ).execute();

  t = id(db.schema.createTable("custom_emojis"))
    .addColumn("shortcode", "text", (c) => c.notNull())
    .addColumn("domain", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("static_url", "text", (c) => c.notNull())
    .addColumn("category", "text");
  await ts(bool(t, "visible_in_picker", 1), "created_at")
    .addUniqueConstraint("custom_emojis_unique", ["shortcode", "domain"])
    .execute();

  t = id(db.schema.createTable("jobs"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.unique())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull().defaultTo(16))
    .addColumn("last_error", "text");
  await ts(ts(ts(ts(t, "run_at"), "locked_until", false), "created_at"), "updated_at").execute();
  await db.schema.createIndex("jobs_ready").on("jobs").columns(["status", "run_at"]).execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    "jobs",
    "custom_emojis",
    "filter_statuses",
    "filter_keywords",
    "filters",
    "idempotency_keys",
    "poll_votes",
    "polls",
    "markers",
    "notifications",
    "list_accounts",
    "lists",
    "home_feed",
    "account_notes",
    "mutes",
    "blocks",
    "follow_requests",
    "follows",
    "account_conversations",
    "conversation_mutes",
    "status_pins",
    "bookmarks",
    "favourites",
    "status_tags",
    "tags",
    "mentions",
    "status_edits",
    "statuses",
    "conversations",
    "oauth_tokens",
    "oauth_codes",
    "oauth_apps",
    "users",
    "accounts",
  ])
    await db.schema.dropTable(table).ifExists().execute();
}
