"""The station's rule for taking an announced survey key (device_app/key_rotation.py)."""

from __future__ import annotations

import pytest

from crypto import OperatorKey, SurveyPublicKey, generate_survey_key
from device_app.key_rotation import KeyTrust, authenticated_channel, judge_announcement
from protocol import SignedSurveyKey, SurveyKeyRecord, sign_survey_key

CURRENT = generate_survey_key().public_key()
NEXT = generate_survey_key().public_key()


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://survey.example.org", True),
        ("https://survey.example.org:8443/mss", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:8080", True),
        ("http://localhost:8080", True),
        ("http://survey.example.org", False),
        ("http://10.0.0.5:8080", False),
        ("http://127.0.0.1.example.org", False),
        ("ftp://127.0.0.1", False),
        ("http://", False),
    ],
)
def test_only_https_or_the_loopback_is_an_authenticated_channel(url: str, trusted: bool) -> None:
    assert authenticated_channel(url) is trusted


HTTPS = "https://survey.example.org"
OPERATOR = OperatorKey.generate()


def record_of(key: SurveyPublicKey, *, country: str = "SL", created: str = "2027-01-05T08:00:00Z"):
    return SurveyKeyRecord(key_id=key.key_id(), country=country, wave="2027",
                           public_key=key.to_text(), kem=key.kem, created=created)  # fmt: skip


def signed(key: SurveyPublicKey, signer: OperatorKey = OPERATOR, **record: str) -> SignedSurveyKey:
    return sign_survey_key(record_of(key, **record), signer.sign)


def trust(url: str = HTTPS, *, operator: OperatorKey | None = OPERATOR) -> KeyTrust:
    return KeyTrust(current=CURRENT, enrolled_url=url, country="SL",
                    operator=None if operator is None else operator.public_key(),
                    not_before="2026-12-01T00:00:00Z")  # fmt: skip


def test_a_key_the_operator_signed_from_the_enrolled_server_over_https_is_taken() -> None:
    judged = judge_announcement(None, signed(NEXT), trust=trust(), sent_to=HTTPS)
    assert judged.key == NEXT and judged.refused is None and judged.code is None
    assert judged.record is not None and judged.record.created == "2027-01-05T08:00:00Z"
    # A trailing slash is the same server; the signed record wins over the bare key.
    again = judge_announcement(CURRENT.to_text(), signed(NEXT), trust=trust(), sent_to=HTTPS + "/")
    assert again.key == NEXT


def test_the_current_key_or_no_announcement_changes_nothing() -> None:
    for announced, record in ((None, None), (CURRENT.to_text(), None), (None, signed(CURRENT))):
        judged = judge_announcement(announced, record, trust=trust(), sent_to=HTTPS)
        assert (judged.key, judged.refused, judged.code) == (None, None, None)


@pytest.mark.parametrize(
    ("announced", "record", "sent_to", "enrolled", "code"),
    [
        (None, signed(NEXT), "https://elsewhere.example.org", HTTPS, "survey-key-other-server"),
        (None, signed(NEXT), "http://survey.example.org", "http://survey.example.org",
         "survey-key-plain-http"),
        ("mss-survey-pk-v1:" + "A" * 43, None, HTTPS, HTTPS, "survey-key-unusable"),
        ("not a key", None, HTTPS, HTTPS, "survey-key-unusable"),
        (NEXT.to_text(), None, HTTPS, HTTPS, "survey-key-unsigned"),
        (None, signed(NEXT, OperatorKey.generate()), HTTPS, HTTPS, "survey-key-forged"),
        (None, signed(NEXT, country="GH"), HTTPS, HTTPS, "survey-key-other-country"),
        (None, signed(NEXT, created="2026-11-30T23:59:59Z"), HTTPS, HTTPS, "survey-key-older"),
    ],
)  # fmt: skip
def test_anything_else_is_refused_with_its_code(
    announced: str | None, record: SignedSurveyKey | None, sent_to: str, enrolled: str, code: str
) -> None:
    judged = judge_announcement(announced, record, trust=trust(enrolled), sent_to=sent_to)
    assert judged.key is None and judged.code == code
    assert (judged.refused or "").startswith(code + ": ")


def test_a_record_altered_after_signing_is_forged() -> None:
    good = signed(NEXT)
    other = generate_survey_key().public_key()
    moved = SignedSurveyKey(record=record_of(other), signature=good.signature)
    judged = judge_announcement(None, moved, trust=trust(), sent_to=HTTPS)
    assert judged.code == "survey-key-forged"


def test_without_a_pinned_operator_key_nothing_is_taken() -> None:
    judged = judge_announcement(None, signed(NEXT), trust=trust(operator=None), sent_to=HTTPS)
    assert judged.key is None and judged.code == "survey-key-no-operator-key"


def test_a_record_names_its_own_key() -> None:
    with pytest.raises(ValueError, match="key_id and kem"):
        SurveyKeyRecord(key_id=CURRENT.key_id(), country="SL", wave="2027",
                        public_key=NEXT.to_text(), kem="x25519",
                        created="2027-01-05T08:00:00Z")  # fmt: skip
