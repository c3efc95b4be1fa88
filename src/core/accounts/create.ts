import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { AppContext } from "../../app.ts";
import type { Db } from "../../store/db.ts";
import { type Account, PROFILE_DEFAULTS, type User } from "../../store/schema.ts";
import { ConflictError, ValidationError } from "../errors.ts";

const generateKeyPairAsync = promisify(generateKeyPair);

export const USERNAME_RE = /^[a-z0-9_]{1,30}$/i;
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOCAL_EMAIL_RE = /^[^\s@]+@[a-z0-9-]+$/i;
const RESERVED = new Set([
  "admin",
  "administrator",
  "root",
  "support",
  "help",
  "torgai",
  "api",
  "oauth",
  "auth",
  "settings",
  "about",
  "explore",
  "tags",
  "users",
  "inbox",
  "outbox",
  "actor",
  "instance",
  "webmaster",
  "postmaster",
  "hostmaster",
  "abuse",
  "security",
  "nodeinfo",
  "well_known",
]);

export interface NewLocalAccount {
  username: string;
  email?: string | null;
  password: string;
  role?: User["role"];
  confirmed?: boolean;
  approved?: boolean;
  locale?: string;
  reason?: string | null;
  displayName?: string;
  /** operators may claim reserved names (e.g. an "admin" account from the CLI) */
  allowReserved?: boolean;
  /** the app the user signs up through (POST /api/v1/accounts) */
  createdByAppId?: string | null;
  /** more writes in the account's own transaction (e.g. the job that mails the confirmation link) */
  within?: (trx: Db, created: { account: Account; user: User }) => Promise<void>;
}

export const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** argon2 (a native addon) is loaded on first use, not at start: many processes never hash. */
export async function hashPassword(password: string): Promise<string> {
  const { hash } = await import("@node-rs/argon2");
  return hash(password, ARGON2_OPTIONS);
}

/** argon2 takes any length; the cap only keeps hashing cheap (Mastodon: 72 bytes of bcrypt) */
export const PASSWORD_MAX = 72 * 4;

export function validatePassword(password: string): void {
  if (password.length < 8)
    throw new ValidationError("Validation failed: Password is too short (minimum is 8 characters)");
  if (password.length > PASSWORD_MAX) throw new ValidationError("Validation failed: Password is too long");
}

export function isReservedUsername(username: string): boolean {
  return RESERVED.has(username.toLowerCase());
}

export function localActorUris(ctx: AppContext, username: string) {
  const u = ctx.uris;
  return {
    uri: u.actor(username),
    url: u.profile(username),
    inbox_url: u.inbox(username),
    outbox_url: u.outbox(username),
    shared_inbox_url: u.sharedInbox(),
    followers_url: u.followers(username),
    following_url: u.following(username),
  };
}

/** Generates the RSA (draft-cavage signatures) and Ed25519 (FEP-8b32, RFC 9421) key pairs. */
export async function generateActorKeys() {
  const [rsa, ed] = await Promise.all([
    generateKeyPairAsync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    }),
    generateKeyPairAsync("ed25519", {
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    }),
  ]);
  return {
    public: { public_key_pem: rsa.publicKey, ed25519_public_key: ed.publicKey },
    private: { private_key_pem: rsa.privateKey, ed25519_private_key: ed.privateKey },
  };
}

/**
 * Creates a local account and its user in one transaction. Slow work (key generation, hashing)
 * happens before the transaction so the single SQLite writer is held only for the inserts.
 */
export async function createLocalAccount(
  ctx: AppContext,
  input: NewLocalAccount,
  db: Db = ctx.db,
): Promise<{ account: Account; user: User }> {
  const username = input.username.trim();
  if (!USERNAME_RE.test(username)) {
    throw new ValidationError(
      "Validation failed: Username must contain only letters, numbers and underscores (max 30)",
    );
  }
  if (!input.allowReserved && RESERVED.has(username.toLowerCase())) {
    throw new ValidationError("Validation failed: Username is reserved");
  }
  const email = input.email?.trim() ? input.email.trim() : null;
  // The operator (CLI) may give a dotless host such as admin@localhost, as Mastodon's dev setup does;
  // sign-ups through the API still need a domain with a dot.
  const emailOk = email && (EMAIL_RE.test(email) || (input.allowReserved && LOCAL_EMAIL_RE.test(email)));
  if (email && !emailOk) throw new ValidationError("Validation failed: Email is invalid");
  validatePassword(input.password);

  const [keys, passwordHash] = await Promise.all([generateActorKeys(), hashPassword(input.password)]);
  const now = ctx.now().toISOString();
  const accountId = ctx.ids();
  const account: Account = {
    id: accountId,
    username,
    domain: "",
    display_name: input.displayName ?? "",
    note: "",
    note_source: "",
    fields: "[]",
    locked: 0,
    bot: 0,
    discoverable: 1,
    indexable: 1,
    avatar_url: null,
    header_url: null,
    ...PROFILE_DEFAULTS,
    ...localActorUris(ctx, username),
    ...keys.public,
    followers_count: 0,
    following_count: 0,
    statuses_count: 0,
    last_status_at: null,
    suspended_at: null,
    moved_to_account_id: null,
    featured_url: null,
    featured_tags_url: null,
    actor_type: "Person",
    public_key_id: null,
    ed25519_key_id: null,
    also_known_as: "[]",
    fetched_at: null,
    created_at: now,
    updated_at: now,
  };
  const user: User = {
    id: ctx.ids(),
    account_id: accountId,
    email,
    password_hash: passwordHash,
    role: input.role ?? "user",
    confirmed_at: input.confirmed === false ? null : now,
    approved: input.approved === false ? 0 : 1,
    disabled: 0,
    locale: input.locale ?? "kk",
    registration_reason: input.reason ?? null,
    otp_secret: null,
    otp_enabled: 0,
    otp_last_step: null,
    settings: "{}",
    created_at: now,
    last_sign_in_at: null,
    created_by_app_id: input.createdByAppId ?? null,
  };
  const run = async (trx: Db) => {
    const taken = await trx
      .selectFrom("accounts")
      .select("id")
      .where((eb) => eb(eb.fn("lower", ["username"]), "=", username.toLowerCase()))
      .where("domain", "=", "")
      .executeTakeFirst();
    if (taken) throw new ConflictError("Validation failed: Username has already been taken");
    if (email) {
      // only a confirmed address is taken: typing someone's address reserves nothing
      const used = await trx
        .selectFrom("users")
        .select("id")
        .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
        .where("confirmed_at", "is not", null)
        .executeTakeFirst();
      if (used) throw new ConflictError("Validation failed: Email has already been taken");
    }
    await trx.insertInto("accounts").values(account).execute();
    await trx
      .insertInto("account_keys")
      .values({ account_id: accountId, ...keys.private, created_at: now })
      .execute();
    await trx.insertInto("users").values(user).execute();
    await input.within?.(trx, { account, user });
  };
  try {
    if (db === ctx.db) await ctx.db.transaction().execute(run);
    else await run(db);
  } catch (err) {
    // a concurrent registration of the same name loses on the unique index, not with a 500
    if (err instanceof ConflictError) throw new ValidationError(err.message);
    if (/unique|duplicate/i.test(String((err as Error)?.message))) {
      throw new ValidationError("Validation failed: Username or email has already been taken");
    }
    throw err;
  }
  return { account, user };
}
