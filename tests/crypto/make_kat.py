"""Write the known-answer files in tests/crypto/kat/. Run by hand only, never by the tests:

    .venv/bin/python -m tests.crypto.make_kat            # write the files that are missing
    .venv/bin/python -m tests.crypto.make_kat --force    # rewrite them all

The files pin our formats: once committed, a change in a byte of a format makes a test fail.
Every vector except hpke_open.json is deterministic (fixed keys, injected randomness), so
rewriting gives the same bytes; hpke_open.json holds a seal made with a fresh ephemeral key
(`cryptography` does not let us fix it), so rewriting it changes the file, which is harmless:
the test only opens it. All keys here are test keys, public on purpose.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crypto import (
    KdfCost,
    OperatorKey,
    StationKey,
    SurveyPrivateKey,
    hash_pin,
    seal,
    signed_bytes,
    wrap_secret,
    write_operator_key_file,
    write_private_key_file,
)
from tests.crypto import hpke_reference

KAT = Path(__file__).with_name("kat")

# RFC 9180 Appendix A.2 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305), A.2.1
# base setup and its first encryption (sequence number 0), copied from the RFC.
RFC9180_A2_1 = {
    "source": "RFC 9180, Appendix A.2.1 (mode 0, kem_id 0x0020, kdf_id 0x0001, aead_id 0x0003)",
    "mode": 0,
    "kem_id": 32,
    "kdf_id": 1,
    "aead_id": 3,
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skEm": "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
    "pkEm": "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    "skRm": "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
    "pkRm": "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    "enc": "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    "shared_secret": "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
    "key": "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
    "base_nonce": "5c4d98150661b848853b547f",
    "encryptions": [
        {
            "sequence_number": 0,
            "pt": "4265617574792069732074727574682c20747275746820626561757479",
            "aad": "436f756e742d30",
            "nonce": "5c4d98150661b848853b547f",
            "ct": "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c"
            "62ce81883d2dd1b51a28",
        }
    ],
}

# Fixed test inputs (not secrets: they exist to be published).
SURVEY_TEST_KEY = bytes.fromhex("a8" * 16 + "5d" * 16)
STATION_TEST_SEED = bytes(range(32))
WRAP_SALT = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
WRAP_NONCE = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaab")
FAST = KdfCost.FAST


def scripted_random(*chunks: bytes) -> Callable[[int], bytes]:
    """random_bytes that hands out `chunks` in order (and checks the sizes asked for)."""
    pending = list(chunks)

    def random_bytes(count: int) -> bytes:
        chunk = pending.pop(0)
        assert len(chunk) == count, (len(chunk), count)
        return chunk

    return random_bytes


def cost_json(cost: KdfCost) -> dict[str, int]:
    return {"memory_kib": cost.memory_kib, "iterations": cost.iterations, "lanes": cost.lanes}


def rfc9180_vector() -> dict[str, object]:
    vector = dict(RFC9180_A2_1)
    first = vector["encryptions"][0]  # type: ignore[index]
    # Our seal is RFC 9180 single-shot Seal with aad = b"": the same key schedule, sequence 0.
    vector["aad_less_encryption"] = {
        "note": "enc || ChaCha20Poly1305(key, base_nonce, pt, aad=b'') for the RFC's skEm: "
        "what crypto.seal would return with this ephemeral key; made by hpke_reference",
        "pt": first["pt"],
        "sealed": hpke_reference.seal(
            bytes.fromhex(vector["skEm"]),  # type: ignore[arg-type]
            bytes.fromhex(vector["pkRm"]),  # type: ignore[arg-type]
            bytes.fromhex(vector["info"]),  # type: ignore[arg-type]
            bytes.fromhex(first["pt"]),
        ).hex(),
    }
    return vector


def hpke_open_vector() -> dict[str, object]:
    key = SurveyPrivateKey.from_private_bytes(SURVEY_TEST_KEY)
    info = b"MSS envelope v1\x00" + b'{"envelope_id":"kat-0001","spec":{"id":"cips-kat"}}'
    plaintext = "Réponse d'essai — résultat connu".encode()
    return {
        "note": "made once by make_kat.py with crypto.seal (fresh ephemeral key)",
        "private_key": SURVEY_TEST_KEY.hex(),
        "public_key_text": key.public_key().to_text(),
        "info": info.hex(),
        "plaintext": plaintext.hex(),
        "sealed": seal(plaintext, key.public_key(), info=info).hex(),
    }


def wrap_vector() -> dict[str, object]:
    secret = bytes(range(100, 132))
    passphrase = "correct horse battery staple"
    blob = wrap_secret(
        secret, passphrase, cost=FAST, random_bytes=scripted_random(WRAP_SALT, WRAP_NONCE)
    )
    return {
        "secret": secret.hex(),
        "passphrase": passphrase,
        "cost": cost_json(FAST),
        "salt": WRAP_SALT.hex(),
        "nonce": WRAP_NONCE.hex(),
        "blob": blob.hex(),
    }


def pin_vector() -> dict[str, object]:
    salt = bytes.fromhex("0f0e0d0c0b0a09080706050403020100")
    return {
        "pin": "482916",
        "cost": cost_json(FAST),
        "salt": salt.hex(),
        "phc": hash_pin("482916", cost=FAST, random_bytes=scripted_random(salt)),
    }


def ed25519_vector() -> dict[str, object]:
    key = StationKey.from_private_bytes(STATION_TEST_SEED)
    message = b'{"batch_id":"kat","v":1}'
    return {
        "private_key": STATION_TEST_SEED.hex(),
        "public_key": key.public_bytes().hex(),
        "domain": "batch",
        "message": message.hex(),
        "signed_bytes": signed_bytes("batch", message).hex(),
        "signature": key.sign("batch", message).hex(),
    }


def survey_key_file_vector(scratch: Path) -> dict[str, object]:
    key = SurveyPrivateKey.from_private_bytes(SURVEY_TEST_KEY)
    return key_file_vector(scratch / "survey.key", key, SURVEY_TEST_KEY,
                           "processor test passphrase", write_private_key_file)  # fmt: skip


def key_file_vector(
    path: Path, key: Any, seed: bytes, passphrase: str, write: Callable[..., None]
) -> dict[str, object]:
    """A passphrase-protected key file (survey or operator key) with scripted randomness."""
    write(path, key, passphrase, cost=FAST, random_bytes=scripted_random(WRAP_SALT, WRAP_NONCE))
    return {
        "private_key": seed.hex(),
        "passphrase": passphrase,
        "cost": cost_json(FAST),
        "salt": WRAP_SALT.hex(),
        "nonce": WRAP_NONCE.hex(),
        "public_key_text": key.public_key().to_text(),
        "fingerprint": key.public_key().fingerprint(),
        "file_text": path.read_text(encoding="ascii"),
    }


# RFC 8032 section 7.1, TEST 1's seed: the operator's test key.
OPERATOR_TEST_SEED = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
)


def operator_key_file_vector(scratch: Path) -> dict[str, object]:
    key = OperatorKey.from_private_bytes(OPERATOR_TEST_SEED)
    return key_file_vector(scratch / "operator.key", key, OPERATOR_TEST_SEED,
                           "operator test passphrase", write_operator_key_file)  # fmt: skip


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    force = parser.parse_args().force
    KAT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        makers: dict[str, Callable[[], dict[str, object]]] = {
            "rfc9180_a2_1_x25519_sha256_chacha20poly1305.json": rfc9180_vector,
            "hpke_open.json": hpke_open_vector,
            "wrap_secret.json": wrap_vector,
            "pin_hash.json": pin_vector,
            "ed25519_signature.json": ed25519_vector,
            "survey_key_file.json": lambda: survey_key_file_vector(Path(scratch)),
            "operator_key_file.json": lambda: operator_key_file_vector(Path(scratch)),
        }
        for name, make in makers.items():
            target = KAT / name
            if target.exists() and not force:
                print(f"kept    {target}")
                continue
            target.write_text(json.dumps(make(), indent=2, ensure_ascii=False) + "\n")
            print(f"written {target}")


if __name__ == "__main__":
    main()
