/**
 * ActivityPub fixtures (test/fixtures/activitypub/<software>/*.json, see the README there) read
 * through Fedify as the inbox would see them, offline: JSON-LD contexts come from Fedify's preloaded
 * set or from the fixtures folder (Pleroma's litepub context), never from the network.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DocumentLoader } from "@fedify/fedify/runtime";
import { Object as APObject } from "@fedify/fedify/vocab";
import type { RemoteActor } from "../../src/core/remote/types.ts";
import { offlineLoader } from "../../src/federation/converters/from-as.ts";

const ROOT = join(import.meta.dirname, "..", "fixtures", "activitypub");

export type Software = "mastodon" | "misskey" | "gotosocial" | "pleroma";

const LOCAL_CONTEXTS: Record<string, string> = {
  "https://pleroma.example/schemas/litepub-0.1.jsonld": "pleroma/litepub-0.1.jsonld",
};

/** Offline context loader: Fedify's preloaded contexts plus the fixtures' own. */
export const fixtureContextLoader: DocumentLoader = async (url: string) => {
  const local = LOCAL_CONTEXTS[url];
  if (local)
    return {
      contextUrl: null,
      documentUrl: url,
      document: JSON.parse(readFileSync(join(ROOT, local), "utf8")),
    };
  return offlineLoader(url);
};

export function readApFixture(software: Software, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, software, `${name}.json`), "utf8")) as Record<string, unknown>;
}

export interface ApFixture {
  /** the JSON as sent */
  json: Record<string, unknown>;
  /** the object itself (a Create's object), as JSON */
  objectJson: Record<string, unknown>;
  /** the object, parsed by Fedify */
  object: APObject;
  /** the origin the document came from (its id's) */
  origin: string;
}

/**
 * Parses a fixture (a Create's object when it is one) with Fedify; `edit` may change the JSON
 * first (to point a reply at a status the test made).
 */
export async function loadApFixture(
  software: Software,
  name: string,
  edit?: (objectJson: Record<string, unknown>) => void,
): Promise<ApFixture> {
  const json = readApFixture(software, name);
  const inner = json.type === "Create" ? (json.object as Record<string, unknown>) : json;
  const objectJson: Record<string, unknown> = { "@context": json["@context"], ...inner };
  edit?.(objectJson);
  const object = await APObject.fromJsonLd(objectJson, {
    documentLoader: fixtureContextLoader,
    contextLoader: fixtureContextLoader,
  });
  return { json, objectJson, object, origin: new URL(String(objectJson.id)).origin };
}

/** A RemoteActor as the converters would hand it (a fresh username on remote.example unless told). */
export function remoteActor(overrides: Partial<RemoteActor> = {}): RemoteActor {
  const name = overrides.username ?? `r${randomBytes(4).toString("hex")}`;
  const domain = overrides.domain ?? "remote.example";
  const uri = overrides.uri ?? `https://${domain}/users/${name}`;
  return {
    uri,
    url: `https://${domain}/@${name}`,
    type: "Person",
    username: name,
    domain,
    displayName: "Remote Person",
    note: "<p>bio</p>",
    fields: [
      {
        name: "site",
        value: '<a href="https://x.example/" rel="nofollow noopener noreferrer" target="_blank">x</a>',
      },
    ],
    emojis: [],
    avatarUrl: `https://${domain}/a.png`,
    headerUrl: `https://${domain}/h.png`,
    locked: false,
    bot: false,
    discoverable: true,
    indexable: false,
    inbox: `${uri}/inbox`,
    sharedInbox: `https://${domain}/inbox`,
    outbox: `${uri}/outbox`,
    followers: `${uri}/followers`,
    following: `${uri}/following`,
    featured: `${uri}/collections/featured`,
    featuredTags: `${uri}/collections/tags`,
    publicKeyPem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    publicKeyId: `${uri}#main-key`,
    ed25519PublicKey: null,
    ed25519KeyId: null,
    alsoKnownAs: [],
    movedTo: null,
    published: "2020-01-01T00:00:00.000Z",
    ...overrides,
  };
}
