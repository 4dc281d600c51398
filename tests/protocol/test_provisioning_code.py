"""The provisioning code the enrolment QR code carries: compact, versioned, strict, and a
key check that no other key passes."""

from __future__ import annotations

import base64
import hashlib

import pytest
import segno

from crypto import OperatorKey, generate_survey_key
from protocol.provisioning import (
    CODE_PREFIX,
    ProvisioningBundle,
    ProvisioningCode,
    ProvisioningCodeError,
    survey_key_digest,
)

KEY = generate_survey_key().public_key()
TOKEN = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST"


def code(**changes: object) -> ProvisioningCode:
    fields = {"server_url": "https://survey.example.org/", "token": TOKEN,
              "key_sha256": survey_key_digest(KEY)}  # fmt: skip
    fields.update(changes)
    return ProvisioningCode(**fields)


def test_the_text_round_trips_names_its_version_and_fits_a_small_qr_code() -> None:
    text = code().to_text()
    assert text.startswith(CODE_PREFIX + "v=1&server=https://survey.example.org&token=")
    assert ProvisioningCode.from_text(f"  {text}\n") == code()
    assert code().server_url == "https://survey.example.org"
    # A realistic server URL and a real-length token stay a QR code a tablet's camera reads
    # from arm's length: version 10 (57 modules) at most, at error level M.
    long = code(server_url="https://survey.customs-integrity.example.org").to_text()
    assert segno.make(long, error="m").version <= 10


def test_the_operator_key_rides_along_whole_and_the_code_stays_small() -> None:
    operator = OperatorKey.generate().public_key()
    tail = operator.to_text().removeprefix("mss-operator-pk-v1:")
    with_op = code(operator_key=tail)
    assert with_op.to_text().endswith("&op=" + tail)
    assert ProvisioningCode.from_text(with_op.to_text()) == with_op
    assert with_op.operator_public_key() == operator.to_text()
    assert code().operator_public_key() is None  # a code from a server without one
    # 43 more characters: one QR version more (61 modules) for a long URL, still read from
    # a phone photo (tests/device_app/test_provisioning_qr.py).
    long = code(server_url="https://survey.customs-integrity.example.org", operator_key=tail)
    assert segno.make(long.to_text(), error="m").version <= 11
    with pytest.raises(ProvisioningCodeError, match="'op' is not an operator public key"):
        ProvisioningCode.from_text(code().to_text() + "&op=" + "A" * 42)
    bundle = ProvisioningBundle(
        server_url="https://survey.example.org", token=TOKEN, survey_public_key=KEY.to_text(),
        country="SL", region="North", populations=["officials"],
        operator_public_key=operator.to_text(),
    )  # fmt: skip
    assert ProvisioningCode.for_bundle(bundle).operator_public_key() == operator.to_text()


def test_the_digest_is_the_whole_sha256_of_the_key() -> None:
    digest = survey_key_digest(KEY)
    assert len(digest) == 43
    assert base64.urlsafe_b64decode(digest + "=") == hashlib.sha256(KEY.to_bytes()).digest()
    assert code().names_key(KEY)
    assert not code().names_key(generate_survey_key().public_key())


def test_the_code_for_a_bundle_vouches_for_the_bundles_key() -> None:
    bundle = ProvisioningBundle(
        server_url="https://survey.example.org", token=TOKEN, survey_public_key=KEY.to_text(),
        country="SL", region="North", populations=["officials"],
    )  # fmt: skip
    made = ProvisioningCode.for_bundle(bundle)
    assert (made.server_url, made.token) == (bundle.server_url, bundle.token)
    assert made.names_key(KEY)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("https://survey.example.org", "does not start with 'mss:provision"),
        ("mss:enrol?v=1", "does not start with"),
        ("mss:provision?v=2&server=https://a.example&token=T&key=" + "A" * 43, "version 1"),
        ("mss:provision?server=https://a.example&token=T&key=" + "A" * 43, "version 1"),
        ("mss:provision?v=1&server=https://a.example&key=" + "A" * 43, "no 'token'"),
        ("mss:provision?v=1&server=ftp://a.example&token=T&key=" + "A" * 43, "'server' must be"),
        ("mss:provision?v=1&server=https://a.example&token=T&key=short", "'key' is not a SHA"),
        ("mss:provision?v=1&v=1&server=https://a&token=T&key=" + "A" * 43, "given twice"),
        ("mss:provision?v=1&server=https://a&token=T&key=" + "A" * 43 + "&x=1", "unknown field"),
        ("mss:provision?v=1&&", "not name=value pairs"),
    ],
)
def test_a_wrong_code_says_which_part_is_wrong(text: str, why: str) -> None:
    with pytest.raises(ProvisioningCodeError, match=why):
        ProvisioningCode.from_text(text)


def test_no_message_quotes_the_token() -> None:
    secret = "SECRET-TOKEN-VALUE"
    for text in (
        f"mss:provision?v=1&server=ftp://a&token={secret}&key=" + "A" * 43,
        f"mss:provision?v=1&server=https://a&token={secret}&key=short",
        f"mss:provision?v=1&server=https://a&token={secret}&token={secret}",
        f"mss:provision?v=9&token={secret}",
    ):
        with pytest.raises(ProvisioningCodeError) as refused:
            ProvisioningCode.from_text(text)
        assert secret not in str(refused.value)
