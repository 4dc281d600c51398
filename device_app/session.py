"""One respondent's way through a questionnaire: the survey session, in pure Python.

No Kivy, no database, no crypto: the kiosk and the scripted respondent both drive this class,
and the station keeps its `snapshot()` inside the encrypted store. Questions are shown in
spec order, skipping those that are not relevant or not for the population. Answers are
checked by the same rule book as the server's (questionnaire_specs.answers); the messages a
respondent sees come from the station's one catalogue, device_app/messages.py.

Relevance is always worked out over the *effective* answers: the answers of questions that
are themselves relevant, in spec order. An answer kept for a question that has become
irrelevant (the respondent went back and changed an earlier answer) stays in the draft, in
case the question becomes relevant again, but it counts for nothing and never leaves in a
finished response.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from device_app.errors import (
    SessionNotFinished,
    StationError,
    UnknownLanguage,
    UnknownPopulation,
)
from device_app.messages import answer_template
from questionnaire_specs import Option, Question, QuestionType, Spec, SpecIdentity
from questionnaire_specs import answers as rules
from questionnaire_specs.piping import pipe, shown
from questionnaire_specs.question_types import offered, worked_out

SNAPSHOT_VERSION = 1


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answer_message(
    spec: Spec,
    question: Question,
    code: str,
    language: str,
    answers: Mapping[str, Any] | None = None,
) -> str | None:
    """What a respondent reads for the rule book's problem `code` with `question`, in
    `language`: the spec's constraint message (its `${q}` showing the earlier `answers`), or
    ours; None for a code we have no words for. Never the answer itself. The kiosk (through
    the session) and `submit` both use this."""
    if code == rules.CONSTRAINT and question.constraint_message:
        message = spec.text(question.constraint_message, language)
        return pipe(message, answers or {}, spec.choice_labels(language))
    template = answer_template(code, language)
    if template is None:
        return None
    return template.format(
        min=_number(question.min),
        max=_number(question.max),
        max_length=question.max_length or "",
    )


class AnswerError(ValueError):
    """An answer the current question does not take; `message` is in the session's language.

    It never holds the answer itself (answers are not logged).
    """

    def __init__(self, question_id: str, code: str, message: str) -> None:
        self.question_id = question_id
        self.code = code
        self.message = message
        super().__init__(message)


_HELD: Any = object()  # peek_next(): "the answer held now", as opposed to any given answer


class SessionClosed(RuntimeError):
    """The session was finished or abandoned; it takes nothing more."""


@dataclass(frozen=True)
class Progress:
    answered: int  # relevant questions answered so far (notes do not count)
    total: int  # relevant questions, as far as the answers so far tell
    number: int  # the current question's place among the relevant ones (1-based; 0 at the end)


@dataclass(frozen=True)
class FinishedResponse:
    """What the station seals: only relevant answered questions, no exact time."""

    answers: dict[str, Any]
    spec: SpecIdentity
    language: str
    population: str
    completed_on: date
    duration_s: int
    complete: bool


class SurveySession:
    """current → answer(value) → next() … until next() returns False, then finish()."""

    def __init__(
        self,
        spec: Spec,
        language: str,
        population: str,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        if population not in [p.id for p in spec.populations]:
            known = ", ".join(p.id for p in spec.populations)
            raise UnknownPopulation(f"the questionnaire is for {known}, not {population!r}")
        self.spec = spec
        self.population = population
        self._clock = clock
        self._questions: list[Question] = spec.questions_for(population)
        self._index = {question.id: i for i, question in enumerate(self._questions)}
        self.language = self._checked_language(language)
        self._answers: dict[str, Any] = {}
        self._history: list[str] = []  # questions shown before the current one, in order
        self._position: int | None = None  # index into _questions; None at the end
        # Questions whose default was offered once: a default the respondent cleared stays so.
        self._seeded: set[str] = set()
        self._started_at = clock()
        self._closed = False
        self._position = self._next_relevant(0)
        self._start_with_default()

    # --- what the screen shows ----------------------------------------------------------

    @property
    def current(self) -> Question | None:
        """The question to show, or None when the end is reached (ready to finish)."""
        return None if self._position is None else self._questions[self._position]

    @property
    def at_end(self) -> bool:
        return self._position is None

    @property
    def current_answer(self) -> Any:
        """The answer held for the current question (None when unanswered)."""
        question = self.current
        return None if question is None else self._answers.get(question.id)

    def options(self, question: Question | None = None, answer: Any = _HELD) -> list[Option]:
        """The options shown for `question` (default: the current one; a likert question's
        scale points): those its choice_filter offers over the answers before it. Given
        ``answer``, as if it were the current question's (peek_next)."""
        question = question or self.current
        if question is None:
            return []
        held = self._answers if answer is _HELD else self._held_with(answer)
        shown = self._effective(before=question, answers=held)
        return offered(self.spec, question, shown, self.labels)

    def is_required(self, question: Question | None = None, answer: Any = _HELD) -> bool:
        """Whether `question` (default: the current one) needs an answer, from the answers
        before it: what the screen marks as required. Given ``answer``, as if it were the
        current question's (peek_next). A note or read_only question needs none."""
        question = question or self.current
        if question is None or not question.is_entered:
            return False
        if question.required_when is None:
            return question.required  # no answers to work out
        held = self._answers if answer is _HELD else self._held_with(answer)
        shown = self._effective(before=question, answers=held)
        return rules.is_required(question, shown, self.labels)

    def starting_answer(self, question: Question) -> Any:
        """The answer `question`'s widget starts with when it is shown next: the one held,
        or its default the first time (what the kiosk builds a screen ahead of time with)."""
        if question.id in self._answers or question.id in self._seeded or not question.is_entered:
            return self._answers.get(question.id)
        return question.default

    def shown_value(self, question: Question | None = None) -> str:
        """A read_only question's value as its screen shows it (a choice's label in the
        session's language; "" when it has none): the kiosk and the site evaluate nothing."""
        question = question or self.current
        if question is None:
            return ""
        return shown(question.id, self._effective().get(question.id), self.labels)

    def text(self, text: Mapping[str, str] | None) -> str:
        """A spec text in the session's language."""
        return self.spec.text(text, self.language)

    @property
    def labels(self) -> Mapping[str, Any]:
        """Each choice question's option labels in the session's language: what piping and
        jr:choice-name() show."""
        return self.spec.choice_labels(self.language)

    def label(self, question: Question, answer: Any = _HELD) -> str:
        """`question`'s label in the session's language, each `${q}` showing the answer to q
        (piping). Given ``answer``, as if it were the current question's (peek_next)."""
        return self._piped(question.label, question, answer)

    def hint(self, question: Question, answer: Any = _HELD) -> str:
        """`question`'s hint (`help`), piped as its label is; "" when it has none."""
        return self._piped(question.help, question, answer)

    @property
    def answers(self) -> dict[str, Any]:
        """The answers that count now: relevant questions only, in spec order."""
        return self._effective()

    @property
    def progress(self) -> Progress:
        """Where the respondent stands among the questions they will be asked: those relevant
        by the answers so far, and those whose relevance waits on a question not answered
        yet (counted: before the consent question is answered, the whole survey is ahead,
        not "1 of 1"). The total shrinks as answers rule questions out."""
        effective = self._effective()
        relevant = [question for question in self._may_be_asked(effective) if question.is_entered]
        answered = sum(1 for question in relevant if question.id in effective)
        current = self.current
        number = 0
        if current is not None:
            number = 1 + sum(
                1 for question in relevant if self._index[question.id] < self._index[current.id]
            )
        return Progress(answered=answered, total=len(relevant), number=number)

    # --- the respondent's actions -------------------------------------------------------

    def check(self, value: Any) -> AnswerError | None:
        """The problem with `value` as the current question's answer, or None."""
        self._open()
        question = self._require_current()
        return self._problem(question, value, self._effective(before=question))

    def answer(self, value: Any) -> None:
        """Keep `value` for the current question, or raise AnswerError and keep nothing.

        An empty value (None, [], blank text) clears the answer of an optional question.
        A multi_choice answer is kept in option order.
        """
        self._open()
        question = self._require_current()
        if question.read_only and not rules.is_empty(value):
            raise self._error(question, rules.NOTE_HAS_NO_ANSWER)  # shown, never edited
        if rules.is_empty(value):
            if question.is_entered and self.is_required(question):
                raise self._error(question, rules.REQUIRED)
            self._answers.pop(question.id, None)
            return
        problem = self._problem(question, value, self._effective(before=question))
        if problem is not None:
            raise problem
        if question.type is QuestionType.MULTI_CHOICE:
            order = {option.code: i for i, option in enumerate(self.spec.options_for(question))}
            value = sorted(value, key=lambda code: order[code])
        self._answers[question.id] = value

    def next(self) -> bool:
        """Go on to the next relevant question; False when that is the end.

        The current answer is checked again first (a constraint may refer to an earlier
        answer that has changed since); a required question must be answered.
        """
        self._open()
        question = self.current
        if question is None:
            return False
        if question.is_entered:
            value = self._answers.get(question.id)
            if rules.is_empty(value):
                if self.is_required(question):
                    raise self._error(question, rules.REQUIRED)
            else:
                problem = self._problem(question, value, self._effective(before=question))
                if problem is not None:
                    raise problem
        self._history.append(question.id)
        assert self._position is not None
        self._position = self._next_relevant(self._position + 1)
        self._start_with_default()
        return self._position is not None

    def _start_with_default(self) -> None:
        """The first time a question is shown, its default becomes its answer (when it is one
        the rule book takes now): the respondent may change or clear it, and a question never
        shown has no answer."""
        question = self.current
        if question is None or question.default is None or not question.is_entered:
            return
        if question.id in self._seeded:
            return
        self._seeded.add(question.id)
        if question.id not in self._answers and self.check(question.default) is None:
            self.answer(question.default)

    def _piped(self, text: Mapping[str, str] | None, question: Question, answer: Any) -> str:
        held = self._answers if answer is _HELD else self._held_with(answer)
        shown = self._effective(before=question, answers=held)
        return pipe(self.text(text), shown, self.labels)

    def _held_with(self, answer: Any) -> dict[str, Any]:
        """The answers held, with ``answer`` as the current question's (empty: none)."""
        answers = dict(self._answers)
        if self._position is None:
            return answers
        question = self._questions[self._position]
        if rules.is_empty(answer) or not question.is_entered:
            answers.pop(question.id, None)
        else:
            answers[question.id] = answer
        return answers

    def peek_next(self, answer: Any = _HELD) -> Question | None:
        """The question next() would move to, without moving; None when the end comes next.

        From the answers held now or, given ``answer``, as if that were the current
        question's answer (an empty one: no answer). Whether next() would accept the answer
        is not checked: the kiosk builds the next screen ahead of time with this, and checks
        once next() has really moved.
        """
        self._open()
        if self._position is None:
            return None
        answers = self._answers if answer is _HELD else self._held_with(answer)
        index = self._next_relevant(self._position + 1, answers)
        return None if index is None else self._questions[index]

    def back(self) -> bool:
        """Return to the question shown before this one; False when there is none."""
        self._open()
        if not self._history:
            return False
        self._position = self._index[self._history.pop()]
        return True

    def set_language(self, language: str) -> None:
        """Switch language mid-survey; every answer stays."""
        self._open()
        self.language = self._checked_language(language)

    def finish(self) -> FinishedResponse:
        """The complete response; the session must have reached its end."""
        self._open()
        if not self.at_end:
            raise SessionNotFinished("the survey has not reached its end")
        effective = self._effective()
        for question in self._questions:
            if not self._relevant(question, effective) or not question.is_entered:
                continue
            value = effective.get(question.id)
            if value is None:
                if rules.is_required(question, effective, self.labels):
                    raise SessionNotFinished(f"question {question.id} needs an answer")
                continue
            if self._problem(question, value, self._effective(before=question)) is not None:
                raise SessionNotFinished(f"the answer to {question.id} no longer fits")
        response = self._response(effective, complete=True)
        self._closed = True
        return response

    def abandon(self) -> FinishedResponse | None:
        """Stop here: a partial response if the spec keeps them (`abandon: partial`)."""
        self._open()
        self._closed = True
        if self.spec.settings.abandon != "partial":
            return None
        return self._response(self._effective(), complete=False)

    # --- drafts -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to carry on later, as plain JSON-ready data (it holds answers:
        keep it only inside the encrypted store)."""
        current = self.current
        return {
            "v": SNAPSHOT_VERSION,
            "spec": self.spec.identity.as_dict(),
            "language": self.language,
            "population": self.population,
            "answers": dict(self._answers),
            "history": list(self._history),
            "seeded": sorted(self._seeded),
            "current": None if current is None else current.id,
            "started_at": self._started_at.isoformat(),
        }

    @classmethod
    def restore(
        cls, spec: Spec, snapshot: Mapping[str, Any], *, clock: Callable[[], datetime]
    ) -> SurveySession:
        """A session carried on from `snapshot()`; ValueError if it does not fit `spec`."""
        if not isinstance(snapshot, Mapping) or snapshot.get("v") != SNAPSHOT_VERSION:
            raise ValueError("not a survey draft of a known version")
        try:
            identity = SpecIdentity.from_dict(snapshot["spec"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("the draft does not name its spec") from None
        if identity != spec.identity:
            raise ValueError(f"the draft answers {identity}, not {spec.identity}")
        try:
            session = cls(spec, snapshot.get("language"), snapshot.get("population"), clock=clock)
        except StationError as error:
            raise ValueError(f"the draft does not fit its spec: {error}") from None
        answers, history = snapshot.get("answers"), snapshot.get("history")
        if not isinstance(answers, Mapping) or not isinstance(history, list):
            raise ValueError("the draft's answers or history are damaged")
        for question_id in [*answers, *history]:
            if question_id not in session._index:
                raise ValueError(f"the draft names {question_id!r}, not a question here")
        for question_id, value in answers.items():
            question = session._questions[session._index[question_id]]
            if rules.is_empty(value) or not question.is_entered:
                raise ValueError(f"the draft's answer to {question_id} is damaged")
        seeded = snapshot.get("seeded", history)  # a draft from before defaults: those seen
        if not isinstance(seeded, list) or not all(isinstance(q, str) for q in seeded):
            raise ValueError("the draft's defaults are damaged")
        session._answers = dict(answers)
        session._history = list(history)
        session._seeded = set(seeded)
        current = snapshot.get("current")
        if current is None:
            session._position = None
        elif current in session._index:
            # A current question that is no longer relevant gives way to the next one.
            session._position = session._next_relevant(session._index[current])
        else:
            raise ValueError(f"the draft names {current!r}, not a question here")
        session._start_with_default()
        try:
            session._started_at = datetime.fromisoformat(snapshot["started_at"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("the draft's start time is damaged") from None
        return session

    # --- inside -------------------------------------------------------------------------

    def _checked_language(self, language: str) -> str:
        if language not in self.spec.language_codes:
            known = ", ".join(self.spec.language_codes)
            raise UnknownLanguage(f"the questionnaire is in {known}, not {language!r}")
        return language

    def _open(self) -> None:
        if self._closed:
            raise SessionClosed("this survey session is over")

    def _require_current(self) -> Question:
        question = self.current
        if question is None:
            raise SessionNotFinished("the survey is at its end: there is no question to answer")
        return question

    def _relevant(self, question: Question, effective: Mapping[str, Any]) -> bool:
        return rules.is_relevant(question, effective, self.labels)

    def _may_be_asked(self, effective: Mapping[str, Any]) -> list[Question]:
        """The questions relevant now, and those whose relevance is not decided yet: it reads
        a question still open (unanswered, not behind the respondent, and itself possibly
        asked). One pass in spec order: references only point back."""
        current = self.current
        here = self._index[current.id] if current is not None else len(self._questions)
        still_open: set[str] = set()
        asked = []
        for question in self._questions:
            expression = question.relevant_expression
            possible = self._relevant(question, effective) or (
                expression is not None and bool(still_open & set(expression.references))
            )
            if not possible:
                continue
            asked.append(question)
            if question.id not in effective and self._index[question.id] >= here:
                still_open.add(question.id)
        return asked

    def _effective(
        self, before: Question | None = None, answers: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The answers of relevant questions (up to `before`), worked out in spec order, with
        the values of relevant calculate questions.

        References only point back, so one pass decides each question's relevance from the
        answers before it.
        """
        held = self._answers if answers is None else answers
        effective: dict[str, Any] = {}
        for question in self._questions:
            if before is not None and question.id == before.id:
                break
            if question.is_worked_out:
                value = worked_out(question, effective, self.labels)
                if value is not None and self._relevant(question, effective):
                    effective[question.id] = value
            elif question.id in held and self._relevant(question, effective):
                effective[question.id] = held[question.id]
        return effective

    def _next_relevant(self, start: int, answers: Mapping[str, Any] | None = None) -> int | None:
        effective = self._effective(answers=answers)
        for index in range(start, len(self._questions)):
            question = self._questions[index]
            # Relevance of a question depends only on answers before it; a calculation
            # gets no screen.
            if question.is_shown and self._relevant(question, effective):
                return index
        return None

    def _problem(
        self, question: Question, value: Any, answers: Mapping[str, Any]
    ) -> AnswerError | None:
        problem = rules.check_answer(self.spec, question, value, answers, self.language)
        return None if problem is None else self._error(question, problem.code)

    def _error(self, question: Question, code: str) -> AnswerError:
        shown = self._effective(before=question)
        message = answer_message(self.spec, question, code, self.language, shown)
        if message is None:  # a code with no words of its own reads as a refused answer
            message = answer_message(self.spec, question, rules.CONSTRAINT, self.language, shown)
        return AnswerError(question.id, code, message or "")

    def _response(self, effective: dict[str, Any], *, complete: bool) -> FinishedResponse:
        now = self._clock()
        seconds = int((now - self._started_at).total_seconds())
        return FinishedResponse(
            answers={
                key: list(value) if isinstance(value, list) else value
                for key, value in effective.items()
            },
            spec=self.spec.identity,
            language=self.language,
            population=self.population,
            completed_on=now.date(),
            duration_s=max(seconds, 0),
            complete=complete,
        )
