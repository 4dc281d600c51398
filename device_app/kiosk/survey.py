"""The kiosk's hold on one respondent's survey session: what the question screen shows, and
the session's answer errors turned into messages for the screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from device_app.kiosk.answers import AnswerRefused
from device_app.session import AnswerError, SurveySession
from questionnaire_specs.models import Option, Question, Spec
from questionnaire_specs.question_types import ranked_count

HELD: Any = object()  # preview(): from the answer the session holds, not a new one


@dataclass(frozen=True)
class QuestionView:
    """What the screen shows: the question in one language, where we are, the answer so far."""

    spec: Spec
    question: Question
    language: str
    answer: Any  # the session's answer (None when unanswered)
    number: int  # 1-based position among the questions asked
    total: int
    fraction: float
    can_go_back: bool
    is_last: bool
    error: str = ""
    label: str = ""  # the question's label and hint as the session shows them (piped)
    hint: str = ""
    options: tuple[Option, ...] = ()  # the options offered now (its choice_filter's)
    shown_value: str = ""  # a read_only question's value as the session shows it
    required: bool = False  # an answer is needed (its required_when, over the answers before)

    @property
    def positions(self) -> int:
        """How many of the options offered a rank answer orders (the registry's rule)."""
        return ranked_count(self.question, len(self.options))


class SurveyFlow:
    def __init__(self, session: SurveySession) -> None:
        self.session = session
        self._depth = 0  # questions behind the current one: Back is offered when > 0

    @property
    def spec(self) -> Spec:
        return self.session.spec

    @property
    def language(self) -> str:
        return self.session.language

    def view(self, *, carry: Any = None, error: str = "") -> QuestionView:
        question = self.session.current
        if question is None:
            raise RuntimeError("the survey has reached its end")
        progress = self.session.progress
        total = max(progress.total, 1)
        is_note = not question.is_entered  # a note, or a read_only question: nothing to enter
        return QuestionView(
            spec=self.spec,
            question=question,
            language=self.language,
            answer=carry if carry is not None else self.session.current_answer,
            number=0 if is_note else progress.number,
            total=progress.total,
            fraction=min(1.0, progress.answered / total),
            can_go_back=self._depth > 0,
            is_last=not is_note and progress.number >= progress.total,
            error=error,
            label=self.session.label(question),
            hint=self.session.hint(question),
            options=tuple(self.session.options(question)),
            shown_value=self.session.shown_value(question) if question.read_only else "",
            required=self.session.is_required(question),
        )

    def preview(self, answer: Any = HELD) -> QuestionView | None:
        """The view of the question Next would lead to (with ``answer`` as the current one's
        answer, if given), for building its screen ahead of time; None at the end.

        Only the question, language and held answer count: where the question sits in the
        survey is set from the real view once Next has moved (QuestionScreen.place).
        """
        question = self.session.peek_next() if answer is HELD else self.session.peek_next(answer)
        if question is None:
            return None
        wording = {} if answer is HELD else {"answer": answer}
        return QuestionView(
            spec=self.spec,
            question=question,
            language=self.language,
            answer=self.session.starting_answer(question),
            number=0,
            total=0,
            fraction=0.0,
            can_go_back=True,
            is_last=False,
            label=self.session.label(question, **wording),
            hint=self.session.hint(question, **wording),
            options=tuple(self.session.options(question, **wording)),
            shown_value=self.session.shown_value(question) if question.read_only else "",
            required=self.session.is_required(question, **wording),
        )

    def answer(self, value: Any) -> None:
        try:
            self.session.answer(value)
        except AnswerError as error:
            raise AnswerRefused(text=error.message) from None

    def advance(self) -> bool:
        """Next question; False at the end (ready to finish)."""
        try:
            more = self.session.next()
        except AnswerError as error:
            raise AnswerRefused(text=error.message) from None
        self._depth += 1
        return more

    def retreat(self) -> bool:
        if self.session.back():
            self._depth -= 1
            return True
        return False

    def set_language(self, language: str) -> None:
        self.session.set_language(language)
