"""How hard a secret a person chose is to guess: the one rule for every passphrase and
password MSS asks for (the survey key's passphrase, server users' passwords, and the
station passphrase).

The estimate is zxcvbn's (dictionaries, keyboard patterns, dates, l33t substitutions),
not a character-class count: "Password1!" passes class rules and is guessed at once,
while four plain words are strong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

from crypto.errors import WeakSecret

# zxcvbn only reads this many characters; longer secrets are judged on their start.
_ESTIMATE_CHARS = 100


@dataclass(frozen=True)
class SecretRule:
    """What a kind of secret must resist. `min_guesses_log10` is zxcvbn's estimate of the
    guesses an attacker needs, as a power of ten."""

    what: str
    min_chars: int
    min_guesses_log10: float


# Guarded by Argon2id but open to an offline attack by whoever copies the key file.
SURVEY_KEY_PASSPHRASE = SecretRule("the survey key passphrase", 12, 12.0)
# A custodian's share alone opens nothing, but m of them open everything: as strong.
CUSTODIAN_PASSPHRASE = SecretRule("a custodian's passphrase", 12, 12.0)
# Online only, behind throttling; still never a dictionary word or a keyboard walk.
USER_PASSWORD = SecretRule("a password", 12, 8.0)


def secret_weakness(secret: str, rule: SecretRule, *, context: Iterable[str] = ()) -> str | None:
    """Why `secret` is too weak for `rule`, or None when it is strong enough. `context`
    lists words an attacker would try first (the user's name, the country). The reason
    never repeats the secret."""
    if len(secret.strip()) < rule.min_chars:
        return f"{rule.what} needs at least {rule.min_chars} characters"
    estimate = zxcvbn(secret[:_ESTIMATE_CHARS], user_inputs=[w for w in context if w])
    if float(estimate["guesses_log10"]) >= rule.min_guesses_log10:
        return None
    feedback = estimate.get("feedback") or {}
    parts = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    hint = " ".join(part for part in parts if part)
    reason = f"{rule.what} is too easy to guess"
    return f"{reason}: {hint}" if hint else f"{reason}: use several unrelated words"


def require_strong_secret(secret: str, rule: SecretRule, *, context: Iterable[str] = ()) -> str:
    """`secret` when it is strong enough for `rule`; WeakSecret saying why otherwise."""
    weakness = secret_weakness(secret, rule, context=context)
    if weakness is not None:
        raise WeakSecret(weakness)
    return secret
