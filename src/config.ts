import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => v === "1" || v === "true" || v === "yes" || v === "on");

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  TORGAI_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?$/i, "must be a host name, optionally with :port")
    .optional(),
  TORGAI_PROTOCOL: z.enum(["http", "https"]).optional(),
  TORGAI_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  TORGAI_INSTANCE_TITLE: z.string().default("Torgai"),
  TORGAI_INSTANCE_DESCRIPTION: z.string().default("Қазақ интернетінің әлеуметтік желісі"),
  TORGAI_CONTACT_EMAIL: z.string().default(""),
  /** the "about" page text (plain text, blank lines between paragraphs); empty by default */
  TORGAI_INSTANCE_EXTENDED_DESCRIPTION: z.string().max(100_000).default(""),
  TORGAI_REGISTRATIONS: z.enum(["open", "approval", "closed"]).default("open"),
  TORGAI_MAX_STATUS_CHARS: z.coerce.number().int().min(1).max(100_000).default(5000),
  TORGAI_MAX_POLL_OPTIONS: z.coerce.number().int().min(2).max(20).default(4),
  TORGAI_MAX_MENTIONS: z.coerce.number().int().min(1).max(500).default(50),
  TORGAI_TEST_MODE: bool.default(false),
  TORGAI_SQLITE_SYNC: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  /** lets `torgai web` and `torgai worker` share one SQLite file (measurements only, see README) */
  TORGAI_ALLOW_SPLIT_SQLITE: bool.default(false),
  TORGAI_RATE_LIMIT: bool.default(true),
  /** the response cache of `torgai all` (core/response-cache.ts); web/worker processes never use it */
  TORGAI_RESPONSE_CACHE: bool.default(true),
  /** outbound requests may reach loopback and private addresses (federation tests on localhost only) */
  TORGAI_ALLOW_PRIVATE_NETWORK: bool.default(false),
  /** proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma separated); loopback by default */
  TORGAI_TRUSTED_PROXIES: z
    .string()
    .default("127.0.0.0/8,::1")
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .refine((list) => list.every((e) => isIP(e.split("/")[0]) !== 0), "must be IP addresses or CIDR ranges"),
  /** federation over ActivityPub (on by default; off keeps the server to itself) */
  TORGAI_FEDERATION: bool.default(true),
  /** how long remote votes on a local poll are gathered before its counts are federated (ms) */
  TORGAI_POLL_UPDATE_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  TORGAI_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** outgoing mail: a URL (smtp://user:pass@host:587, smtps://… for implicit TLS) or the parts */
  TORGAI_SMTP_URL: z
    .string()
    .optional()
    .refine(
      (v) => !v?.trim() || (URL.canParse(v.trim()) && /^smtps?:$/.test(new URL(v.trim()).protocol)),
      "must be smtp://[user:password@]host[:port] or smtps://…",
    ),
  TORGAI_SMTP_HOST: z.string().optional(),
  TORGAI_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  TORGAI_SMTP_USER: z.string().optional(),
  TORGAI_SMTP_PASSWORD: z.string().optional(),
  TORGAI_SMTP_SECURE: bool.optional(),
  TORGAI_SMTP_FROM: z.string().max(320).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

/** SMTP settings; `secure` is implicit TLS (port 465), otherwise STARTTLS is used when offered. */
export interface MailConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  /** the From header of every message */
  from: string;
}

export type Config = {
  port: number;
  host: string;
  domain: string;
  baseUrl: string;
  dataDir: string;
  databaseUrl: string;
  redisUrl?: string;
  instanceTitle: string;
  instanceDescription: string;
  instanceExtendedDescription: string;
  contactEmail: string;
  registrations: "open" | "approval" | "closed";
  /** ActivityPub federation: deliveries, inboxes and remote lookups */
  federation: boolean;
  /** remote votes on a local poll gathered this long before one Update(Question) is sent */
  pollUpdateDebounceMs: number;
  maxStatusChars: number;
  maxPollOptions: number;
  /** distinct accounts one post may mention */
  maxMentions: number;
  testMode: boolean;
  sqliteSync: "NORMAL" | "FULL";
  allowSplitSqlite: boolean;
  rateLimit: boolean;
  responseCache: boolean;
  /** the outbound fetch guard lets requests reach loopback and private addresses (tests only) */
  allowPrivateNetwork: boolean;
  trustedProxies: string[];
  jobConcurrency: number;
  logLevel: string;
  /** null: no mail is sent, and e-mail addresses are never confirmed */
  mail: MailConfig | null;
};

export class ConfigError extends Error {}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function mailConfig(e: z.infer<typeof EnvSchema>, domain: string): MailConfig | null {
  const url = e.TORGAI_SMTP_URL?.trim();
  const host = e.TORGAI_SMTP_HOST?.trim();
  if (url && host) {
    throw new ConfigError("Invalid configuration:\n  TORGAI_SMTP_URL: set it or TORGAI_SMTP_HOST, not both");
  }
  const from = e.TORGAI_SMTP_FROM?.trim() || `Torgai <notifications@${domain.replace(/:\d+$/, "")}>`;
  if (url) {
    const u = new URL(url);
    const secure = u.protocol === "smtps:";
    return {
      host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port ? Number(u.port) : secure ? 465 : 587,
      secure,
      user: u.username ? decoded(u.username) : undefined,
      password: u.password ? decoded(u.password) : undefined,
      from,
    };
  }
  if (!host) return null;
  const port = e.TORGAI_SMTP_PORT ?? (e.TORGAI_SMTP_SECURE ? 465 : 587);
  return {
    host,
    port,
    secure: e.TORGAI_SMTP_SECURE ?? port === 465,
    user: e.TORGAI_SMTP_USER || undefined,
    password: e.TORGAI_SMTP_PASSWORD || undefined,
    from,
  };
}

/** Reads the environment into a typed config; every default works on one machine. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.TORGAI_DATA_DIR);
  // unset: this machine on the port it listens on (a public server sets its domain once)
  const domain = (e.TORGAI_DOMAIN ?? `localhost:${e.PORT}`).toLowerCase();
  const isLocalHost = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(domain);
  const protocol = e.TORGAI_PROTOCOL ?? (isLocalHost ? "http" : "https");
  const databaseUrl = e.DATABASE_URL?.trim()
    ? e.DATABASE_URL.trim()
    : `sqlite:${resolve(dataDir, "torgai.db")}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError("Invalid configuration:\n  DATABASE_URL: must start with sqlite: or postgres://");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    domain,
    baseUrl: `${protocol}://${domain}`,
    dataDir,
    databaseUrl,
    redisUrl: e.REDIS_URL?.trim() || undefined,
    instanceTitle: e.TORGAI_INSTANCE_TITLE,
    instanceDescription: e.TORGAI_INSTANCE_DESCRIPTION,
    instanceExtendedDescription: e.TORGAI_INSTANCE_EXTENDED_DESCRIPTION.trim(),
    contactEmail: e.TORGAI_CONTACT_EMAIL,
    registrations: e.TORGAI_REGISTRATIONS,
    federation: e.TORGAI_FEDERATION,
    pollUpdateDebounceMs: e.TORGAI_POLL_UPDATE_DEBOUNCE_MS,
    maxStatusChars: e.TORGAI_MAX_STATUS_CHARS,
    maxPollOptions: e.TORGAI_MAX_POLL_OPTIONS,
    maxMentions: e.TORGAI_MAX_MENTIONS,
    testMode: e.TORGAI_TEST_MODE,
    sqliteSync: e.TORGAI_SQLITE_SYNC,
    allowSplitSqlite: e.TORGAI_ALLOW_SPLIT_SQLITE,
    rateLimit: e.TORGAI_RATE_LIMIT,
    responseCache: e.TORGAI_RESPONSE_CACHE,
    allowPrivateNetwork: e.TORGAI_ALLOW_PRIVATE_NETWORK,
    trustedProxies: e.TORGAI_TRUSTED_PROXIES,
    jobConcurrency: e.TORGAI_JOB_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    mail: mailConfig(e, domain),
  };
}
