// HPKE (RFC 9180) base mode on WebCrypto alone: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM. The same bytes as Python's crypto.seal(..., aead=AES_128_GCM):
// enc (32) ‖ AES-GCM ciphertext and tag, aad empty, sequence number 0.

const subtle = globalThis.crypto.subtle;
const text = (s) => new TextEncoder().encode(s);
const VERSION = text("HPKE-v1");
const KEM_SUITE = concat(text("KEM"), Uint8Array.of(0x00, 0x20));
const HPKE_SUITE = concat(text("HPKE"), Uint8Array.of(0x00, 0x20, 0x00, 0x01, 0x00, 0x01));
const NK = 16; // AES-128 key
const NN = 12; // GCM nonce
// PKCS #8 wrapping of a raw X25519 private key (RFC 8410): WebCrypto imports no raw private.
const PKCS8_X25519 = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
);

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function hmac(key, data) {
  // An empty HMAC key is the same key as Nh zero bytes, and WebCrypto refuses empty keys.
  const raw = key.length ? key : new Uint8Array(32);
  const k = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await subtle.sign("HMAC", k, data));
}

function labeledExtract(suite, salt, label, ikm) {
  return hmac(salt, concat(VERSION, suite, text(label), ikm));
}

async function labeledExpand(suite, prk, label, info, length) {
  // Every length here is at most Nh = 32: one HKDF-Expand block.
  const labeled = concat(Uint8Array.of(length >> 8, length & 0xff), VERSION, suite, text(label), info);
  return (await hmac(prk, concat(labeled, Uint8Array.of(1)))).slice(0, length);
}

async function importPrivate(raw) {
  return subtle.importKey("pkcs8", concat(PKCS8_X25519, raw), { name: "X25519" }, true, [
    "deriveBits",
  ]);
}

async function publicOf(privateKey) {
  const jwk = await subtle.exportKey("jwk", privateKey);
  const b64 = jwk.x.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat(-b64.length & 3)), (c) => c.charCodeAt(0));
}

async function kemSecret(privateKey, publicRaw, enc, recipientPublicRaw) {
  const pk = await subtle.importKey("raw", publicRaw, { name: "X25519" }, true, []);
  const dh = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: pk }, privateKey, 256));
  if (dh.every((b) => b === 0)) throw new Error("a low-order X25519 public key");
  const eaePrk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", dh);
  const kemContext = concat(enc, recipientPublicRaw);
  return labeledExpand(KEM_SUITE, eaePrk, "shared_secret", kemContext, 32);
}

async function encapsulate(ephemeral, enc, recipientPublicRaw) {
  const sharedSecret = await kemSecret(ephemeral, recipientPublicRaw, enc, recipientPublicRaw);
  return { enc, sharedSecret };
}

async function keySchedule(sharedSecret, info) {
  const none = new Uint8Array(0);
  const pskIdHash = await labeledExtract(HPKE_SUITE, none, "psk_id_hash", none);
  const infoHash = await labeledExtract(HPKE_SUITE, none, "info_hash", info);
  const context = concat(Uint8Array.of(0), pskIdHash, infoHash); // mode_base
  const secret = await labeledExtract(HPKE_SUITE, sharedSecret, "secret", none);
  const key = await labeledExpand(HPKE_SUITE, secret, "key", context, NK);
  const baseNonce = await labeledExpand(HPKE_SUITE, secret, "base_nonce", context, NN);
  return { key, baseNonce };
}

/** SetupBaseS with a given ephemeral private key (raw 32 bytes): for the RFC's vectors. */
export async function senderContext(ephemeralPrivateRaw, recipientPublicRaw, info) {
  const ephemeral = await importPrivate(ephemeralPrivateRaw);
  return senderContextOf(ephemeral, await publicOf(ephemeral), recipientPublicRaw, info);
}

async function senderContextOf(ephemeral, enc, recipientPublicRaw, info) {
  const { sharedSecret } = await encapsulate(ephemeral, enc, recipientPublicRaw);
  return { enc, sharedSecret, ...(await keySchedule(sharedSecret, info)) };
}

/** ContextS.Seal for sequence number `sequence` (a safe integer). */
export async function contextSeal(context, sequence, aad, plaintext) {
  const nonce = context.baseNonce.slice();
  for (let i = NN - 1, s = sequence; s > 0; i--, s = Math.floor(s / 256)) nonce[i] ^= s % 256;
  const key = await subtle.importKey("raw", context.key, { name: "AES-GCM" }, false, ["encrypt"]);
  const sealed = await subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 },
    key,
    plaintext,
  );
  return new Uint8Array(sealed);
}

/** Single-shot Seal with a given ephemeral key: enc ‖ ciphertext (deterministic; tests). */
export async function sealBaseWithEphemeral(ephemeralPrivateRaw, recipientPublicRaw, info, plaintext) {
  const context = await senderContext(ephemeralPrivateRaw, recipientPublicRaw, info);
  return concat(context.enc, await contextSeal(context, 0, new Uint8Array(0), plaintext));
}

/** Seal `plaintext` to the survey public key (raw 32 bytes), bound to `info`: a fresh
 * ephemeral key every time, so sealing twice gives different bytes. */
export async function sealBase(recipientPublicRaw, info, plaintext) {
  // Not extractable: the ephemeral private key never leaves WebCrypto.
  const ephemeral = await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
  const enc = new Uint8Array(await subtle.exportKey("raw", ephemeral.publicKey));
  const context = await senderContextOf(ephemeral.privateKey, enc, recipientPublicRaw, info);
  return concat(context.enc, await contextSeal(context, 0, new Uint8Array(0), plaintext));
}

/** Single-shot Open (the processor's side; here so that tests can check Python's seal in the
 * browser). Throws on a wrong key, another info or altered bytes. */
export async function openBase(recipientPrivateRaw, info, sealed) {
  const skR = await importPrivate(recipientPrivateRaw);
  const enc = sealed.slice(0, 32);
  const sharedSecret = await kemSecret(skR, enc, enc, await publicOf(skR));
  const { key, baseNonce } = await keySchedule(sharedSecret, info);
  const k = await subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["decrypt"]);
  const iv = baseNonce;
  const opened = await subtle.decrypt({ name: "AES-GCM", iv, tagLength: 128 }, k, sealed.slice(32));
  return new Uint8Array(opened);
}
