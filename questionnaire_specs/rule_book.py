"""A spec's answer rules compiled once: per population, the questions asked in order, each
with its relevance and constraint as closures and its type's rule looked up in advance.

What answers.check_response and with_calculations read for every response; the rules
themselves stay in the question-type registry and the expression language (this only saves
looking them up).
"""

from __future__ import annotations

from dataclasses import dataclass

from questionnaire_specs.expression_closures import Closure, closure_of
from questionnaire_specs.models import Question, QuestionType, Spec
from questionnaire_specs.once_per_spec import once_per_spec
from questionnaire_specs.question_types import Rule, kind_of


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    question: Question
    id: str
    relevant: str | None  # the text: questions of a section share one outcome per response
    is_relevant: Closure | None
    required: bool
    required_when: Closure | None  # required when this holds (never with `required`)
    rule: Rule | None  # None: it takes no answer (a note)
    constraint: Closure | None
    # A single choice's (kind, code) pairs: an answer among them passes the type's rule
    # without calling it (Spec.has_option's test); any other answer goes to the rule.
    codes: frozenset[tuple[type, object]] | None


@dataclass(frozen=True, slots=True)
class PopulationRules:
    asked: tuple[AskedQuestion, ...]
    asked_ids: frozenset[str]
    # Its worked-out questions (calculations, read_only questions), in spec order.
    calculations: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class RuleBook:
    populations: dict[str, PopulationRules]
    calculated_ids: frozenset[str]  # every worked-out question of the spec


def _asked(spec: Spec, question: Question) -> AskedQuestion:
    relevant, constraint = question.relevant_expression, question.constraint_expression
    required_when = question.required_when_expression
    codes = None
    # A choice_filter makes some codes wrong for this response: those go to the rule.
    if (
        question.type in (QuestionType.SINGLE_CHOICE, QuestionType.LIKERT)
        and question.choice_filter is None
    ):
        codes = frozenset(
            (type(code), code) for code in spec.option_codes(question) if type(code) in (int, str)
        )
    return AskedQuestion(
        question=question,
        id=question.id,
        relevant=question.relevant,
        is_relevant=None if relevant is None else closure_of(relevant.tree),
        required=question.required,
        required_when=None if required_when is None else closure_of(required_when.tree),
        rule=kind_of(question).rule,
        constraint=None if constraint is None else closure_of(constraint.tree),
        codes=codes,
    )


@once_per_spec
def rule_book(spec: Spec) -> RuleBook:
    populations = {}
    for population in spec.populations:
        questions = spec.questions_for(population.id)
        asked = tuple(_asked(spec, q) for q in questions)
        populations[population.id] = PopulationRules(
            asked,
            frozenset(q.id for q in asked),
            tuple(q for q in questions if q.is_worked_out),
        )
    calculated = frozenset(q.id for q in spec.questions if q.is_worked_out)
    return RuleBook(populations, calculated)
