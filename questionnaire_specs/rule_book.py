"""A spec's answer rules compiled once: per population, the questions asked in order, each
with its relevance and constraint as closures and its type's rule looked up in advance.

What answers.check_response reads for every response; the rules themselves stay in the
question-type registry and the expression language (this only saves looking them up).
"""

from __future__ import annotations

from dataclasses import dataclass

from questionnaire_specs.expression_closures import Closure, closure_of
from questionnaire_specs.models import Question, Spec
from questionnaire_specs.once_per_spec import once_per_spec
from questionnaire_specs.question_types import Rule, kind_of


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    question: Question
    id: str
    relevant: str | None  # the text: questions of a section share one outcome per response
    is_relevant: Closure | None
    required: bool
    rule: Rule | None  # None: it takes no answer (a note)
    constraint: Closure | None


@dataclass(frozen=True, slots=True)
class PopulationRules:
    asked: tuple[AskedQuestion, ...]
    asked_ids: frozenset[str]


def _asked(question: Question) -> AskedQuestion:
    relevant, constraint = question.relevant_expression, question.constraint_expression
    return AskedQuestion(
        question=question,
        id=question.id,
        relevant=question.relevant,
        is_relevant=None if relevant is None else closure_of(relevant.tree),
        required=question.required,
        rule=kind_of(question).rule,
        constraint=None if constraint is None else closure_of(constraint.tree),
    )


@once_per_spec
def rule_book(spec: Spec) -> dict[str, PopulationRules]:
    """population id -> its compiled rules."""
    book = {}
    for population in spec.populations:
        asked = tuple(_asked(q) for q in spec.questions_for(population.id))
        book[population.id] = PopulationRules(asked, frozenset(q.id for q in asked))
    return book
