"""The console's words: every phrase a template or page asks for exists in all five
languages, placeholders agree across them, and only Arabic reads right to left."""

from __future__ import annotations

import re
import string
from pathlib import Path

from sync_server.console import phrases
from sync_server.console.phrases import LANGUAGES, best_language, direction, phrase, phrase_keys

CONSOLE = Path(phrases.__file__).parent
ASKED = re.compile(r"""\bt\(\s*["']([a-z_]+)["']""")
# Keys chosen at run time: the menu, notices, refusal messages, statuses, file kinds.
RUN_TIME = re.compile(
    r"""(?:message|notice)=["']([a-z_]+)["']|\(\s*["']([a-z_]+)["'],\s*["']/console"""
)


# Keys a template reads from a variable: station status, release scope, file kind, notices,
# job states.
CHOSEN_AT_RUN_TIME = (
    "active", "revoked", "national", "pooled", "data", "codebook", "risk_report",
    "results_report", "wait", "held", "wrong_password", "queued", "running", "done", "failed",
)  # fmt: skip


def asked_for() -> set[str]:
    found: set[str] = set()
    for path in [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found |= set(ASKED.findall(text))
        found |= {key for pair in RUN_TIME.findall(text) for key in pair if key}
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_phrase_asked_for_exists_in_every_language() -> None:
    wanted = asked_for() | set(CHOSEN_AT_RUN_TIME)
    assert len(wanted) > 60
    assert wanted <= set(phrase_keys()), wanted - set(phrase_keys())
    for key in phrase_keys():
        english = phrase("en", key)
        for lang in LANGUAGES:
            words = phrases._ROWS[key][LANGUAGES.index(lang)]
            assert words.strip(), (key, lang)
            assert fields(words) == fields(english), (key, lang)


def test_arabic_reads_right_to_left_and_the_browser_language_is_followed() -> None:
    assert [direction(lang) for lang in LANGUAGES] == ["ltr", "ltr", "ltr", "ltr", "rtl"]
    assert best_language(["de-DE", "pt-BR;q=0.8", "en;q=0.5"]) == "pt"
    assert best_language(["zh"]) == "en"
    assert phrase("ar", "stale", days=3) == "بلا مزامنة منذ 3 يوم"
