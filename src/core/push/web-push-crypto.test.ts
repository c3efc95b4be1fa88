import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decryptAes128gcm,
  decryptAesgcm,
  newUserAgent,
  verifyVapidJwt,
} from "../../../test/helpers/push-service.ts";
import {
  encryptAes128gcm,
  encryptAesgcm,
  fromBase64,
  generateVapidPrivateKey,
  validSubscriptionKeys,
  vapidJwt,
  vapidKeysFrom,
} from "./web-push-crypto.ts";

// RFC 8291 Appendix A (line breaks removed)
const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  body:
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_" +
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

test("aes128gcm reproduces the RFC 8291 Appendix A message byte for byte", () => {
  const body = encryptAes128gcm(
    Buffer.from(RFC.plaintext),
    { p256dh: fromBase64(RFC.uaPublic), auth: fromBase64(RFC.auth) },
    { salt: fromBase64(RFC.salt), senderPrivateKey: fromBase64(RFC.asPrivate) },
  );
  assert.equal(body.toString("base64url"), RFC.body);
  // and the browser's side reads it back
  const ua = {
    privateKey: fromBase64(RFC.uaPrivate),
    publicKey: fromBase64(RFC.uaPublic),
    auth: fromBase64(RFC.auth),
  };
  assert.equal(decryptAes128gcm(body, ua).toString(), RFC.plaintext);
});

test("aes128gcm with fresh keys and salt decrypts for the subscriber only", () => {
  const ua = newUserAgent();
  const text = Buffer.from(JSON.stringify({ title: "Сәлем", body: "қазақша" }));
  const one = encryptAes128gcm(text, { p256dh: ua.publicKey, auth: ua.auth });
  const two = encryptAes128gcm(text, { p256dh: ua.publicKey, auth: ua.auth });
  assert.notEqual(one.toString("hex"), two.toString("hex"), "a new salt and sender key per message");
  assert.equal(decryptAes128gcm(one, ua).toString(), text.toString());
  const other = newUserAgent();
  assert.throws(() => decryptAes128gcm(one, { ...other, auth: ua.auth }));
  assert.throws(
    () => decryptAes128gcm(one, { ...ua, auth: other.auth }),
    "the auth secret is part of the key",
  );
});

test("legacy aesgcm decrypts with the salt and sender key of its headers", () => {
  const ua = newUserAgent();
  const text = Buffer.from('{"notification_id":1}');
  const msg = encryptAesgcm(text, { p256dh: ua.publicKey, auth: ua.auth });
  assert.equal(msg.salt.length, 16);
  assert.equal(msg.senderPublicKey.length, 65);
  assert.equal(decryptAesgcm(msg.body, msg.salt, msg.senderPublicKey, ua).toString(), text.toString());
  assert.throws(() => decryptAesgcm(msg.body, Buffer.alloc(16), msg.senderPublicKey, ua), "wrong salt");
});

test("VAPID JWT is ES256 over aud/exp/sub and verifies with the public key only", () => {
  const keys = vapidKeysFrom(generateVapidPrivateKey());
  assert.equal(keys.publicKey.length, 65);
  const exp = new Date("2026-12-02T12:00:00Z");
  const jwt = vapidJwt(keys, "https://push.example.net", exp, "mailto:admin@torgai.test");
  const claims = verifyVapidJwt(jwt, keys.publicKey);
  assert.deepEqual(claims, {
    aud: "https://push.example.net",
    exp: exp.getTime() / 1000,
    sub: "mailto:admin@torgai.test",
  });
  const otherKey = vapidKeysFrom(generateVapidPrivateKey()).publicKey;
  assert.throws(() => verifyVapidJwt(jwt, otherKey), /bad VAPID signature/);
  // the RFC 8291 application server key gives the RFC's public key
  assert.equal(vapidKeysFrom(fromBase64(RFC.asPrivate)).publicKey.toString("base64url"), RFC.asPublic);
});

test("subscription keys must be a P-256 point and an auth secret", () => {
  const ua = newUserAgent();
  assert.equal(validSubscriptionKeys({ p256dh: ua.publicKey, auth: ua.auth }), true);
  const offCurve = Buffer.from(ua.publicKey);
  offCurve[64] = (offCurve[64] ?? 0) ^ 1;
  assert.equal(validSubscriptionKeys({ p256dh: offCurve, auth: ua.auth }), false);
  assert.equal(validSubscriptionKeys({ p256dh: ua.publicKey.subarray(0, 33), auth: ua.auth }), false);
  assert.equal(validSubscriptionKeys({ p256dh: ua.publicKey, auth: Buffer.alloc(0) }), false);
});

test("the aesgcm decryption the tests rely on reads the draft's published example", () => {
  // draft-ietf-httpbis-encryption-encoding-02 / draft-ietf-webpush-encryption-04 example message:
  // checks the test side against outside data, so the round trip above cannot share a mistake
  const ua = {
    privateKey: fromBase64("9FWl15_QUQAWDaD3k3l50ZBZQJ4au27F1V4F0uLSD_M"),
    publicKey: fromBase64(
      "BCEkBjzL8Z3C-oi2Q7oE5t2Np-p7osjGLg93qUP0wvqRT21EEWyf0cQDQcakQMqz4hQKYOQ3il2nNZct4HgAUQU",
    ),
    auth: fromBase64("R29vIGdvbyBnJyBqb29iIQ"),
  };
  const plain = decryptAesgcm(
    fromBase64("6nqAQUME8hNqw5J3kl8cpVVJylXKYqZOeseZG8UueKpA"),
    fromBase64("lngarbyKfMoi9Z75xYXmkg"),
    fromBase64("BNoRDbb84JGm8g5Z5CFxurSqsXWJ11ItfXEWYVLE85Y7CYkDjXsIEc4aqxYaQ1G8BqkXCJ6DPpDrWtdWj_mugHU"),
    ua,
  );
  assert.equal(plain.toString(), "I am the walrus");
});
