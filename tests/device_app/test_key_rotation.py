"""The station's rule for taking an announced survey key (device_app/key_rotation.py)."""

from __future__ import annotations

import pytest

from crypto import generate_survey_key
from device_app.key_rotation import authenticated_channel, judge_announcement

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


def test_a_new_key_from_the_enrolled_server_over_https_is_taken() -> None:
    url = "https://survey.example.org"
    judged = judge_announcement(NEXT.to_text(), current=CURRENT, sent_to=url, enrolled_url=url)
    assert judged.key == NEXT and judged.refused is None
    # A trailing slash is the same server.
    again = judge_announcement(NEXT.to_text(), current=CURRENT, sent_to=url + "/",
                               enrolled_url=url)  # fmt: skip
    assert again.key == NEXT


def test_the_current_key_or_no_announcement_changes_nothing() -> None:
    url = "https://survey.example.org"
    for announced in (None, CURRENT.to_text()):
        judged = judge_announcement(announced, current=CURRENT, sent_to=url, enrolled_url=url)
        assert (judged.key, judged.refused) == (None, None)


HTTPS = "https://survey.example.org"


@pytest.mark.parametrize(
    ("announced", "sent_to", "enrolled", "reason"),
    [
        (NEXT.to_text(), "https://elsewhere.example.org", HTTPS, "not the enrolled server"),
        (NEXT.to_text(), "http://survey.example.org", "http://survey.example.org", "plain http"),
        ("mss-survey-pk-v1:" + "A" * 43, HTTPS, HTTPS, "unusable"),
        ("not a key", HTTPS, HTTPS, "unusable"),
    ],
)
def test_anything_else_is_refused_with_the_reason(
    announced: str, sent_to: str, enrolled: str, reason: str
) -> None:
    judged = judge_announcement(announced, current=CURRENT, sent_to=sent_to, enrolled_url=enrolled)
    assert judged.key is None and reason in (judged.refused or "")
