/**
 * Web Push message encryption and VAPID, on node:crypto alone.
 *
 * - `encryptAes128gcm`: RFC 8291 over RFC 8188 (`Content-Encoding: aes128gcm`), what browsers and
 *   push services standardised on; Mastodon uses it for subscriptions created with `standard: true`.
 * - `encryptAesgcm`: the earlier draft (draft-ietf-webpush-encryption-04, `Content-Encoding:
 *   aesgcm`, salt and key in the `Encryption` and `Crypto-Key` headers), which Mastodon still sends
 *   to every subscription without `standard` and which most Mastodon apps' relays expect.
 * - `vapidJwt`: the RFC 8292 token (ES256 JWT with aud/exp/sub).
 *
 * Why our own module: the MIT candidates (@pushforge/builder, webpush-webcrypto,
 * @block65/webcrypto-web-push) each implement only the legacy aesgcm scheme, and web-push is
 * MPL-2.0. The whole of both schemes is three HKDF calls and one AES-GCM record; the RFC 8291
 * Appendix A vector pins ours byte for byte (web-push-crypto.test.ts).
 */
import {
  createCipheriv,
  createECDH,
  createPrivateKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  sign as signData,
} from "node:crypto";

const CURVE = "prime256v1";
/** One record holds the whole message: push services accept at most 4096 bytes of body. */
const RECORD_SIZE = 4096;
/** Longest plaintext a push service is guaranteed to take in one aes128gcm message (RFC 8291 §4). */
export const MAX_PLAINTEXT_BYTES = 3993;

export interface SubscriptionKeys {
  /** the user agent's P-256 public key, uncompressed (65 bytes) */
  p256dh: Buffer;
  /** the user agent's authentication secret (16 bytes from every browser) */
  auth: Buffer;
}

/** A sender key pair for one message; tests pass a fixed one, senders let it be generated. */
export interface EncryptOptions {
  salt?: Buffer;
  /** the application server's ephemeral private key (32 bytes) */
  senderPrivateKey?: Buffer;
}

export function fromBase64(value: string): Buffer {
  // Node decodes both alphabets (standard and URL-safe) and tolerates missing padding
  return Buffer.from(value, "base64");
}

export function toBase64Url(value: Buffer | Uint8Array): string {
  return Buffer.from(value).toString("base64url");
}

function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, length));
}

function senderKeys(opts: EncryptOptions): ECDH {
  const ecdh = createECDH(CURVE);
  if (opts.senderPrivateKey) ecdh.setPrivateKey(opts.senderPrivateKey);
  else ecdh.generateKeys();
  return ecdh;
}

function gcm(key: Buffer, nonce: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv("aes-128-gcm", key, nonce);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * True when the keys can receive a message: p256dh is a point on P-256 and auth is present.
 * (Mastodon's WebPushKeyValidator tries an encryption for the same purpose.)
 */
export function validSubscriptionKeys(keys: SubscriptionKeys): boolean {
  if (keys.p256dh.length !== 65 || keys.p256dh[0] !== 4) return false;
  if (keys.auth.length < 1 || keys.auth.length > 64) return false;
  try {
    const probe = createECDH(CURVE);
    probe.generateKeys();
    probe.computeSecret(keys.p256dh);
    return true;
  } catch {
    return false;
  }
}

/** RFC 8291 message body: header (salt, record size, sender key) then one encrypted record. */
export function encryptAes128gcm(
  plaintext: Buffer,
  keys: SubscriptionKeys,
  opts: EncryptOptions = {},
): Buffer {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new Error("push message too long");
  const salt = opts.salt ?? randomBytes(16);
  const sender = senderKeys(opts);
  const senderPublic = sender.getPublicKey();
  const ecdhSecret = sender.computeSecret(keys.p256dh);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.p256dh, senderPublic]);
  const ikm = hkdf(keys.auth, ecdhSecret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
  const header = Buffer.alloc(16 + 4 + 1);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header.writeUInt8(senderPublic.length, 20);
  // 0x02 closes the last (only) record; no padding after it
  const record = gcm(cek, nonce, Buffer.concat([plaintext, Buffer.from([2])]));
  return Buffer.concat([header, senderPublic, record]);
}

export interface AesgcmMessage {
  body: Buffer;
  salt: Buffer;
  /** the sender's ephemeral public key, for `Crypto-Key: dh=` */
  senderPublicKey: Buffer;
}

/** The legacy scheme: one record (2-byte padding length, no padding, plaintext); salt and key go in headers. */
export function encryptAesgcm(
  plaintext: Buffer,
  keys: SubscriptionKeys,
  opts: EncryptOptions = {},
): AesgcmMessage {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new Error("push message too long");
  const salt = opts.salt ?? randomBytes(16);
  const sender = senderKeys(opts);
  const senderPublic = sender.getPublicKey();
  const ecdhSecret = sender.computeSecret(keys.p256dh);
  const ikm = hkdf(keys.auth, ecdhSecret, Buffer.from("Content-Encoding: auth\0"), 32);
  const length = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
  };
  const context = Buffer.concat([
    Buffer.from("P-256\0"),
    length(keys.p256dh.length),
    keys.p256dh,
    length(senderPublic.length),
    senderPublic,
  ]);
  const cek = hkdf(salt, ikm, Buffer.concat([Buffer.from("Content-Encoding: aesgcm\0"), context]), 16);
  const nonce = hkdf(salt, ikm, Buffer.concat([Buffer.from("Content-Encoding: nonce\0"), context]), 12);
  const body = gcm(cek, nonce, Buffer.concat([length(0), plaintext]));
  return { body, salt, senderPublicKey: senderPublic };
}

/** An application server's VAPID key pair (P-256). */
export interface VapidKeys {
  privateKey: Buffer;
  /** uncompressed point, 65 bytes; base64url of it is the instance's published `vapid_key` */
  publicKey: Buffer;
}

export function generateVapidPrivateKey(): Buffer {
  const ecdh = createECDH(CURVE);
  ecdh.generateKeys();
  return ecdh.getPrivateKey();
}

/** The key pair of a stored private key (throws when it is not a valid P-256 scalar). */
export function vapidKeysFrom(privateKey: Buffer): VapidKeys {
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(privateKey);
  return { privateKey, publicKey: ecdh.getPublicKey() };
}

/**
 * RFC 8292 JWT for one push service origin. `expiresAt` must be within 24 hours (push services
 * refuse longer ones); `subject` is a mailto: or https: contact for the push service's operator.
 */
export function vapidJwt(keys: VapidKeys, audience: string, expiresAt: Date, subject: string): string {
  const header = toBase64Url(Buffer.from(JSON.stringify({ typ: "JWT", alg: "ES256" })));
  const claims = toBase64Url(
    Buffer.from(JSON.stringify({ aud: audience, exp: Math.floor(expiresAt.getTime() / 1000), sub: subject })),
  );
  const key = createPrivateKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "P-256",
      d: toBase64Url(keys.privateKey),
      x: toBase64Url(keys.publicKey.subarray(1, 33)),
      y: toBase64Url(keys.publicKey.subarray(33, 65)),
    },
  });
  const signature = signData("sha256", Buffer.from(`${header}.${claims}`), {
    key,
    dsaEncoding: "ieee-p1363",
  });
  return `${header}.${claims}.${toBase64Url(signature)}`;
}
