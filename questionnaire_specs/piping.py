"""Label piping: `${q}` inside a label, hint or message shows the answer to q.

A pure function of the text, the answers and the option labels (Spec.choice_labels): the
kiosk and the online site call it (its twin is sync_server/site/static/piping.js) each time
they show a text. A choice answer shows its option's label in the respondent's language
(several chosen: their labels joined by ", "); any other answer its text as string() writes
it (2.0 shows 2); an unanswered or unknown question shows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from questionnaire_specs.expressions import Choices, as_text, choice_name

PIPED = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


def piped_references(text: str) -> set[str]:
    """The questions a text shows (for a load-time check that each is asked earlier)."""
    return set(PIPED.findall(text))


def shown(question: str, value: object, choices: Choices | None) -> str:
    """An answer as a text shows it."""
    if value is None:
        return ""
    if choices is None or question not in choices:
        return as_text(value)
    chosen = value if isinstance(value, list | tuple) else [value]
    return ", ".join(
        label if (label := choice_name(item, question, choices)) is not None else as_text(item)
        for item in chosen
    )


def pipe(text: str, answers: Mapping[str, object], choices: Choices | None = None) -> str:
    """`text` with each `${q}` replaced by the answer to q as shown."""

    def answer(match: re.Match[str]) -> str:
        return shown(match.group(1), answers.get(match.group(1)), choices)

    return PIPED.sub(answer, text)
