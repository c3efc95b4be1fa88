/**
 * Kysely table types. Conventions that hold on SQLite and PostgreSQL alike:
 * - ids are 18-digit time-sortable decimal strings (text);
 * - booleans are integers 0/1;
 * - timestamps are ISO 8601 UTC strings (text), so they sort and compare as text;
 * - JSON values are text, parsed in repositories.
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

type Bool = number; // 0 | 1
type Timestamp = string; // ISO 8601

export interface AccountsTable {
  id: string;
  username: string;
  domain: string; // "" for local accounts
  display_name: string;
  note: string; // rendered HTML
  note_source: string;
  fields: string; // JSON [{name, value, verified_at}]
  locked: Bool;
  bot: Bool;
  discoverable: Bool;
  indexable: Bool;
  avatar_url: string | null;
  header_url: string | null;
  uri: string;
  url: string;
  inbox_url: string | null;
  outbox_url: string | null;
  shared_inbox_url: string | null;
  followers_url: string | null;
  following_url: string | null;
  featured_url: string | null;
  featured_tags_url: string | null;
  /** the ActivityStreams actor type: Person (local accounts), Service, Application, Group, Organization */
  actor_type: Generated<string>;
  public_key_pem: string | null;
  /** the id a signature names the RSA key by (remote accounts) */
  public_key_id: string | null;
  ed25519_public_key: string | null; // PEM (SPKI)
  ed25519_key_id: string | null;
  /** JSON [actor uri]: a remote account's aliases (a Move must come from one) */
  also_known_as: Generated<string>;
  /** when a remote actor document was last read */
  fetched_at: Timestamp | null;
  followers_count: Generated<number>;
  following_count: Generated<number>;
  statuses_count: Generated<number>;
  last_status_at: Timestamp | null;
  suspended_at: Timestamp | null;
  moved_to_account_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  // Mastodon 4.6 profile settings (018)
  avatar_description: Generated<string>;
  header_description: Generated<string>;
  show_media: Generated<Bool>;
  show_media_replies: Generated<Bool>;
  show_featured: Generated<Bool>;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string | null;
  password_hash: string;
  role: "user" | "moderator" | "admin";
  confirmed_at: Timestamp | null;
  approved: Bool;
  disabled: Bool;
  locale: string;
  registration_reason: string | null;
  otp_secret: string | null;
  otp_enabled: Bool;
  otp_last_step: number | null; // last TOTP time step accepted (replay guard)
  settings: string; // JSON preferences
  created_at: Timestamp;
  last_sign_in_at: Timestamp | null;
  /** the app the user signed up through (null: CLI, or before it was recorded) */
  created_by_app_id: string | null;
}

/** A mailed confirmation link: only the token's hash, bound to the address it went to. */
export interface EmailConfirmationsTable {
  token_hash: string;
  user_id: string;
  email: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface OauthAppsTable {
  id: string;
  name: string;
  website: string | null;
  redirect_uris: string; // newline separated
  scopes: string; // space separated
  client_id: string;
  client_secret: string;
  created_at: Timestamp;
}

export interface OauthCodesTable {
  code_hash: string;
  app_id: string;
  user_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface OauthTokensTable {
  id: string;
  token_hash: string;
  refresh_token_hash: string | null;
  app_id: string;
  user_id: string | null; // null for client_credentials tokens
  scopes: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  grant_ref: string | null; // code hash / first token id of the grant family
}

export interface StatusesTable {
  id: string;
  uri: string;
  url: string;
  account_id: string;
  local: Bool;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog_of_id: string | null;
  conversation_id: string | null;
  text: string; // source as typed
  content: string; // rendered HTML
  spoiler_text: string;
  sensitive: Bool;
  visibility: "public" | "unlisted" | "private" | "direct";
  language: string | null;
  application_id: string | null;
  poll_id: string | null;
  replies_count: Generated<number>;
  reblogs_count: Generated<number>;
  favourites_count: Generated<number>;
  created_at: Timestamp;
  edited_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface StatusEditsTable {
  id: string;
  status_id: string;
  account_id: string;
  text: string;
  content: string;
  spoiler_text: string;
  sensitive: Bool;
  poll_options: string | null; // JSON [title]
  created_at: Timestamp;
}

export interface MentionsTable {
  id: string;
  status_id: string;
  account_id: string;
  silent: Bool;
}

export interface TagsTable {
  /** random 18-digit decimal, not time-sortable: a tag's id must not date its first (maybe private) use */
  id: string;
  name: string; // normalised (case-folded) key
  /** as the first public or unlisted post wrote it (until then: as first written, never shown) */
  display_name: string;
  created_at: Timestamp;
  /** when a public or unlisted post first used it; until then others cannot see the tag */
  public_at: Timestamp | null;
}

export interface StatusTagsTable {
  status_id: string;
  tag_id: string;
}

export interface FavouritesTable {
  id: string;
  account_id: string;
  status_id: string;
  uri: string | null;
  created_at: Timestamp;
}

export interface BookmarksTable {
  id: string;
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

export interface StatusPinsTable {
  id: string;
  account_id: string;
  status_id: string;
  created_at: Timestamp;
}

export interface ConversationsTable {
  id: string;
  uri: string | null;
  created_at: Timestamp;
}

export interface ConversationMutesTable {
  account_id: string;
  conversation_id: string;
}

/** Direct-message conversations as the Mastodon /api/v1/conversations API shows them. */
export interface AccountConversationsTable {
  id: string;
  account_id: string;
  conversation_id: string;
  participant_ids: string; // JSON [account id] excluding the owner, sorted
  last_status_id: string;
  unread: Bool;
  updated_at: Timestamp;
}

export interface FollowsTable {
  id: string;
  account_id: string;
  target_account_id: string;
  show_reblogs: Bool;
  notify: Bool;
  languages: string | null; // JSON
  uri: string | null;
  created_at: Timestamp;
}

export interface FollowRequestsTable {
  id: string;
  account_id: string;
  target_account_id: string;
  show_reblogs: Bool;
  notify: Bool;
  languages: string | null;
  uri: string | null;
  created_at: Timestamp;
}

export interface BlocksTable {
  id: string;
  account_id: string;
  target_account_id: string;
  uri: string | null;
  created_at: Timestamp;
}

export interface MutesTable {
  id: string;
  account_id: string;
  target_account_id: string;
  hide_notifications: Bool;
  expires_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AccountNotesTable {
  account_id: string;
  target_account_id: string;
  comment: string;
}

/** Materialised home timelines: one row per (owner, status) — status may be a reblog. */
export interface HomeFeedTable {
  account_id: string;
  status_id: string;
  author_id: string; // who made the entry (for unfollow cleanup)
  reblog_of_id: string | null;
}

export interface ListsTable {
  id: string;
  account_id: string;
  title: string;
  replies_policy: "followed" | "list" | "none";
  exclusive: Bool;
  created_at: Timestamp;
}

export interface ListAccountsTable {
  list_id: string;
  account_id: string;
}

export interface NotificationsTable {
  id: string;
  account_id: string; // recipient
  from_account_id: string;
  type: string;
  status_id: string | null;
  /** Mastodon's grouping key (favourite/reblog/follow); null means the notification stands alone */
  group_key: string | null;
  /** held back by the recipient's notification policy until its request is accepted */
  filtered: Generated<Bool>;
  created_at: Timestamp;
}

export type NotificationPolicyValue = "accept" | "filter" | "drop";

export interface NotificationPoliciesTable {
  account_id: string;
  for_not_following: NotificationPolicyValue;
  for_not_followers: NotificationPolicyValue;
  for_new_accounts: NotificationPolicyValue;
  for_private_mentions: NotificationPolicyValue;
  for_limited_accounts: NotificationPolicyValue;
  for_bots: NotificationPolicyValue;
  updated_at: Timestamp;
}

/** Filtered notifications from one sender, as the recipient sees them in "requests". */
export interface NotificationRequestsTable {
  id: string;
  account_id: string;
  from_account_id: string;
  last_status_id: string | null;
  notifications_count: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Senders whose notifications are never filtered for this account (an accepted request). */
export interface NotificationPermissionsTable {
  account_id: string;
  from_account_id: string;
  created_at: Timestamp;
}

export interface ScheduledStatusesTable {
  id: string;
  account_id: string;
  scheduled_at: Timestamp;
  params: string; // JSON ScheduledParams (src/core/statuses/scheduled.ts)
  application_id: string | null;
  idempotency_key: string | null;
  created_at: Timestamp;
}

export interface MarkersTable {
  account_id: string;
  timeline: string;
  last_read_id: string;
  version: number;
  updated_at: Timestamp;
}

export interface PollsTable {
  id: string;
  status_id: string | null;
  account_id: string;
  options: string; // JSON [title]
  multiple: Bool;
  hide_totals: Bool;
  expires_at: Timestamp | null;
  votes_count: Generated<number>;
  voters_count: Generated<number>;
  closed_notified: Bool;
  /** a remote poll's votes per option as its server counts them (JSON [n]); null for local polls */
  remote_counts: string | null;
  created_at: Timestamp;
}

export interface PollVotesTable {
  id: string;
  poll_id: string;
  account_id: string;
  choice: number;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  status_id: string;
  created_at: Timestamp;
}

export interface FiltersTable {
  id: string;
  account_id: string;
  title: string;
  context: string; // JSON ["home","notifications","public","thread","account"]
  filter_action: "warn" | "hide" | "blur";
  expires_at: Timestamp | null;
  created_at: Timestamp;
}

export interface FilterKeywordsTable {
  id: string;
  filter_id: string;
  keyword: string;
  whole_word: Bool;
}

export interface FilterStatusesTable {
  id: string;
  filter_id: string;
  status_id: string;
}

export interface CustomEmojisTable {
  id: string;
  shortcode: string;
  domain: string;
  url: string;
  static_url: string;
  visible_in_picker: Bool;
  category: string | null;
  created_at: Timestamp;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

/** A Web Push subscription of one access token (migration 016). */
export interface PushSubscriptionsTable {
  id: string;
  access_token_id: string;
  user_id: string;
  /** the user's account: notifications name their recipient by account */
  account_id: string;
  endpoint: string;
  key_p256dh: string;
  key_auth: string;
  /** 1: RFC 8291 aes128gcm; 0: the legacy aesgcm Mastodon sends by default */
  standard: Bool;
  /** JSON object: notification type → boolean */
  alerts: string;
  policy: "all" | "followed" | "follower" | "none";
  /** the bearer token, sealed with a server secret (src/core/push/subscriptions.ts) */
  access_token_sealed: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Private keys of local accounts, read only to sign (never on the accounts row). */
export interface AccountKeysTable {
  account_id: string;
  private_key_pem: string;
  ed25519_private_key: string;
  created_at: Timestamp;
}

export interface JobsTable {
  id: string;
  type: string;
  payload: string; // JSON
  dedupe_key: string | null;
  /** jobs sharing a key run one at a time, oldest first */
  ordering_key: string | null;
  status: "pending" | "running" | "done" | "dead";
  attempts: number;
  max_attempts: number;
  run_at: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TagFollowsTable {
  id: string;
  account_id: string;
  tag_id: string;
  created_at: Timestamp;
}

/** Accounts a user features on their profile (Mastodon's account_pins, "endorsements"). */
export interface AccountEndorsementsTable {
  id: string;
  account_id: string;
  target_account_id: string;
  created_at: Timestamp;
}

/** Mastodon 4.6 collections: a named, ordered-by-addition list of accounts a user features. */
export interface CollectionsTable {
  id: string;
  account_id: string;
  name: string;
  description: string;
  language: string | null;
  sensitive: Bool;
  discoverable: Bool;
  tag_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CollectionItemsTable {
  id: string;
  collection_id: string;
  account_id: string;
  state: "pending" | "accepted";
  created_at: Timestamp;
}

export interface FeaturedTagsTable {
  id: string;
  account_id: string;
  tag_id: string;
  created_at: Timestamp;
}

/** Domains a user hides (Mastodon's account_domain_blocks). */
export interface AccountDomainBlocksTable {
  id: string;
  account_id: string;
  domain: string;
  created_at: Timestamp;
}

/** An admin's decision about another server (Mastodon's domain_blocks). */
export interface DomainBlocksTable {
  domain: string;
  severity: "suspend" | "silence" | "noop";
  reject_media: Bool;
  reject_reports: Bool;
  public_comment: string;
  private_comment: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** How deliveries to another server fare. */
export interface InstancesTable {
  domain: string;
  /** failed deliveries since the last success */
  failures: Generated<number>;
  first_failure_at: Timestamp | null;
  last_failure_at: Timestamp | null;
  last_error: string | null;
  last_success_at: Timestamp | null;
  /** set after days of failures: deliveries stop until the server is heard from */
  unavailable_at: Timestamp | null;
}

export interface ReportsTable {
  id: string;
  account_id: string; // reporter
  target_account_id: string;
  status_ids: string; // JSON [id]
  rule_ids: string; // JSON [id]
  comment: string;
  category: "spam" | "legal" | "violation" | "other";
  forward: Bool;
  action_taken_at: Timestamp | null;
  created_at: Timestamp;
  /** the Flag's id: ours for a forwarded report, the sender's for one received (019) */
  uri: string | null;
}

/** Fedify's key–value store (src/federation/kv.ts); key and value are JSON text. */
export interface FedifyKvTable {
  key: string;
  value: string;
  expires_at: Timestamp | null;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  email_confirmations: EmailConfirmationsTable;
  oauth_apps: OauthAppsTable;
  oauth_codes: OauthCodesTable;
  oauth_tokens: OauthTokensTable;
  statuses: StatusesTable;
  status_edits: StatusEditsTable;
  mentions: MentionsTable;
  tags: TagsTable;
  status_tags: StatusTagsTable;
  favourites: FavouritesTable;
  bookmarks: BookmarksTable;
  status_pins: StatusPinsTable;
  conversations: ConversationsTable;
  conversation_mutes: ConversationMutesTable;
  account_conversations: AccountConversationsTable;
  follows: FollowsTable;
  follow_requests: FollowRequestsTable;
  blocks: BlocksTable;
  mutes: MutesTable;
  account_notes: AccountNotesTable;
  home_feed: HomeFeedTable;
  lists: ListsTable;
  list_accounts: ListAccountsTable;
  notifications: NotificationsTable;
  notification_policies: NotificationPoliciesTable;
  notification_requests: NotificationRequestsTable;
  notification_permissions: NotificationPermissionsTable;
  scheduled_statuses: ScheduledStatusesTable;
  markers: MarkersTable;
  polls: PollsTable;
  poll_votes: PollVotesTable;
  idempotency_keys: IdempotencyKeysTable;
  filters: FiltersTable;
  filter_keywords: FilterKeywordsTable;
  filter_statuses: FilterStatusesTable;
  custom_emojis: CustomEmojisTable;
  jobs: JobsTable;
  account_keys: AccountKeysTable;
  fedify_kv: FedifyKvTable;
  server_secrets: ServerSecretsTable;
  tag_follows: TagFollowsTable;
  featured_tags: FeaturedTagsTable;
  account_endorsements: AccountEndorsementsTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
  account_domain_blocks: AccountDomainBlocksTable;
  domain_blocks: DomainBlocksTable;
  instances: InstancesTable;
  reports: ReportsTable;
  push_subscriptions: PushSubscriptionsTable;
}

export type Account = Selectable<AccountsTable>;

/** The 4.6 profile settings of a new account (018's column defaults), for code that builds rows. */
export const PROFILE_DEFAULTS = {
  avatar_description: "",
  header_description: "",
  show_media: 1,
  show_media_replies: 1,
  show_featured: 1,
} as const satisfies Partial<Account>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type User = Selectable<UsersTable>;
export type Status = Selectable<StatusesTable>;
export type NewStatus = Insertable<StatusesTable>;
export type OauthApp = Selectable<OauthAppsTable>;
export type OauthToken = Selectable<OauthTokensTable>;
export type Notification = Selectable<NotificationsTable>;
export type PushSubscription = Selectable<PushSubscriptionsTable>;
export type NotificationRequest = Selectable<NotificationRequestsTable>;
export type ScheduledStatus = Selectable<ScheduledStatusesTable>;
export type Poll = Selectable<PollsTable>;
export type Job = Selectable<JobsTable>;
export type AccountKeys = Selectable<AccountKeysTable>;
export type List = Selectable<ListsTable>;
export type DomainBlock = Selectable<DomainBlocksTable>;
export type InstanceRow = Selectable<InstancesTable>;
