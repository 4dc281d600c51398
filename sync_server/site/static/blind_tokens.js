// One-time submission tokens the site signs blind (RFC 9474, RSABSSA-SHA384-PSS-Deterministic,
// as Privacy Pass): the browser draws a random token, blinds it, sends the blinded form with
// the access code, and unblinds the site's signature. The site never sees the token before
// the envelope arrives with it, so it cannot tell which code paid for which envelope.
// BigInt for the modular arithmetic, WebCrypto for SHA-384 and the final RSA-PSS check.

const SALT_BYTES = 48; // sLen = hLen of SHA-384
const HASH_BYTES = 48;
const NONCE_BYTES = 32;
const encoder = new TextEncoder();

export function b64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromB64url(text) {
  const plain = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(plain + "=".repeat((4 - (plain.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
}

function toBigInt(bytes) {
  let x = 0n;
  for (const byte of bytes) x = (x << 8n) | BigInt(byte);
  return x;
}

function toBytes(x, length) {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new Error("integer too large");
  return out;
}

function modPow(base, exponent, modulus) {
  let result = 1n;
  base %= modulus;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

function modInverse(a, n) {
  // Extended Euclid; a and n coprime (checked by the caller).
  let [r0, r1, t0, t1] = [n, a % n, 0n, 1n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return ((t0 % n) + n) % n;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function sha384(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-384", bytes));
}

async function mgf1(seed, length) {
  const blocks = [];
  for (let counter = 0; counter * HASH_BYTES < length; counter++) {
    blocks.push(await sha384(concat(seed, toBytes(BigInt(counter), 4))));
  }
  return concat(...blocks).slice(0, length);
}

export async function emsaPssEncode(message, emBits, salt) {
  // RFC 8017 9.1.1, SHA-384 and MGF1-SHA-384.
  const emLen = Math.ceil(emBits / 8);
  if (emLen < HASH_BYTES + salt.length + 2) throw new Error("modulus too small");
  const mHash = await sha384(message);
  const h = await sha384(concat(new Uint8Array(8), mHash, salt));
  const db = concat(new Uint8Array(emLen - salt.length - HASH_BYTES - 2), [1], salt);
  const mask = await mgf1(h, db.length);
  const masked = db.map((byte, i) => byte ^ mask[i]);
  masked[0] &= 0xff >> (8 * emLen - emBits);
  return concat(masked, h, [0xbc]);
}

export function publicKey(jwk) {
  // The site's token key as it serves it: a JSON Web Key with n and e.
  const n = toBigInt(fromB64url(jwk.n));
  const e = toBigInt(fromB64url(jwk.e));
  const bits = n.toString(2).length;
  return { n, e, bits, size: Math.ceil(bits / 8), jwk: { kty: "RSA", n: jwk.n, e: jwk.e } };
}

function randomBytes(length) {
  return crypto.getRandomValues(new Uint8Array(length));
}

export async function blindWith(key, message, salt, draw) {
  // RFC 9474 Blind with the salt given and r drawn by draw(length) (rejection sampling);
  // blind() draws both from crypto.getRandomValues, the tests give the RFC's.
  const m = toBigInt(await emsaPssEncode(message, key.bits - 1, salt));
  if (gcd(m, key.n) !== 1n) throw new Error("invalid token key");
  const mask = (1n << BigInt(key.bits)) - 1n;
  let r;
  do r = toBigInt(draw(key.size)) & mask;
  while (r === 0n || r >= key.n || gcd(r, key.n) !== 1n);
  const z = (m * modPow(r, key.e, key.n)) % key.n;
  return { blinded: toBytes(z, key.size), inverse: modInverse(r, key.n) };
}

export function blind(key, message) {
  return blindWith(key, message, randomBytes(SALT_BYTES), randomBytes);
}

export async function verify(key, message, signature) {
  // RSASSA-PSS with SHA-384 and a 48-byte salt, by WebCrypto: a check independent of ours.
  const imported = await crypto.subtle.importKey(
    "jwk",
    { ...key.jwk, alg: "PS384", ext: true },
    { name: "RSA-PSS", hash: "SHA-384" },
    false,
    ["verify"],
  );
  const pss = { name: "RSA-PSS", saltLength: SALT_BYTES };
  return crypto.subtle.verify(pss, imported, signature, message);
}

export async function finalize(key, message, blindSignature, inverse) {
  // RFC 9474 Finalize: unblind, then refuse anything that is not a valid signature.
  if (blindSignature.length !== key.size) throw new Error("unexpected blind signature size");
  const s = (toBigInt(blindSignature) * inverse) % key.n;
  const signature = toBytes(s, key.size);
  if (!(await verify(key, message, signature))) throw new Error("invalid blind signature");
  return signature;
}

// --- the site's tokens --------------------------------------------------------------------

export function tokenMessage(campaign, nonce) {
  // What the site signs blind: its purpose, the campaign, 32 random bytes (the entropy
  // RFC 9474's deterministic variant needs). sync_server/site/access_codes.py builds the same.
  return concat(encoder.encode(`MSS site token v1\0${campaign}\0`), nonce);
}

async function problemOf(answer) {
  return answer ? await answer.json().catch(() => ({})) : {};
}

export async function redeemCode(campaign, code) {
  // The access code for a one-time token: {token} (nonce and signature, base64url), or
  // {problem} (the site's problem+json, {} when the network failed).
  const options = { credentials: "omit", cache: "no-store" };
  const served = await fetch(`/s/${campaign}/token-key`, options).catch(() => null);
  if (!served || !served.ok) return { problem: await problemOf(served) };
  const key = publicKey(await served.json());
  const nonce = randomBytes(NONCE_BYTES);
  const message = tokenMessage(campaign, nonce);
  const { blinded, inverse } = await blind(key, message);
  const answer = await fetch(`/s/${campaign}/codes`, {
    ...options,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code, blinded: b64url(blinded) }),
  }).catch(() => null);
  if (!answer || !answer.ok) return { problem: await problemOf(answer) };
  const grant = await answer.json();
  const signature = await finalize(key, message, fromB64url(grant.blind_signature), inverse);
  return { token: b64url(concat(nonce, signature)) };
}
