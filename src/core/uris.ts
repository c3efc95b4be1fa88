/**
 * Every local URL the server hands out — ActivityPub ids that other servers will fetch and keep
 * forever, profile and post pages, static images — is built here, and parsed back here. Changing a
 * scheme later breaks federation, so no other module spells a path.
 */

export type LocalResource =
  | { kind: "actor"; username: string }
  | { kind: "instance-actor" }
  | { kind: "report"; id: string }
  | { kind: "status"; username: string; id: string }
  | { kind: "activity"; username: string; id: string }
  | { kind: "tag"; name: string }
  | { kind: "profile"; username: string }
  | { kind: "post"; username: string; id: string };

export interface LocalUris {
  readonly base: string;
  /** the actor id of a local account (`/users/:username`) */
  actor(username: string): string;
  /** the human profile page (`/@username`) */
  profile(username: string): string;
  inbox(username: string): string;
  outbox(username: string): string;
  followers(username: string): string;
  following(username: string): string;
  featured(username: string): string;
  featuredTags(username: string): string;
  /** a Mastodon 4.6 collection of a local account (ids are digits: no clash with featured, tags) */
  collection(username: string, id: string): string;
  sharedInbox(): string;
  /**
   * The instance actor (an Application named after the domain, Mastodon's `/actor`): it signs
   * fetches of remote objects and the Flags of forwarded reports.
   */
  instanceActor(): string;
  /** the key id of the instance actor's RSA key */
  instanceActorKey(): string;
  /** the id of a forwarded report's Flag activity */
  report(id: string): string;
  /** the Note id of a local status */
  status(username: string, id: string): string;
  /** the human page of a local status (`/@username/:id`) */
  post(username: string, id: string): string;
  /** the id of an activity without an object of its own (a boost's Announce) */
  activity(username: string, id: string): string;
  tag(name: string): string;
  static(file: string): string;
  /**
   * The default avatar or header, under Mastodon's own name for it (`/avatars/original/missing.png`):
   * apps recognise `missing.png` as "none set" and show their own placeholder, not a flat banner.
   */
  defaultImage(kind: "avatar" | "header"): string;
  favicon(): string;
  webfinger(): string;
  nodeinfo(version: string): string;
  /** what a URL of ours names, or null for anything else (another origin, an unknown path) */
  parse(url: string): LocalResource | null;
}

const USER = "([A-Za-z0-9_]+)";
const ID = "(\\d{1,20})";
const PATTERNS: [RegExp, (m: RegExpExecArray) => LocalResource][] = [
  [new RegExp(`^/users/${USER}$`), (m) => ({ kind: "actor", username: m[1] })],
  [/^\/actor$/, () => ({ kind: "instance-actor" })],
  [new RegExp(`^/reports/${ID}$`), (m) => ({ kind: "report", id: m[1] })],
  [new RegExp(`^/users/${USER}/statuses/${ID}$`), (m) => ({ kind: "status", username: m[1], id: m[2] })],
  [
    new RegExp(`^/users/${USER}/statuses/${ID}/activity$`),
    (m) => ({ kind: "activity", username: m[1], id: m[2] }),
  ],
  [new RegExp(`^/@${USER}$`), (m) => ({ kind: "profile", username: m[1] })],
  [new RegExp(`^/@${USER}/${ID}$`), (m) => ({ kind: "post", username: m[1], id: m[2] })],
  [/^\/tags\/([^/]+)$/, (m) => ({ kind: "tag", name: decodeURIComponent(m[1]) })],
];

export function localUris(baseUrl: string): LocalUris {
  const base = baseUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const actor = (username: string) => `${base}/users/${username}`;
  const status = (username: string, id: string) => `${actor(username)}/statuses/${id}`;
  return {
    base,
    actor,
    profile: (username) => `${base}/@${username}`,
    inbox: (username) => `${actor(username)}/inbox`,
    outbox: (username) => `${actor(username)}/outbox`,
    followers: (username) => `${actor(username)}/followers`,
    following: (username) => `${actor(username)}/following`,
    featured: (username) => `${actor(username)}/collections/featured`,
    featuredTags: (username) => `${actor(username)}/collections/tags`,
    collection: (username, id) => `${actor(username)}/collections/${id}`,
    sharedInbox: () => `${base}/inbox`,
    instanceActor: () => `${base}/actor`,
    instanceActorKey: () => `${base}/actor#main-key`,
    report: (id) => `${base}/reports/${id}`,
    status,
    post: (username, id) => `${base}/@${username}/${id}`,
    activity: (username, id) => `${status(username, id)}/activity`,
    tag: (name) => `${base}/tags/${encodeURIComponent(name)}`,
    static: (file) => `${base}/static/${file}`,
    defaultImage: (kind) => `${base}/${kind}s/original/missing.png`,
    favicon: () => `${base}/favicon.ico`,
    webfinger: () => `${base}/.well-known/webfinger`,
    nodeinfo: (version) => `${base}/nodeinfo/${version}`,
    parse(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return null;
      }
      if (u.origin !== origin || u.search || u.hash) return null;
      for (const [re, make] of PATTERNS) {
        const m = re.exec(u.pathname);
        if (m) {
          try {
            return make(m);
          } catch {
            return null; // a malformed percent-escape in a tag
          }
        }
      }
      return null;
    },
  };
}
