"""The pydantic models of a questionnaire spec (the format is described in README.md).

The models check the shape of each piece (types, patterns, unknown fields); everything that
relates one piece to another — languages, references, hierarchies — is checked in checks.py,
so that a spec with structural errors still gets its other problems reported.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from questionnaire_specs.expressions import Expression, compile_expression
from questionnaire_specs.identity import SpecIdentity, spec_identity
from questionnaire_specs.question_types import KINDS, QuestionType, kind_of, parse_date


class Disclosure(StrEnum):
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"
    FREE_TEXT = "free_text"


# From the question-type registry (question_types.py): answered types are those released.
CHOICE_TYPES = frozenset(kind.type for kind in KINDS.values() if kind.choice)
ANSWERED_TYPES = frozenset(kind.type for kind in KINDS.values() if kind.rule is not None)
KEY_FACTOR_TYPES = frozenset(
    {
        QuestionType.LIKERT,
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTI_CHOICE,
        QuestionType.NUMBER,
    }
)
DEFAULT_MAX_LENGTH = 500

_CODE = re.compile(r"[A-Za-z0-9_]+")

QUESTION_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
SPEC_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SEMVER_PATTERN = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"


def _code(value: object) -> int | str:
    if isinstance(value, bool):
        raise ValueError(
            "a code is a whole number or an identifier-like text, not a boolean "
            "(YAML reads unquoted yes/no/on/off as booleans: put the code in quotes)"
        )
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _CODE.fullmatch(value):
        return value
    raise ValueError(f"a code is a whole number or letters, digits and '_' only (got {value!r})")


def _bound(value: object) -> int | float | str:
    # A date question's bounds are dates: YAML reads an unquoted 2020-01-31 as one.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and parse_date(value) is not None:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a bound is a number, or a YYYY-MM-DD date (got {value!r})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a bound must be a finite number")
    return value


def _default(value: object) -> int | float | str | list[int | str]:
    # A date question's default is a date: YAML reads an unquoted 2020-01-31 as one.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_code(code) for code in value]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(
            f"a default is a code, a list of codes, a number or a text (got {value!r})"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a default must be a finite number")
    return value


Code = Annotated[int | str, PlainValidator(_code)]
# A question's starting answer: checked against its type's rule in checks.py.
Default = Annotated[int | float | str | list[int | str], PlainValidator(_default)]
Bound = Annotated[int | float | str, PlainValidator(_bound)]
Text = dict[StrictStr, StrictStr]
QuestionId = Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
# A choices-sheet column a choice_filter reads (`name` there is the option's own code).
ColumnName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy without what was worked out from the original (identity, question lists,
        compiled expressions): pydantic copies the instance's `__dict__`, where each
        cached_property keeps its value, so a copy with `update` would carry stale ones."""
        copied = super().model_copy(update=update, deep=deep)
        for name in _cached_names(type(self)):
            copied.__dict__.pop(name, None)
        return copied


@functools.cache
def _cached_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        name
        for klass in model.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    )


class Language(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    name: StrictStr
    rtl: StrictBool = False


class Population(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    label: Text


class Settings(_Model):
    k_anonymity: StrictInt = Field(default=5, ge=2)
    abandon: Literal["discard", "partial"] = "discard"
    date_precision: Literal["month", "quarter"] = "month"
    # Quasi-identifiers, most important first: the anonymiser coarsens and suppresses the
    # last first (gender always comes first). Left out of the identity when not given.
    importance: list[QuestionId] | None = None
    # Variables (besides country) that no equivalence class crosses: never generalised nor
    # suppressed, so that a file cut on one of their values meets k on its own.
    strata: list[QuestionId] | None = None
    # The speeder floor: a response finished in less than this many seconds per question
    # answered is flagged careless (questionnaire_specs/response_quality.py). Left out of
    # the identity when not given, so specs written before it keep their hash.
    speeder_seconds_per_answer: float | None = Field(default=None, gt=0, le=60, allow_inf_nan=False)
    # How the online site pages the questionnaire: one question per page (the default) or one
    # section per page (a spec without sections pages by question). Left out of the identity
    # when not given.
    site_paging: Literal["question", "section"] | None = None

    @property
    def speeder_floor(self) -> float:
        """Seconds per question answered below which a response is a speeder's."""
        return self.speeder_seconds_per_answer or 2.0


class Option(_Model):
    code: Code
    label: Text
    # The choice's name in the form it was imported from (XLSForm), when it is not the code:
    # exports and the codebook show it. Left out of the identity when not given.
    name: StrictStr | None = None
    non_substantive: StrictBool = False
    exclusive: StrictBool = False
    # The choice's other columns (XLSForm's choices sheet: `state`, `filter`…), as text: what
    # its question's choice_filter reads with column('state'). Left out of the identity when
    # not given.
    columns: dict[ColumnName, StrictStr] | None = None


class Scale(_Model):
    points: list[Option]


class HierarchyGroup(_Model):
    code: Code
    members: list[Code]
    label: Text


class HierarchyLevel(_Model):
    level: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    groups: list[HierarchyGroup]


class Question(_Model):
    id: QuestionId
    type: QuestionType
    label: Text
    # The question's name in the form it was imported from (XLSForm), when it is not the id.
    name: StrictStr | None = None
    help: Text | None = None
    required: StrictBool = False
    # Required only when this holds over the answers before it (XLSForm's required holding
    # an expression); never with `required: true`. Left out of the identity when absent.
    required_when: StrictStr | None = None
    relevant: StrictStr | None = None
    constraint: StrictStr | None = None
    constraint_message: Text | None = None
    populations: list[StrictStr] | None = None
    key_factor: StrictInt | None = Field(default=None, ge=1, le=10)
    options: list[Option] | None = None
    scale: StrictStr | None = None
    integer: StrictBool | None = None
    min: Bound | None = None
    max: Bound | None = None
    # A range question's step between min and max (XLSForm's start, end, step).
    step: Bound | None = None
    max_length: StrictInt | None = Field(default=None, ge=1)
    multiline: StrictBool | None = None
    # A calculate question's expression, worked out from the answers before it.
    calculation: StrictStr | None = None
    # What its value is released as, when declared (XLSForm's bind::type); otherwise read
    # from the expression (calculation_kinds.py). Left out of the identity when not given.
    calculation_type: Literal["integer", "decimal", "text"] | None = None
    # A rank question's number of positions: the first so many options in order (default:
    # every option offered). XLSForm has no such column.
    positions: StrictInt | None = Field(default=None, ge=1)
    # A choice question's cascading filter: an option is offered when it holds for that
    # option (its code and columns read by column('name'), column('state')).
    choice_filter: StrictStr | None = None
    # The answer the widget starts with (a static value): the respondent may change it, and
    # it is an answer only when the question is shown. Left out of the identity when absent.
    default: Default | None = None
    # Shown, not editable: its value is its default (or a calculate's calculation), worked
    # out again by the processor like a calculation and never sent. Left out when absent.
    read_only: StrictBool | None = None
    disclosure: Disclosure | None = None
    hierarchy: list[HierarchyLevel] | None = None
    # For a sensitive item: the answers whose disclosure harms ("yes, I was offered"); the
    # anonymiser protects these where a class would reveal them (default: every answer).
    discloses: list[Code] | None = None

    @model_validator(mode="before")
    @classmethod
    def _type_defaults(cls, data: Any) -> Any:
        # Defaults that belong to one type only are filled for that type, so a number field
        # on a text question is still visibly the author's doing (and checks.py refuses it).
        if isinstance(data, Mapping):
            kind = data.get("type")
            if kind == QuestionType.NUMBER.value:
                data = {"integer": True, **data}
            elif kind == QuestionType.TEXT.value:
                data = {"max_length": DEFAULT_MAX_LENGTH, "multiline": False, **data}
            elif kind == QuestionType.RANGE.value:
                data = {"step": 1, **data}
        return data

    @cached_property
    def relevant_expression(self) -> Expression | None:
        if self.relevant is None:
            return None
        return compile_expression(self.relevant, source=f"{self.id}.relevant")

    @cached_property
    def required_when_expression(self) -> Expression | None:
        if self.required_when is None:
            return None
        return compile_expression(self.required_when, source=f"{self.id}.required_when")

    @cached_property
    def constraint_expression(self) -> Expression | None:
        if self.constraint is None:
            return None
        return compile_expression(self.constraint, source=f"{self.id}.constraint")

    @cached_property
    def calculation_expression(self) -> Expression | None:
        if self.calculation is None:
            return None
        return compile_expression(self.calculation, source=f"{self.id}.calculation")

    @cached_property
    def choice_filter_expression(self) -> Expression | None:
        if self.choice_filter is None:
            return None
        return compile_expression(self.choice_filter, source=f"{self.id}.choice_filter")

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_answered(self) -> bool:
        """Whether it holds a value that is stored and released (a calculation does too)."""
        return self.type in ANSWERED_TYPES

    @property
    def is_shown(self) -> bool:
        """Whether it gets a screen: every question but a calculation not read_only."""
        return kind_of(self.type).shown or bool(self.read_only)

    @property
    def is_entered(self) -> bool:
        """Whether the respondent gives its value: shown, answered and not read_only."""
        return self.is_shown and self.is_answered and not self.read_only

    @property
    def is_worked_out(self) -> bool:
        """Whether its value is worked out, never entered nor sent: a calculation or a
        read_only question (question_types.worked_out gives the value)."""
        return self.type is QuestionType.CALCULATE or bool(self.read_only)

    def is_for(self, population: str) -> bool:
        return self.populations is None or population in self.populations


class Section(_Model):
    id: QuestionId
    title: Text | None = None
    relevant: StrictStr | None = None
    questions: list[Question]

    @cached_property
    def relevant_expression(self) -> Expression | None:
        if self.relevant is None:
            return None
        return compile_expression(self.relevant, source=f"section {self.id}.relevant")


class Spec(_Model):
    id: Annotated[str, StringConstraints(pattern=SPEC_ID_PATTERN)]
    version: Annotated[str, StringConstraints(pattern=SEMVER_PATTERN)]
    languages: list[Language]
    title: Text
    introduction: Text
    populations: list[Population]
    settings: Settings = Settings()
    scales: dict[StrictStr, Scale] = {}
    sections: list[Section] | None = None
    # The flat form of the spec; `Spec.questions` is the flattened list of either form.
    question_list: list[Question] | None = Field(default=None, alias="questions")

    @cached_property
    def questions(self) -> list[Question]:
        """Every question in order; a section's `relevant` is folded into its questions'."""
        if self.sections is None:
            return list(self.question_list or [])
        flat: list[Question] = []
        for section in self.sections:
            for question in section.questions:
                flat.append(_fold_relevance(section.relevant, question))
        return flat

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise KeyError(f"spec {self.id} has no question {question_id!r}") from None

    def population(self, population_id: str) -> Population:
        for population in self.populations:
            if population.id == population_id:
                return population
        known = ", ".join(p.id for p in self.populations)
        raise KeyError(f"spec {self.id} has no population {population_id!r} (it has {known})")

    @cached_property
    def _questions_by_population(self) -> dict[str, tuple[Question, ...]]:
        return {
            population.id: tuple(q for q in self.questions if q.is_for(population.id))
            for population in self.populations
        }

    def questions_for(self, population: str) -> list[Question]:
        self.population(population)
        return list(self._questions_by_population[population])

    def options_for(self, question: Question | str) -> list[Option]:
        """The answer options of a question: its own, its scale's points, or none."""
        if isinstance(question, str):
            question = self.question(question)
        if question.type is QuestionType.LIKERT:
            scale = self.scales.get(question.scale or "")
            return list(scale.points) if scale else []
        return list(question.options or [])

    @cached_property
    def _option_keys(self) -> dict[str, frozenset[tuple[type, int | str]]]:
        # (kind, code) pairs: 1 and "1" are different codes, and True is not 1.
        return {
            question.id: frozenset((type(o.code), o.code) for o in self.options_for(question))
            for question in self.questions
            if question.is_choice
        }

    @cached_property
    def _option_codes(self) -> dict[str, tuple[int | str, ...]]:
        return {
            question.id: tuple(option.code for option in self.options_for(question))
            for question in self.questions
            if question.is_choice
        }

    def option_codes(self, question: Question) -> tuple[int | str, ...]:
        """The answer codes of a choice question, in option order (a lookup: hot path)."""
        return self._option_codes.get(question.id, ())

    def has_option(self, question: Question, code: object) -> bool:
        """Whether `code` is one of the question's answer codes (a set lookup: hot path)."""
        if type(code) not in (int, str):
            return False
        return (type(code), code) in self._option_keys.get(question.id, frozenset())

    @cached_property
    def _choice_labels(self) -> dict[str, dict[str, list[tuple[int | str, str]]]]:
        return {
            language.code: {
                question.id: [
                    (option.code, self.text(option.label, language.code))
                    for option in self.options_for(question)
                ]
                for question in self.questions
                if question.is_choice
            }
            for language in self.languages
        }

    def choice_labels(self, language: str | None = None) -> dict[str, list[tuple[int | str, str]]]:
        """Each choice question's (code, label) pairs in `language` (the default language
        when None, or where a label has no text in it): what jr:choice-name() and piping
        read. Worked out once per spec (the processor's hot path)."""
        labels = self._choice_labels
        return labels.get(language or self.default_language) or labels[self.default_language]

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def default_language(self) -> str:
        return self.languages[0].code

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        known = ", ".join(self.language_codes)
        raise KeyError(f"spec {self.id} has no language {code!r} (it has {known})")

    def is_rtl(self, code: str) -> bool:
        return self.language(code).rtl

    def text(self, text: Mapping[str, str] | None, language: str) -> str:
        """A text in `language`, or in the default language when it has none."""
        if not text:
            return ""
        return text.get(language) or text.get(self.default_language) or ""

    @cached_property
    def identity(self) -> SpecIdentity:
        return spec_identity(self)


def _fold_relevance(section_relevant: str | None, question: Question) -> Question:
    if section_relevant is None:
        return question
    combined = (
        section_relevant
        if question.relevant is None
        else f"({section_relevant}) and ({question.relevant})"
    )
    # Validated afresh rather than copied, so no cached expression of the original carries over.
    data = question.model_dump(by_alias=True, exclude_none=True)
    data["relevant"] = combined
    return Question.model_validate(data)
