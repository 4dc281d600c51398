"""The survey key pair, its text form and its files (real files in tmp_path)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from crypto import (
    MLKEM768_X25519,
    X25519,
    KdfCost,
    KeyFileError,
    SurveyPrivateKey,
    SurveyPublicKey,
    WrongPassphrase,
    generate_survey_key,
    read_private_key_file,
    read_public_key_file,
    read_public_key_from_private_file,
    write_private_key_file,
    write_public_key_file,
)

FAST = KdfCost.FAST


def test_public_key_bytes_and_text_round_trip() -> None:
    public = generate_survey_key().public_key()
    assert len(public.to_bytes()) == 32
    text = public.to_text()
    assert re.fullmatch(r"mss-survey-pk-v1:[A-Za-z0-9_-]{43}", text)
    assert SurveyPublicKey.from_text(text) == public
    assert SurveyPublicKey.from_text(f"  {text}\n") == public
    assert SurveyPublicKey.from_bytes(public.to_bytes()) == public
    assert hash(SurveyPublicKey.from_text(text)) == hash(public)
    assert public != generate_survey_key().public_key()


def test_the_key_id_is_derived_from_the_public_key_alone() -> None:
    """16 lowercase base32 characters of SHA-256(raw public key): the same key always has
    the same id, whoever computes it; every other key has another."""
    # RFC 7748 section 6.1's Alice public key; the id worked out with the stdlib alone.
    raw = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    public = SurveyPublicKey.from_bytes(raw)
    assert public.key_id() == "gagjzfqdxevewopn"
    assert SurveyPublicKey.from_text(public.to_text()).key_id() == public.key_id()
    ids = {generate_survey_key(kem).public_key().key_id() for kem in (X25519, MLKEM768_X25519)}
    assert len(ids) == 2 and all(re.fullmatch(r"[a-z2-7]{16}", i) for i in ids)


def test_fingerprint_is_short_and_stable() -> None:
    public = generate_survey_key().public_key()
    assert re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", public.fingerprint())
    assert SurveyPublicKey.from_text(public.to_text()).fingerprint() == public.fingerprint()
    assert public.fingerprint() in repr(public)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "mss-survey-pk-v1:",
        "mss-survey-pk-v2:B74TT0nvNLCf2v93PD067XrJ-2icUBakWXcDVfq3NXM",
        "B74TT0nvNLCf2v93PD067XrJ-2icUBakWXcDVfq3NXM",
        "mss-survey-pk-v1:B74TT0nvNLCf2v93PD067XrJ-2icUBakWXcDVfq3NX",  # 31 bytes
        "mss-survey-pk-v1:B74TT0nvNLCf2v93PD067XrJ-2icUBakWXcDVfq3NXM=",  # padding
        "mss-survey-pk-v1:B74TT0nvNLCf2v93PD067XrJ+2icUBakWXcDVfq3NXM",  # not url-safe
        "mss-survey-pk-v1:B74TT0nvNLCf2v93PD067XrJ-2icUBakWXcDVfq3NXN",  # non-canonical
        "mss-survey-pk-v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # low-order point
        "mss-survey-pk-v1:B74TT0nvNLCf2v93PD067X rJ-2icUBakWXcDVfq3NXM",
    ],
)
def test_bad_public_key_text_is_a_key_file_error(text: str) -> None:
    with pytest.raises(KeyFileError):
        SurveyPublicKey.from_text(text)


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33), bytes(32)])
def test_bad_public_key_bytes_are_a_key_file_error(raw: bytes) -> None:
    with pytest.raises(KeyFileError):
        SurveyPublicKey.from_bytes(raw)


def test_the_public_key_offers_no_way_to_open_or_reach_a_private_key() -> None:
    public = generate_survey_key().public_key()
    names = [name for name in dir(public) if not name.startswith("__")]
    for word in ("open", "decrypt", "private", "unseal"):
        assert not [name for name in names if word in name.lower()], word


def test_private_key_repr_shows_no_secret() -> None:
    key = SurveyPrivateKey.from_private_bytes(bytes.fromhex("11" * 32))
    assert "11" * 4 not in repr(key)
    assert key.public_key().fingerprint() in repr(key)


def test_private_key_file_round_trip(tmp_path: Path) -> None:
    key = generate_survey_key()
    path = tmp_path / "survey.key"
    write_private_key_file(path, key, "processor passphrase", cost=FAST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = read_private_key_file(path, "processor passphrase")
    assert again.public_key() == key.public_key()
    assert read_public_key_from_private_file(path) == key.public_key()
    assert path.read_text().startswith("mss-survey-private-key-v1\n")
    # Nothing but the key file is left behind (no temporary file).
    assert [p.name for p in tmp_path.iterdir()] == ["survey.key"]


def test_private_key_file_holds_no_raw_key(tmp_path: Path) -> None:
    raw = bytes.fromhex("42" * 32)
    path = tmp_path / "survey.key"
    write_private_key_file(path, SurveyPrivateKey.from_private_bytes(raw), "pass", cost=FAST)
    data = path.read_bytes()
    assert raw not in data and raw.hex().encode() not in data


def test_wrong_passphrase_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "survey.key"
    write_private_key_file(path, generate_survey_key(), "right", cost=FAST)
    with pytest.raises(WrongPassphrase, match=re.escape(str(path))):
        read_private_key_file(path, "wrong")


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "survey.key"
    path.write_text("precious")
    with pytest.raises(FileExistsError):
        write_private_key_file(path, generate_survey_key(), "pass", cost=FAST)
    with pytest.raises(FileExistsError):
        write_public_key_file(path, generate_survey_key().public_key())
    assert path.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["survey.key"]


def test_a_symlink_is_not_followed_or_replaced(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "survey.key"
    link.symlink_to(target)
    with pytest.raises(FileExistsError):
        write_private_key_file(link, generate_survey_key(), "pass", cost=FAST)
    assert not target.exists()


def test_swapped_public_line_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "survey.key"
    write_private_key_file(path, generate_survey_key(), "pass", cost=FAST)
    other = generate_survey_key().public_key().to_text()
    lines = path.read_text().splitlines()
    lines[1] = f"public-key: {other}"
    path.write_text("\n".join(lines) + "\n")
    # Reading the public half alone cannot tell; unlocking can.
    assert read_public_key_from_private_file(path).to_text() == other
    with pytest.raises(KeyFileError, match="does not match"):
        read_private_key_file(path, "pass")


def test_every_altered_byte_of_the_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "survey.key"
    key = generate_survey_key()
    write_private_key_file(path, key, "pass", cost=FAST)
    original = path.read_bytes()
    altered_path = tmp_path / "altered.key"
    for position in range(len(original)):
        altered = bytearray(original)
        altered[position] ^= 0x01
        altered_path.write_bytes(bytes(altered))
        with pytest.raises((WrongPassphrase, KeyFileError)):
            read_private_key_file(altered_path, "pass")


def test_windows_line_ends_are_read(tmp_path: Path) -> None:
    path = tmp_path / "survey.key"
    key = generate_survey_key()
    write_private_key_file(path, key, "pass", cost=FAST)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert read_private_key_file(path, "pass").public_key() == key.public_key()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe binary",
        b"mss-survey-private-key-v2\n",
        b"mss-survey-private-key-v1\n",
        b"mss-survey-private-key-v1\npublic-key: x\nwrapped-private-key: y\n",
        b"mss-survey-private-key-v1\npublic-key mss-survey-pk-v1:x\n",
        b"x" * 100_000,
    ],
)
def test_malformed_key_files_are_key_file_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "survey.key"
    path.write_bytes(content)
    with pytest.raises(KeyFileError, match=re.escape(str(path))):
        read_private_key_file(path, "pass")
    with pytest.raises(KeyFileError):
        read_public_key_from_private_file(path)


def test_a_missing_file_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot read"):
        read_private_key_file(tmp_path / "absent.key", "pass")
    with pytest.raises(KeyFileError, match="cannot read"):
        read_public_key_file(tmp_path / "absent.pub")


def test_public_key_file_round_trip(tmp_path: Path) -> None:
    public = generate_survey_key().public_key()
    path = tmp_path / "survey.pub"
    write_public_key_file(path, public)
    assert path.read_text() == public.to_text() + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert read_public_key_file(path) == public
    path.write_text("nonsense\n")
    with pytest.raises(KeyFileError, match=re.escape(str(path))):
        read_public_key_file(path)


def test_writing_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_public_key_file(tmp_path / "no" / "such.pub", generate_survey_key().public_key())
    assert os.listdir(tmp_path) == []
