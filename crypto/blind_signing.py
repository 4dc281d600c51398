"""RSA blind signatures (RFC 9474), variant RSABSSA-SHA384-PSS-Deterministic, as Privacy Pass
uses them: the site signs a message it never sees, so a token it signed cannot be linked to
the request that bought it.

Deterministic (no PrepareRandomize prefix) because our messages already carry 32 random bytes
drawn by the client, which is what RFC 9474 section 7.3 asks of that variant; the PSS salt
(48 bytes) is still random, so two signatures of one message differ.

The client (`TokenPublicKey.blind`, `finalize`) and the signer (`TokenSigningKey.blind_sign`)
follow the RFC's steps; EMSA-PSS encoding and the modular arithmetic are here (pyca/
cryptography has no raw RSA operation), while verification is cryptography's RSASSA-PSS.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from crypto.errors import BadBlindedMessage, BadSignature, KeyFileError
from crypto.key_file_io import read_key_file_bytes, write_new_file

RandomBytes = Callable[[int], bytes]

VARIANT = "RSABSSA-SHA384-PSS-Deterministic"
SALT_BYTES = 48  # sLen = hLen for SHA-384
MODULUS_BITS = 2048  # Privacy Pass's publicly verifiable tokens use 2048-bit keys
PUBLIC_EXPONENT = 65537
# Smaller keys are not safe; larger than RFC 9474's own vectors (4096) we do not need.
_MIN_BITS, _MAX_BITS = 2048, 4096
_HASH_BYTES = 48

_PUBLIC_PREFIX = "mss-token-pk-v1:"
_KEY_FILE_HEADER = "mss-token-signing-key-v1"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _from_b64url(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise KeyFileError(f"{what} is not base64url") from None
    if _b64url(raw) != text:
        raise KeyFileError(f"{what} is not canonical unpadded base64url")
    return raw


def _mgf1_sha384(seed: bytes, length: int) -> bytes:
    out = bytearray()
    for counter in range(math.ceil(length / _HASH_BYTES)):
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
    return bytes(out[:length])


def emsa_pss_encode(message: bytes, em_bits: int, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 9.1.1) with SHA-384 and MGF1-SHA-384."""
    em_len = math.ceil(em_bits / 8)
    if em_len < _HASH_BYTES + len(salt) + 2:
        raise ValueError("the modulus is too small for this encoding")
    m_hash = hashlib.sha384(message).digest()
    h = hashlib.sha384(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - _HASH_BYTES - 2) + b"\x01" + salt
    masked = bytearray(a ^ b for a, b in zip(db, _mgf1_sha384(h, len(db)), strict=True))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=SALT_BYTES)


@dataclass(frozen=True)
class Blinded:
    """What Blind gives the client: the blinded message to send, and the inverse to keep."""

    message: bytes
    inverse: int


class TokenPublicKey:
    """The signer's public key (n, e): blind, finalize and verify on the client's side."""

    __slots__ = ("_key", "n", "e", "size")

    def __init__(self, key: rsa.RSAPublicKey) -> None:
        if not isinstance(key, rsa.RSAPublicKey):
            raise TypeError("TokenPublicKey wraps an RSA public key")
        numbers = key.public_numbers()
        if not _MIN_BITS <= numbers.n.bit_length() <= _MAX_BITS or numbers.e != PUBLIC_EXPONENT:
            raise KeyFileError(f"a token key is RSA {_MIN_BITS}-{_MAX_BITS} bits with e=65537")
        self._key, self.n, self.e = key, numbers.n, numbers.e
        self.size = math.ceil(self.n.bit_length() / 8)  # modulus_len

    @classmethod
    def from_numbers(cls, n: int, e: int) -> TokenPublicKey:
        try:
            return cls(rsa.RSAPublicNumbers(e, n).public_key())
        except ValueError:
            raise KeyFileError("not an RSA public key") from None

    def to_der(self) -> bytes:
        return self._key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def to_text(self) -> str:
        return _PUBLIC_PREFIX + _b64url(self.to_der())

    @classmethod
    def from_text(cls, text: str) -> TokenPublicKey:
        if not isinstance(text, str) or not text.startswith(_PUBLIC_PREFIX):
            raise KeyFileError(f"a token public key starts with {_PUBLIC_PREFIX}")
        der = _from_b64url(text[len(_PUBLIC_PREFIX) :], "the token public key")
        try:
            key = serialization.load_der_public_key(der)
        except ValueError:
            raise KeyFileError("the token public key is not an RSA key") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise KeyFileError("the token public key is not an RSA key")
        return cls(key)

    def jwk(self) -> dict[str, str]:
        """n and e as a JSON Web Key (RFC 7518 6.3.1): what the browser imports."""
        return {
            "kty": "RSA",
            "n": _b64url(self.n.to_bytes(self.size, "big")),
            "e": _b64url(self.e.to_bytes(3, "big")),
        }

    @classmethod
    def from_jwk(cls, jwk: dict[str, str]) -> TokenPublicKey:
        """The key of a JSON Web Key as `jwk()` writes it; KeyFileError for anything else."""
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
            raise KeyFileError("a token key is an RSA JSON Web Key")
        n, e = (_from_b64url(str(jwk.get(name, "")), f"the key's {name}") for name in "ne")
        return cls.from_numbers(int.from_bytes(n, "big"), int.from_bytes(e, "big"))

    def key_id(self) -> str:
        """SHA-256 of the DER public key, hex: names the key (as Privacy Pass's token_key_id)."""
        return hashlib.sha256(self.to_der()).hexdigest()

    def blind(self, message: bytes, *, random_bytes: RandomBytes = os.urandom) -> Blinded:
        """RFC 9474 Blind: `random_bytes` gives the salt (48), then r (modulus_len bytes,
        drawn again until 1 <= r < n and r is invertible)."""
        salt = random_bytes(SALT_BYTES)
        m = int.from_bytes(emsa_pss_encode(bytes(message), self.n.bit_length() - 1, salt), "big")
        if math.gcd(m, self.n) != 1:
            raise BadSignature("the token key is not a valid RSA key")  # "invalid input"
        mask = (1 << self.n.bit_length()) - 1
        while True:
            r = int.from_bytes(random_bytes(self.size), "big") & mask
            if 0 < r < self.n and math.gcd(r, self.n) == 1:
                break
        z = m * pow(r, self.e, self.n) % self.n
        return Blinded(z.to_bytes(self.size, "big"), pow(r, -1, self.n))

    def finalize(self, message: bytes, blind_signature: bytes, inverse: int) -> bytes:
        """RFC 9474 Finalize: the signature of `message`, checked; BadSignature when the
        signer's answer is malformed or does not finalize into a valid signature."""
        if not isinstance(blind_signature, bytes) or len(blind_signature) != self.size:
            raise BadSignature(f"a blind signature is {self.size} bytes")
        s = int.from_bytes(blind_signature, "big") * inverse % self.n
        signature = s.to_bytes(self.size, "big")
        self.verify(message, signature)
        return signature

    def verify(self, message: bytes, signature: bytes) -> None:
        """Return when `signature` is this key's RSASSA-PSS (SHA-384, 48-byte salt) signature
        of `message`; BadSignature otherwise, including for a signature of the wrong length."""
        if not isinstance(signature, bytes | bytearray) or len(signature) != self.size:
            raise BadSignature(f"a token signature is {self.size} bytes")
        try:
            self._key.verify(bytes(signature), bytes(message), _pss(), hashes.SHA384())
        except InvalidSignature:
            raise BadSignature("the token signature does not verify") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenPublicKey) and (self.n, self.e) == (other.n, other.e)

    def __hash__(self) -> int:
        return hash((self.n, self.e))

    def __repr__(self) -> str:
        return f"TokenPublicKey({self.key_id()[:16]}…)"


class TokenSigningKey:
    """The signer's RSA private key: it signs blinded messages for one purpose only (RFC 9474
    section 6.2: never reuse it for anything else)."""

    __slots__ = ("_key", "_public", "_p", "_q", "_dp", "_dq", "_q_inv")

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("TokenSigningKey wraps an RSA private key")
        self._key = key
        self._public = TokenPublicKey(key.public_key())
        numbers = key.private_numbers()
        self._p, self._q = numbers.p, numbers.q
        self._dp, self._dq, self._q_inv = numbers.dmp1, numbers.dmq1, numbers.iqmp

    @classmethod
    def generate(cls, bits: int = MODULUS_BITS) -> TokenSigningKey:
        return cls(rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits))

    @classmethod
    def from_primes(cls, p: int, q: int, e: int = PUBLIC_EXPONENT) -> TokenSigningKey:
        """The key of primes p and q (for known-answer tests)."""
        d = rsa.rsa_recover_private_exponent(e, p, q)
        numbers = rsa.RSAPrivateNumbers(
            p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
            rsa.RSAPublicNumbers(e, p * q),
        )  # fmt: skip
        return cls(numbers.private_key())

    def public_key(self) -> TokenPublicKey:
        return self._public

    def blind_sign(self, blinded: bytes, *, random_bytes: RandomBytes = os.urandom) -> bytes:
        """RFC 9474 BlindSign: RSASP1 of the blinded message, checked by RSAVP1 before it
        leaves (a faulty result would give the key away). BadBlindedMessage when the input
        is not modulus_len bytes below n."""
        n, e, size = self._public.n, self._public.e, self._public.size
        if not isinstance(blinded, bytes | bytearray) or len(blinded) != size:
            raise BadBlindedMessage(f"a blinded message is {size} bytes")
        m = int.from_bytes(blinded, "big")
        if m >= n:
            raise BadBlindedMessage("the blinded message is not below the modulus")
        # Python's pow is not constant-time: blinding the base with a fresh u (Kocher's
        # countermeasure, which RFC 9474 section 7.1 asks for) makes what it works on random.
        while True:
            u = int.from_bytes(random_bytes(size), "big") % n
            if u > 1 and math.gcd(u, n) == 1:
                break
        c = m * pow(u, e, n) % n
        s_p, s_q = pow(c % self._p, self._dp, self._p), pow(c % self._q, self._dq, self._q)
        s = (s_q + self._q * ((s_p - s_q) * self._q_inv % self._p)) * pow(u, -1, n) % n
        if pow(s, e, n) != m:
            raise BadSignature("signing failure: the result did not check")
        return s.to_bytes(size, "big")

    def __repr__(self) -> str:
        return f"TokenSigningKey(public={self._public.key_id()[:16]}…)"


def write_token_key_file(path: Path, key: TokenSigningKey) -> None:
    """The signing key in a new 0600 file (never over an existing one: FileExistsError).
    Not under a passphrase: the site signs unattended, and the key can only sign tokens."""
    if not isinstance(key, TokenSigningKey):
        raise TypeError("write_token_key_file writes a TokenSigningKey")
    der = key._key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    text = (
        f"{_KEY_FILE_HEADER}\npublic-key: {key.public_key().to_text()}\n"
        f"private-key: {_b64url(der)}\n"
    )
    write_new_file(Path(path), text.encode("ascii"), mode=0o600)


def read_token_key_file(path: Path) -> TokenSigningKey:
    """The signing key of a file written by write_token_key_file; KeyFileError (naming the
    path) when it is anything else."""
    data = read_key_file_bytes(Path(path))
    try:
        lines = data.decode("ascii").replace("\r\n", "\n").split("\n")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a token key file") from None
    if len(lines) != 4 or lines[0] != _KEY_FILE_HEADER or lines[3] != "":
        raise KeyFileError(f"{path} is not a token key file ({_KEY_FILE_HEADER})")
    public_line, private_line = lines[1], lines[2]
    if not public_line.startswith("public-key: ") or not private_line.startswith("private-key: "):
        raise KeyFileError(f"{path} is not a token key file")
    try:
        public = TokenPublicKey.from_text(public_line[len("public-key: ") :])
        der = _from_b64url(private_line[len("private-key: ") :], "the private key")
        private = serialization.load_der_private_key(der, password=None)
    except (KeyFileError, ValueError, TypeError):
        raise KeyFileError(f"{path} holds a malformed token key") from None
    if not isinstance(private, rsa.RSAPrivateKey):
        raise KeyFileError(f"{path} does not hold an RSA key")
    key = TokenSigningKey(private)
    if key.public_key() != public:
        raise KeyFileError(f"{path}: the public key line does not match the private key")
    return key
