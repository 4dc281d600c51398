"""The post-quantum survey key (MLKEM768-X25519, draft-ietf-hpke-pq): checked against the
draft's own test vector, then through our key files, custody and seal/open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from crypto import (
    MLKEM768_X25519,
    X25519,
    KdfCost,
    KeyFileError,
    OpenError,
    SurveyPrivateKey,
    SurveyPublicKey,
    generate_survey_key,
    open_sealed,
    read_private_key_file,
    read_public_key_from_private_file,
    seal,
    seal_overhead,
    split_survey_key,
    unlock_with_shares,
    write_private_key_file,
)

KAT = Path(__file__).parent / "kat" / "hpke_pq_mlkem768_x25519_chacha20poly1305.json"
VECTOR = json.loads(KAT.read_text())["vector"]
PASSPHRASE = "seven quiet harbours keep the tide"


def _h(name: str) -> bytes:
    return bytes.fromhex(VECTOR[name])


def test_the_vector_is_the_suite_we_seal_with() -> None:
    # MLKEM768-X25519, HKDF-SHA256, ChaCha20-Poly1305: the stations' suite with the hybrid KEM
    assert (VECTOR["mode"], VECTOR["kem_id"], VECTOR["kdf_id"], VECTOR["aead_id"]) == (
        0, 0x647A, 1, 3,
    )  # fmt: skip


def test_our_seed_expansion_gives_the_drafts_public_key() -> None:
    key = SurveyPrivateKey.from_private_bytes(_h("skRm"), MLKEM768_X25519)
    assert key.public_key().to_bytes() == _h("pkRm")
    assert SurveyPublicKey.from_bytes(_h("pkRm"), MLKEM768_X25519) == key.public_key()


def test_we_open_what_the_drafts_key_schedule_sealed() -> None:
    # The vector's context key and nonce, with our empty aad (single-shot Seal, seq 0): our
    # open must derive the same key from enc and skRm, or the tag fails.
    encryption = VECTOR["encryptions"][0]
    plaintext = bytes.fromhex(encryption["pt"])
    assert ChaCha20Poly1305(_h("key")).decrypt(
        bytes.fromhex(encryption["nonce"]), bytes.fromhex(encryption["ct"]),
        bytes.fromhex(encryption["aad"]),
    ) == plaintext  # fmt: skip
    ciphertext = ChaCha20Poly1305(_h("key")).encrypt(_h("base_nonce"), plaintext, b"")
    key = SurveyPrivateKey.from_private_bytes(_h("skRm"), MLKEM768_X25519)

    assert open_sealed(_h("enc") + ciphertext, key, info=_h("info")) == plaintext
    with pytest.raises(OpenError):
        open_sealed(_h("enc") + ciphertext, key, info=_h("info") + b"x")


def test_a_hybrid_key_seals_and_opens_and_costs_its_encapsulation() -> None:
    key = generate_survey_key(MLKEM768_X25519)
    public = SurveyPublicKey.from_text(key.public_key().to_text())
    assert public.kem == MLKEM768_X25519
    assert public.to_text().startswith("mss-survey-pk-pq1:")

    sealed = seal(b"an answer", public, info=b"context")

    assert len(sealed) == len(b"an answer") + seal_overhead(MLKEM768_X25519) == 9 + 1136
    assert seal_overhead(X25519) == 48
    assert open_sealed(sealed, key, info=b"context") == b"an answer"
    with pytest.raises(OpenError):
        open_sealed(sealed[:1000], key, info=b"context")
    with pytest.raises(OpenError):
        open_sealed(sealed, generate_survey_key(MLKEM768_X25519), info=b"context")


def test_an_x25519_key_cannot_open_a_hybrid_seal_nor_the_reverse() -> None:
    hybrid, classic = generate_survey_key(MLKEM768_X25519), generate_survey_key()
    with pytest.raises(OpenError):
        open_sealed(seal(b"x", hybrid.public_key(), info=b"i"), classic, info=b"i")
    with pytest.raises(OpenError):
        open_sealed(seal(b"x", classic.public_key(), info=b"i"), hybrid, info=b"i")


def test_the_key_file_keeps_the_kind(tmp_path: Path) -> None:
    key = generate_survey_key(MLKEM768_X25519)
    path = tmp_path / "survey-key.private"
    write_private_key_file(path, key, PASSPHRASE, cost=KdfCost.FAST)

    assert read_public_key_from_private_file(path) == key.public_key()
    again = read_private_key_file(path, PASSPHRASE)
    assert again.kem == MLKEM768_X25519 and again.public_key() == key.public_key()
    assert "mss-survey-pk-pq1:" in path.read_text()


def test_a_public_line_of_the_other_kind_is_caught(tmp_path: Path) -> None:
    hybrid, classic = generate_survey_key(MLKEM768_X25519), generate_survey_key()
    path = tmp_path / "survey-key.private"
    write_private_key_file(path, classic, PASSPHRASE, cost=KdfCost.FAST)
    lines = path.read_text().splitlines()
    lines[1] = f"public-key: {hybrid.public_key().to_text()}"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(KeyFileError, match="does not match"):
        read_private_key_file(path, PASSPHRASE)


def test_custody_splits_and_unlocks_a_hybrid_key() -> None:
    key = generate_survey_key(MLKEM768_X25519)
    custodians = [("Awa", "first custodian long passphrase"),
                  ("Bintu", "second custodian long passphrase"),
                  ("Chernor", "third custodian long passphrase")]  # fmt: skip
    shared, shares = split_survey_key(key, custodians, threshold=2, cost=KdfCost.FAST)
    presented = [(shares[0], custodians[0][1]), (shares[2], custodians[2][1])]

    unlocked = unlock_with_shares(shared, presented)

    assert unlocked.kem == MLKEM768_X25519 and unlocked.public_key() == key.public_key()


@pytest.mark.parametrize(
    ("raw", "kem"),
    [(b"\x00" * 32, MLKEM768_X25519), (b"\x01" * 1216, X25519), (b"\x01" * 1215, MLKEM768_X25519)],
)
def test_a_public_key_of_the_wrong_size_or_kind_is_refused(raw: bytes, kem: str) -> None:
    with pytest.raises(KeyFileError):
        SurveyPublicKey.from_bytes(raw, kem)
