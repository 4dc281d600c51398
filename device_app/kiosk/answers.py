"""From what the screen holds to what the session takes: numbers typed on the keypad are
text until here. Problems carry their message in the respondent's language."""

from __future__ import annotations

from typing import Any

from device_app import messages as words
from questionnaire_specs.models import Question, QuestionType, Spec


class AnswerRefused(Exception):
    """An answer the respondent must change; ``message`` is shown in their language."""

    def __init__(self, *, text: str | None = None, key: str | None = None) -> None:
        super().__init__(key or "answer refused")  # never the answer itself
        self._text = text
        self._key = key

    def message(self, _spec: Spec, language: str) -> str:
        if self._text is not None:
            return self._text
        return words.text(self._key or "required", language)


def parse_answer(question: Question, raw: Any) -> Any:
    """The answer value for the session; None means "no answer"."""
    if raw is None or raw == "" or raw == []:
        return None
    if question.type is QuestionType.NUMBER:
        text = str(raw).strip()
        try:
            number = float(text) if "." in text else int(text)
        except ValueError:
            raise AnswerRefused(key="not_a_number") from None
        if isinstance(number, float) and number.is_integer() and question.integer is not False:
            number = int(number)
        return number
    return raw
