/**
 * A push service played by the test (RFC 8030 on node:http): it records every message, checks the
 * VAPID token (RFC 8292) against a key the test names, and decrypts the body as the browser would
 * (RFC 8291 aes128gcm, or the legacy aesgcm), with the user agent keys made here. The code on this
 * side is written from the RFCs independently of src/core/push, so a mistake there cannot cancel out.
 */
import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify as verifySignature,
} from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface UserAgent {
  privateKey: Buffer;
  publicKey: Buffer;
  auth: Buffer;
  /** as a Mastodon client sends them: base64url, no padding */
  keys: { p256dh: string; auth: string };
}

export function newUserAgent(): UserAgent {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    privateKey: ecdh.getPrivateKey(),
    publicKey: ecdh.getPublicKey(),
    auth,
    keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
  };
}

const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, n: number) =>
  Buffer.from(hkdfSync("sha256", ikm, salt, info, n));

function openGcm(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv("aes-128-gcm", key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

/** RFC 8291 + RFC 8188, one record: strips the delimiter (0x02) and any zero padding. */
export function decryptAes128gcm(
  body: Buffer,
  ua: Pick<UserAgent, "privateKey" | "publicKey" | "auth">,
): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body[20] ?? 0;
  const senderPublic = body.subarray(21, 21 + idlen);
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(ua.privateKey);
  const secret = ecdh.computeSecret(senderPublic);
  const ikm = hkdf(
    ua.auth,
    secret,
    Buffer.concat([Buffer.from("WebPush: info\0"), ua.publicKey, senderPublic]),
    32,
  );
  const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
  const padded = openGcm(cek, nonce, body.subarray(21 + idlen));
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("not a last record");
  return padded.subarray(0, end);
}

/** draft-ietf-webpush-encryption-04: salt from `Encryption`, sender key from `Crypto-Key: dh=`. */
export function decryptAesgcm(
  body: Buffer,
  salt: Buffer,
  senderPublic: Buffer,
  ua: Pick<UserAgent, "privateKey" | "publicKey" | "auth">,
): Buffer {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(ua.privateKey);
  const secret = ecdh.computeSecret(senderPublic);
  const ikm = hkdf(ua.auth, secret, Buffer.from("Content-Encoding: auth\0"), 32);
  const len = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const context = Buffer.concat([
    Buffer.from("P-256\0"),
    len(ua.publicKey.length),
    ua.publicKey,
    len(senderPublic.length),
    senderPublic,
  ]);
  const cek = hkdf(salt, ikm, Buffer.concat([Buffer.from("Content-Encoding: aesgcm\0"), context]), 16);
  const nonce = hkdf(salt, ikm, Buffer.concat([Buffer.from("Content-Encoding: nonce\0"), context]), 12);
  const plain = openGcm(cek, nonce, body);
  const pad = plain.readUInt16BE(0);
  return plain.subarray(2 + pad);
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Checks an ES256 JWT against a P-256 public key (65 bytes); returns its claims or throws. */
export function verifyVapidJwt(jwt: string, publicKey: Buffer): VapidClaims {
  const [h, c, s] = jwt.split(".");
  if (!h || !c || !s) throw new Error("malformed JWT");
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  if (header.alg !== "ES256") throw new Error(`alg ${header.alg}`);
  const key = createPublicKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "P-256",
      x: publicKey.subarray(1, 33).toString("base64url"),
      y: publicKey.subarray(33, 65).toString("base64url"),
    },
  });
  const ok = verifySignature(
    "sha256",
    Buffer.from(`${h}.${c}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(s, "base64url"),
  );
  if (!ok) throw new Error("bad VAPID signature");
  return JSON.parse(Buffer.from(c, "base64url").toString()) as VapidClaims;
}

/** `a=1; b=2` or `a=1, b=2` header parameters. */
export function headerParams(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (value ?? "").split(/[;,]/)) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface PushService {
  /** base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  received: ReceivedPush[];
  /** status answered to the next requests (shifted one per request; 201 when empty) */
  answers: number[];
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const received: ReceivedPush[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = answers.shift() ?? 201;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What the browser would see of one received message: checks the VAPID token against
 * `serverKey` (the instance's published key, base64url) and decrypts with the user agent's keys.
 */
export function openPush(
  push: ReceivedPush,
  ua: UserAgent,
  serverKey: string,
): { encoding: string; claims: VapidClaims; json: Record<string, unknown> } {
  const encoding = String(push.headers["content-encoding"]);
  const auth = String(push.headers.authorization ?? "");
  const published = Buffer.from(serverKey, "base64url");
  let jwt: string;
  if (encoding === "aes128gcm") {
    const m = /^vapid (.*)$/.exec(auth);
    if (!m?.[1]) throw new Error(`Authorization: ${auth}`);
    const p = headerParams(m[1]);
    if (p.k !== serverKey) throw new Error("k= is not the published key");
    jwt = p.t ?? "";
  } else {
    const m = /^WebPush (.+)$/.exec(auth);
    if (!m?.[1]) throw new Error(`Authorization: ${auth}`);
    jwt = m[1];
    if (headerParams(String(push.headers["crypto-key"])).p256ecdsa !== serverKey) {
      throw new Error("p256ecdsa= is not the published key");
    }
  }
  const claims = verifyVapidJwt(jwt, published);
  const plain =
    encoding === "aes128gcm"
      ? decryptAes128gcm(push.body, ua)
      : decryptAesgcm(
          push.body,
          Buffer.from(headerParams(String(push.headers.encryption)).salt ?? "", "base64url"),
          Buffer.from(headerParams(String(push.headers["crypto-key"])).dh ?? "", "base64url"),
          ua,
        );
  return { encoding, claims, json: JSON.parse(plain.toString("utf8")) };
}
