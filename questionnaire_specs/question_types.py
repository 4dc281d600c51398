"""Every question type in one place: what a valid answer is, how it travels on the wire, how
it is released, what a scripted respondent answers and what `mss spec render` says of it.

The rest of the system looks a type up here instead of switching on it: the spec checks
(which fields a type takes), the rule book (answers.py), the response codec
(protocol/response_codec.py writes each `wire` tag), the release frame and codebook
(sync_server/releases: the `release` kind), the scripted respondent (`draw`) and render. A new
type is one entry in KINDS plus its widget on the kiosk (device_app/kiosk/screens) and on the
online site (sync_server/site/static/question_widgets.js).

Pure: no I/O. Only typing refers to the models, so models.py can read the registry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from random import Random
from typing import TYPE_CHECKING, Any, Protocol

from questionnaire_specs import answer_problems as p
from questionnaire_specs.answer_problems import AnswerProblem
from questionnaire_specs.calculation_kinds import calculation_kind
from questionnaire_specs.expressions import Choices, format_number

if TYPE_CHECKING:
    from questionnaire_specs.models import Option, Question, Spec


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    RANK = "rank"
    LIKERT = "likert"
    NUMBER = "number"
    TEXT = "text"
    NOTE = "note"
    DATE = "date"
    RANGE = "range"
    CALCULATE = "calculate"


# The respondent's own date ("when did you join"): days on the wire, a month or quarter in a
# release. Never the device's date: a draw without bounds stays in this window.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DRAWN_DATES = (date(1970, 1, 1), date(2024, 12, 31))

# (spec, question, answer, the answers before it, the option labels jr:choice-name() reads)
Rule = Callable[
    ["Spec", "Question", object, Mapping[str, object], Choices | None], AnswerProblem | None
]
Draw = Callable[["Spec", "Question", Random, Callable[[], str], bool], Any]


class Release(Protocol):
    def __call__(self, question: Question, spec: Spec | None = None, /) -> str | None: ...


@dataclass(frozen=True)
class QuestionKind:
    """One question type. `wire` names the codec's encoding of an answer (None: the answer
    never travels: a note has none, a calculation is worked out again by the processor);
    `release` is the column kind a release keeps it as: code, codes, ranks, integer, decimal,
    text or date (None: no column); it is given the spec where it has one (a calculation's
    kind follows the questions it reads: calculation_kinds.py)."""

    type: QuestionType
    fields: frozenset[str]  # the type-specific fields it takes (checks.py refuses the others)
    rule: Rule | None  # what a valid answer is; None: it takes none (a note)
    wire: Callable[[Question], str | None]
    release: Release
    draw: Draw | None  # a scripted respondent's answer (None: nothing to enter)
    describe: Callable[[Question], list[str]]  # render's lines about the answer's shape
    choice: bool = False  # answered by option codes
    listed: bool = False  # answered by a list of option codes (expressions count and index it)
    shown: bool = True  # gets a screen (a calculation does not)
    bounds: str | None = None  # what min and max are: "number" or "date"


# --- answer rules ------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def option_row(option: Option) -> dict[str, object]:
    """An option as its question's choice_filter reads it: `name` (its code) and its
    columns."""
    return {**(option.columns or {}), "name": option.code}


def offered(
    spec: Spec, question: Question, answers: Mapping[str, object], labels: Choices | None = None
) -> list[Option]:
    """The options shown now: all of them, or those the question's choice_filter holds for
    over the answers before it (the kiosk, the session and the rule book read this; the
    online site's twin is offeredOptions in sync_server/site/static/question_widgets.js)."""
    options = spec.options_for(question)
    expression = question.choice_filter_expression
    if expression is None:
        return options
    kept = []
    for option in options:
        try:
            holds = expression.is_true(answers, current=option_row(option), choices=labels)
        except (ArithmeticError, ValueError):  # an integer past what a number holds
            holds = False  # what cannot be evaluated offers nothing, as in the browser
        if holds:
            kept.append(option)
    return kept


def _filtered_out(
    spec: Spec,
    question: Question,
    codes: list[object],
    answers: Mapping[str, object],
    labels: Choices | None,
) -> AnswerProblem | None:
    if question.choice_filter_expression is None:
        return None
    shown = {option.code for option in offered(spec, question, answers, labels)}
    if any(code not in shown for code in codes):
        return AnswerProblem(
            question.id, p.FILTERED_OUT, "a chosen option is not offered by its choice_filter"
        )
    return None


def _choice(
    spec: Spec,
    question: Question,
    value: object,
    answers: Mapping[str, object],
    labels: Choices | None,
) -> AnswerProblem | None:
    if not spec.has_option(question, value):
        return AnswerProblem(question.id, p.NOT_AN_OPTION, "the answer is not one of its codes")
    return _filtered_out(spec, question, [value], answers, labels)


def _codes_problem(
    spec: Spec, question: Question, value: object, answer: str, done: str
) -> AnswerProblem | None:
    """What is wrong with a list of codes as such: not a list, a code it does not have, or a
    code twice (`answer` and `done` word the detail: "a rank", "ranked")."""
    if not isinstance(value, list):
        return AnswerProblem(question.id, p.NOT_A_LIST, f"{answer} answer is a list")
    if not all(spec.has_option(question, code) for code in value):
        return AnswerProblem(question.id, p.NOT_AN_OPTION, f"a {done} code is not one of its codes")
    if len(set(value)) != len(value):
        return AnswerProblem(question.id, p.REPEATED_OPTION, f"a code is {done} twice")
    return None


def _choices(
    spec: Spec,
    question: Question,
    value: object,
    answers: Mapping[str, object],
    labels: Choices | None,
) -> AnswerProblem | None:
    problem = _codes_problem(spec, question, value, "a multiple choice", "selected")
    if problem is not None:
        return problem
    exclusive = {o.code for o in question.options or [] if o.exclusive}
    if len(value) > 1 and exclusive.intersection(value):
        return AnswerProblem(
            question.id, p.EXCLUSIVE_OPTION, "an exclusive option is combined with others"
        )
    return _filtered_out(spec, question, value, answers, labels)


def ranked_count(question: Question, shown: int) -> int:
    """How many options a rank answer orders when `shown` are offered: all of them, or the
    question's `positions` when it asks for fewer."""
    return shown if question.positions is None else min(question.positions, shown)


def _ranks(
    spec: Spec,
    question: Question,
    value: object,
    answers: Mapping[str, object],
    labels: Choices | None,
) -> AnswerProblem | None:
    problem = _codes_problem(spec, question, value, "a rank", "ranked")
    if problem is None:
        problem = _filtered_out(spec, question, value, answers, labels)  # type: ignore[arg-type]
    if problem is not None:
        return problem
    assert isinstance(value, list)  # _codes_problem refuses anything else
    wanted = ranked_count(question, len(offered(spec, question, answers, labels)))
    if len(value) < wanted:
        return AnswerProblem(
            question.id, p.UNRANKED_OPTION, f"{wanted} options are to be ranked, not fewer"
        )
    if len(value) > wanted:
        return AnswerProblem(
            question.id, p.TOO_MANY_RANKED, f"only {wanted} positions are to be ranked"
        )
    return None


def _within(question: Question, value: Any) -> AnswerProblem | None:
    if question.min is not None and value < question.min:
        return AnswerProblem(question.id, p.BELOW_MINIMUM, f"the answer is below {question.min}")
    if question.max is not None and value > question.max:
        return AnswerProblem(question.id, p.ABOVE_MAXIMUM, f"the answer is above {question.max}")
    return None


def _number(
    _spec: Spec,
    question: Question,
    value: object,
    _answers: Mapping[str, object],
    _labels: Choices | None,
) -> AnswerProblem | None:
    if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
        return AnswerProblem(question.id, p.NOT_A_NUMBER, "the answer is not a number")
    if question.integer and not isinstance(value, int):
        return AnswerProblem(question.id, p.NOT_A_WHOLE_NUMBER, "the answer is not a whole number")
    return _within(question, value)


def _range(
    _spec: Spec,
    question: Question,
    value: object,
    _answers: Mapping[str, object],
    _labels: Choices | None,
) -> AnswerProblem | None:
    if not _is_number(value):
        return AnswerProblem(question.id, p.NOT_A_NUMBER, "the answer is not a number")
    if not isinstance(value, int):
        return AnswerProblem(question.id, p.NOT_A_WHOLE_NUMBER, "the answer is not a whole number")
    problem = _within(question, value)
    low, _high, step = range_bounds(question)
    if problem is None and (value - low) % step:
        problem = AnswerProblem(
            question.id, p.NOT_ON_STEP, f"the answer is not on a step of {question.step}"
        )
    return problem


def parse_date(value: object) -> date | None:
    """The date an answer or bound names ("YYYY-MM-DD"), or None when it names none."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _date(
    _spec: Spec,
    question: Question,
    value: object,
    _answers: Mapping[str, object],
    _labels: Choices | None,
) -> AnswerProblem | None:
    if parse_date(value) is None:
        return AnswerProblem(question.id, p.NOT_A_DATE, "the answer is not a YYYY-MM-DD date")
    return _within(question, value)  # ISO dates order as their text does


def _text(
    _spec: Spec,
    question: Question,
    value: object,
    _answers: Mapping[str, object],
    _labels: Choices | None,
) -> AnswerProblem | None:
    if not isinstance(value, str):
        return AnswerProblem(question.id, p.NOT_TEXT, "the answer is not text")
    limit = question.max_length
    if limit is not None and len(value) > limit:
        return AnswerProblem(
            question.id, p.TOO_LONG, f"the answer is longer than {limit} characters"
        )
    return None


def calculated(
    question: Question, answers: Mapping[str, object], choices: Choices | None = None
) -> str | None:
    """A calculate question's value from the answers before it, as text (as XLSForm keeps
    it: a later expression reads "4" as the number 4); None when it comes out empty."""
    expression = question.calculation_expression
    if expression is None:
        return None
    value = expression.evaluate(answers, choices=choices)
    if value is None or isinstance(value, list) and not value:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return format_number(value) if math.isfinite(value) else None  # type: ignore[arg-type]
    if isinstance(value, list):
        return " ".join(str(code) for code in value)
    return str(value) or None


def worked_out(
    question: Question, answers: Mapping[str, object], choices: Choices | None = None
) -> object:
    """The value of a question nobody enters (Question.is_worked_out): a calculation's, or a
    read_only question's default (None: none). The session shows it; the processor works
    it out again, so it never travels."""
    if question.type is QuestionType.CALCULATE:
        return calculated(question, answers, choices)
    return question.default


def wire_tag(question: Question) -> str | None:
    """The codec's tag for the question's answer; None when it never travels (a note, a
    calculation, a read_only question: the processor knows its value)."""
    if question.read_only:
        return None
    return kind_of(question).wire(question)


def takes_default(question: Question) -> bool:
    """Whether the question may start with a default answer: one a respondent can give."""
    kind = kind_of(question)
    return kind.rule is not None and kind.shown


def _calculation(
    _spec: Spec,
    question: Question,
    value: object,
    answers: Mapping[str, object],
    labels: Choices | None,
) -> AnswerProblem | None:
    if value != calculated(question, answers, labels):
        return AnswerProblem(
            question.id, p.NOT_AS_CALCULATED, "the value is not what its calculation gives"
        )
    return None


# --- what a scripted respondent answers ----------------------------------------------------


def _skips(question: Question, rng: Random) -> bool:
    # People skip now and then, never a question that may be required (required_when is
    # worked out from answers the draw does not see).
    return not _may_be_required(question) and rng.random() < 0.1


def _may_be_required(question: Question) -> bool:
    return question.required or question.required_when is not None


def _draw_choice(
    spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    options = spec.options_for(question)
    # mostly substantive answers
    substantive = [o.code for o in options if not o.non_substantive] or [o.code for o in options]
    if len(substantive) < len(options) and rng.random() < 0.08:
        return rng.choice([o.code for o in options if o.non_substantive])
    return rng.choice(substantive)


def _draw_choices(
    spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    options = spec.options_for(question)
    plain = [o.code for o in options if not o.exclusive]
    exclusive = [o.code for o in options if o.exclusive]
    if exclusive and (not plain or rng.random() < 0.15):
        return [rng.choice(exclusive)]
    chosen = set(rng.sample(plain, rng.randint(1, min(3, len(plain)))))
    return [o.code for o in options if o.code in chosen]  # in option order


def _draw_ranks(
    spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    codes = [o.code for o in spec.options_for(question)]
    rng.shuffle(codes)
    return codes[: ranked_count(question, len(codes))]


def _draw_number(
    _spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    low = int(question.min) if question.min is not None else 0  # type: ignore[arg-type]
    high = int(question.max) if question.max is not None else max(low, 60)  # type: ignore[arg-type]
    value = rng.randint(low, max(low, high))
    return value if question.integer is not False else float(value)


def _draw_range(
    _spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    low, high, step = range_bounds(question)
    return rng.randrange(low, high + 1, step)


def _draw_date(
    _spec: Spec, question: Question, rng: Random, _comment: Callable[[], str], _write: bool
) -> Any:
    if _skips(question, rng):
        return None
    low = parse_date(question.min) or DRAWN_DATES[0]
    high = parse_date(question.max) or max(low, DRAWN_DATES[1])
    return (low + timedelta(days=rng.randint(0, (high - low).days))).isoformat()


def _draw_text(
    _spec: Spec, question: Question, _rng: Random, comment: Callable[[], str], write: bool
) -> Any:
    if write or _may_be_required(question):
        text = comment()
        return text[: question.max_length] if question.max_length else text
    return None


def range_bounds(question: Question) -> tuple[int, int, int]:
    """A range question's start, end and step (checks.py makes them whole numbers)."""
    low, high, step = (
        int(value) if _is_number(value) else default  # type: ignore[arg-type]
        for value, default in ((question.min, 0), (question.max, 0), (question.step, 1))
    )
    return low, high, step


# --- what render says ----------------------------------------------------------------------


def _nothing(_question: Question) -> list[str]:
    return []


def _shown(bound: object) -> str:
    if bound is None:
        return ""
    return format_number(bound) if _is_number(bound) else str(bound)  # type: ignore[arg-type]


def _describe_ranks(question: Question) -> list[str]:
    if question.positions is None:
        return ["ranked: every option offered, in order"]
    return [f"ranked: the first {question.positions} options offered, in order"]


def _describe_number(question: Question) -> list[str]:
    kind = "whole numbers" if question.integer else "any number"
    return [f"range: {_shown(question.min)}–{_shown(question.max)}, {kind}"]


def _describe_range(question: Question) -> list[str]:
    low, high, step = range_bounds(question)
    return [f"slider: {low}–{high}, step {step}"]


def _describe_date(question: Question) -> list[str]:
    return [f"a date: {_shown(question.min) or 'any'} to {_shown(question.max) or 'any'}"]


def _describe_text(question: Question) -> list[str]:
    return [f"at most {question.max_length} characters"]


def _describe_calculation(question: Question) -> list[str]:
    return [f"calculated, not asked: {question.calculation}"]


# --- the registry ------------------------------------------------------------------------


def _fixed(tag: str | None) -> Release:
    return lambda _question, _spec=None: tag


def _choice_kind(
    kind: QuestionType, rule: Rule, wire: str, release: str, draw: Draw, fields: frozenset[str]
) -> QuestionKind:
    return QuestionKind(
        kind,
        fields=fields,
        rule=rule,
        wire=_fixed(wire),
        release=_fixed(release),
        draw=draw,
        describe=_nothing,
        choice=True,
        listed=release == "codes",
    )


# A select question's options can cascade from earlier answers (a likert scale cannot).
_FILTERED = frozenset({"choice_filter"})

KINDS: dict[QuestionType, QuestionKind] = {
    kind.type: kind
    for kind in (
        _choice_kind(
            QuestionType.SINGLE_CHOICE, _choice, "option", "code", _draw_choice, _FILTERED
        ),
        _choice_kind(QuestionType.LIKERT, _choice, "option", "code", _draw_choice, frozenset()),
        _choice_kind(
            QuestionType.MULTI_CHOICE, _choices, "options", "codes", _draw_choices, _FILTERED
        ),
        QuestionKind(
            QuestionType.RANK,
            fields=_FILTERED | {"positions"},
            rule=_ranks,
            wire=_fixed("ranks"),
            release=_fixed("ranks"),
            draw=_draw_ranks,
            describe=_describe_ranks,
            choice=True,
            listed=True,
        ),
        QuestionKind(
            QuestionType.NUMBER,
            fields=frozenset({"integer", "min", "max"}),
            rule=_number,
            wire=lambda q: "zigzag" if q.integer else "float64",
            release=lambda q, _spec=None: "integer" if q.integer else "decimal",
            draw=_draw_number,
            describe=_describe_number,
            bounds="number",
        ),
        QuestionKind(
            QuestionType.RANGE,
            fields=frozenset({"min", "max", "step"}),
            rule=_range,
            wire=_fixed("step"),
            release=_fixed("integer"),
            draw=_draw_range,
            describe=_describe_range,
            bounds="number",
        ),
        QuestionKind(
            QuestionType.DATE,
            fields=frozenset({"min", "max"}),
            rule=_date,
            wire=_fixed("day"),
            release=_fixed("date"),
            draw=_draw_date,
            describe=_describe_date,
            bounds="date",
        ),
        QuestionKind(
            QuestionType.TEXT,
            fields=frozenset({"max_length", "multiline"}),
            rule=_text,
            wire=_fixed("utf8"),
            release=_fixed("text"),
            draw=_draw_text,
            describe=_describe_text,
        ),
        QuestionKind(
            QuestionType.CALCULATE,
            fields=frozenset({"calculation", "calculation_type"}),
            rule=_calculation,
            wire=_fixed(None),
            release=calculation_kind,
            draw=None,
            describe=_describe_calculation,
            shown=False,
        ),
        QuestionKind(
            QuestionType.NOTE,
            fields=frozenset(),
            rule=None,
            wire=_fixed(None),
            release=_fixed(None),
            draw=None,
            describe=_nothing,
        ),
    )
}
# Every field some type takes and others refuse.
TYPE_FIELDS = frozenset().union(*(kind.fields for kind in KINDS.values()))


def kind_of(question: Question | QuestionType) -> QuestionKind:
    return KINDS[question if isinstance(question, QuestionType) else question.type]


def types_taking(field_name: str) -> list[QuestionType]:
    return [kind.type for kind in KINDS.values() if field_name in kind.fields]
