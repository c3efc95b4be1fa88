/**
 * An independent ActivityPub server for tests: a minimal Fedify 2.3.6 app of its own (memory KV,
 * no queue), serving actors with their own keys on a localhost port, keeping what its inbox
 * receives and sending signed activities to Torgai. It shares no code with Torgai's federation.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, type Federation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { type Activity, Endpoints, Person, type Recipient } from "@fedify/fedify/vocab";

export interface Peer {
  origin: string;
  domain: string;
  federation: Federation<void>;
  /** requests it answered (actor and key fetches among them) */
  requests: { count: number; paths: Map<string, number> };
  /** activities its inboxes received, in order (as JSON-LD) */
  received: { path: string; activity: Record<string, unknown> }[];
  actorUri(name: string): string;
  /** sends `activity` signed by `name`'s key to the recipient */
  send(name: string, recipient: Recipient, activity: Activity): Promise<void>;
  /** owners of the keys that signed fetches of its actors (null for an unsigned fetch) */
  actorFetchedBy: (string | null)[];
  /** actors whose documents now answer 410 Gone (their keys still sign what the test sends) */
  gone: Set<string>;
  /** the RSA key pair of an actor (to forge requests in tests) */
  keyPair(name: string): Promise<CryptoKeyPair>;
  stop(): Promise<void>;
}

export interface PeerOptions {
  /** actors are served only to signed fetches (Mastodon's secure mode, "authorized fetch") */
  requireSignedFetch?: boolean;
}

export async function startPeer(actors: string[] = ["peer"], opts: PeerOptions = {}): Promise<Peer> {
  const actorFetchedBy: (string | null)[] = [];
  const keys = new Map<string, CryptoKeyPair>();
  for (const a of actors) keys.set(a, await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"));
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  const received: Peer["received"] = [];
  federation
    .setActorDispatcher("/actors/{identifier}", async (ctx, identifier) => {
      if (!keys.has(identifier)) return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: `Peer ${identifier}`,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: new URL(`${ctx.getActorUri(identifier).href}/followers`),
        publicKey: pair.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const pair = keys.get(identifier);
      return pair ? [pair] : [];
    })
    .authorize(async (ctx) => {
      if (!opts.requireSignedFetch) return true;
      const owner = await ctx.getSignedKeyOwner().catch(() => null);
      actorFetchedBy.push(owner?.id?.href ?? null);
      return !!owner;
    });
  federation
    .setInboxListeners("/actors/{identifier}/inbox", "/inbox")
    .on((await import("@fedify/fedify/vocab")).Activity, async (ctx, activity) => {
      received.push({
        path: ctx.recipient ?? "shared",
        activity: (await activity.toJsonLd({ format: "compact" })) as Record<string, unknown>,
      });
    });

  const gone = new Set<string>();
  const requests = { count: 0, paths: new Map<string, number>() };
  const server: Server = createServer(async (req, res) => {
    requests.count++;
    const key = `${req.method} ${(req.url ?? "").replace(/\/\d+/g, "/N")}`;
    requests.paths.set(key, (requests.paths.get(key) ?? 0) + 1);
    const name = /^\/actors\/([^/?#]+)$/.exec(req.url ?? "")?.[1];
    if (name && gone.has(name)) {
      res.writeHead(410, { "content-type": "application/activity+json" });
      res.end(JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", type: "Tombstone" }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = `http://${req.headers.host}${req.url}`;
    const request = new Request(url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    const response = await federation.fetch(request, { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const ctxFor = () => federation.createContext(new URL(origin), undefined);
  return {
    origin,
    domain: `127.0.0.1:${port}`,
    federation,
    requests,
    received,
    actorFetchedBy,
    gone,
    actorUri: (name) => `${origin}/actors/${name}`,
    send: (name, recipient, activity) => ctxFor().sendActivity({ identifier: name }, recipient, activity),
    keyPair: async (name) => {
      const pair = keys.get(name);
      if (!pair) throw new Error(`no actor ${name}`);
      return pair;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
