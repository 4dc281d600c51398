"""Whether a finished response looks careless: the data-quality rules the processor can flag
and the results report excludes from its indices (and says how much that changes).

- A straight-liner gives one identical answer to every statement of every key-factor block
  they answered: at least `MIN_BLOCKS` blocks, each with at least `MIN_BLOCK_ANSWERS`
  substantive answers. Agreeing strongly with all of one factor is an opinion; the same
  point for fifty statements on ten subjects is not reading them.
- A speeder took less than the spec's `speeder_seconds_per_answer` (2 s unless it says
  otherwise) per question answered: faster than anyone reads a statement.
Pure: a response's answers in, a yes or no out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from questionnaire_specs.models import QuestionType, Spec
from questionnaire_specs.once_per_spec import once_per_spec

MIN_BLOCKS = 3
MIN_BLOCK_ANSWERS = 3


@dataclass(frozen=True, slots=True)
class _QualityPlan:
    """What the rules read of a spec, worked out once: per population its key-factor Likert
    statements, block by block (id, substantive codes), and the questions nobody enters."""

    statements: dict[str, tuple[tuple[tuple[str, frozenset[object]], ...], ...]]
    not_entered: frozenset[str]
    speeder_floor: float


@once_per_spec
def _plan(spec: Spec) -> _QualityPlan:
    statements = {}
    for population in spec.populations:
        blocks: dict[int, list[tuple[str, frozenset[object]]]] = {}
        for q in spec.questions_for(population.id):
            if q.key_factor is not None and q.type is QuestionType.LIKERT:
                substantive = frozenset(
                    o.code for o in spec.options_for(q) if not o.non_substantive
                )
                blocks.setdefault(q.key_factor, []).append((q.id, substantive))
        statements[population.id] = tuple(tuple(block) for block in blocks.values())
    not_entered = frozenset(q.id for q in spec.questions if not q.is_entered)
    return _QualityPlan(statements, not_entered, spec.settings.speeder_floor)


def is_straight_liner(spec: Spec, population: str, answers: Mapping[str, object]) -> bool:
    spec.population(population)  # an unknown population is a KeyError
    get = answers.get
    line: set[object] = set()  # the points given in the blocks that count
    counted = 0
    for block in _plan(spec).statements[population]:
        values = [v for question_id, substantive in block if (v := get(question_id)) in substantive]
        if len(values) < MIN_BLOCK_ANSWERS:
            continue
        line.update(values)
        if len(line) > 1:
            return False  # two points already: most responses stop at their first block
        counted += 1
    return counted >= MIN_BLOCKS


def answered_count(answers: Mapping[str, object]) -> int:
    return sum(1 for value in answers.values() if value is not None and value != [])


def is_speeder(spec: Spec, answers: Mapping[str, object], duration_s: float) -> bool:
    # A calculated value took the respondent no time: only what they entered counts.
    plan = _plan(spec)
    values = list(answers.values())
    answered = len(values) - values.count(None) - values.count([])  # counted in C
    not_entered = answers.keys() & plan.not_entered  # few: the calculations present
    answered -= answered_count({key: answers[key] for key in not_entered})
    return duration_s < plan.speeder_floor * answered


STRAIGHT_LINER = "straight_liner"
SPEEDER = "speeder"


def careless_flags(
    spec: Spec, population: str, answers: Mapping[str, object], duration_s: float | None
) -> str | None:
    """The flags as the processed store and releases carry them: "straight_liner",
    "speeder", both space-separated, or None for a response that looks read."""
    flags = []
    if is_straight_liner(spec, population, answers):
        flags.append(STRAIGHT_LINER)
    if duration_s is not None and is_speeder(spec, answers, duration_s):
        flags.append(SPEEDER)
    return " ".join(flags) or None
