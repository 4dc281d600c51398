"""The one rule for chosen secrets, checked against zxcvbn's own estimates."""

from __future__ import annotations

import pytest

from crypto import (
    SURVEY_KEY_PASSPHRASE,
    USER_PASSWORD,
    WeakSecret,
    require_strong_secret,
    secret_weakness,
)


@pytest.mark.parametrize(
    "weak",
    [
        "short",  # once accepted for the survey key
        "password1234",  # a common password with digits
        "qwertyuiopasdf",  # a keyboard walk
        "aaaaaaaaaaaaaaaa",  # a repeat
        "customscustoms",  # a word twice
    ],
)
def test_guessable_survey_key_passphrases_are_refused(weak: str) -> None:
    reason = secret_weakness(weak, SURVEY_KEY_PASSPHRASE)
    assert reason is not None and reason.startswith("the survey key passphrase")
    assert weak not in reason  # the reason never repeats the secret
    with pytest.raises(WeakSecret):
        require_strong_secret(weak, SURVEY_KEY_PASSPHRASE)


@pytest.mark.parametrize(
    "strong", ["correct horse battery staple", "tamarind ledger fog 1987 canoe"]
)
def test_several_unrelated_words_are_strong(strong: str) -> None:
    assert secret_weakness(strong, SURVEY_KEY_PASSPHRASE) is None
    assert require_strong_secret(strong, USER_PASSWORD) == strong


def test_the_users_own_name_does_not_make_a_password() -> None:
    reason = secret_weakness("mariamakamara1", USER_PASSWORD, context=["mariamakamara"])
    assert reason is not None and "too easy to guess" in reason
