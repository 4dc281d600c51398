"""The operator key (crypto/operator_key.py): its text form, its file under a passphrase,
and signatures that verify only for their domain and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from crypto import (
    BadSignature,
    KdfCost,
    KeyFileError,
    OperatorKey,
    OperatorPublicKey,
    WrongPassphrase,
    read_operator_key_file,
    read_operator_public_key,
    write_operator_key_file,
)

PASSPHRASE = "the operator keeps this key in the safe"  # noqa: S105 - a test's
# RFC 8032 section 7.1, TEST 1.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_the_public_key_is_rfc_8032s_and_its_text_round_trips() -> None:
    public = OperatorKey.from_private_bytes(SEED).public_key()
    assert public.to_bytes() == PUBLIC
    assert OperatorPublicKey.from_text(public.to_text()) == public
    assert public.to_text().startswith("mss-operator-pk-v1:") and len(public.to_text()) == 62
    for bad in ("mss-survey-pk-v1:" + public.to_text()[19:], public.to_text() + "A", "x"):
        with pytest.raises(KeyFileError):
            OperatorPublicKey.from_text(bad)


def test_a_signature_holds_for_its_domain_and_message_only() -> None:
    key = OperatorKey.generate()
    signature = key.sign("survey-key", b"record")
    key.public_key().verify("survey-key", b"record", signature)
    for domain, message, sig in (
        ("beacon", b"record", signature),
        ("survey-key", b"recorD", signature),
        ("survey-key", b"record", signature[:-1]),
    ):
        with pytest.raises(BadSignature):
            key.public_key().verify(domain, message, sig)
    with pytest.raises(BadSignature):
        OperatorKey.generate().public_key().verify("survey-key", b"record", signature)


def test_the_key_file_opens_with_its_passphrase_only(tmp_path: Path) -> None:
    key = OperatorKey.from_private_bytes(SEED)
    path = tmp_path / "operator.key"
    write_operator_key_file(path, key, PASSPHRASE, cost=KdfCost.FAST)
    assert path.stat().st_mode & 0o777 == 0o600
    lines = path.read_text("ascii").splitlines()
    assert lines[:2] == ["mss-operator-signing-key-v1", f"public-key: {key.public_key().to_text()}"]
    assert read_operator_key_file(path, PASSPHRASE).public_key() == key.public_key()
    assert read_operator_public_key(path) == key.public_key()  # no passphrase needed
    with pytest.raises(WrongPassphrase, match=str(path)):
        read_operator_key_file(path, "not the passphrase at all")
    with pytest.raises(FileExistsError):
        write_operator_key_file(path, key, PASSPHRASE, cost=KdfCost.FAST)


def test_an_edited_public_line_or_another_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "operator.key"
    write_operator_key_file(path, OperatorKey.generate(), PASSPHRASE, cost=KdfCost.FAST)
    other = OperatorKey.generate().public_key().to_text()
    lines = path.read_text("ascii").splitlines()
    edited = tmp_path / "edited.key"
    edited.write_text("\n".join([lines[0], f"public-key: {other}", lines[2]]) + "\n")
    with pytest.raises(KeyFileError, match="does not match"):
        read_operator_key_file(edited, PASSPHRASE)
    survey = tmp_path / "survey.key"
    survey.write_text("mss-survey-private-key-v1\n")
    with pytest.raises(KeyFileError, match="not an MSS operator key file"):
        read_operator_key_file(survey, PASSPHRASE)
