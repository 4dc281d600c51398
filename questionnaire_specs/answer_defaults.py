"""Whether a question's `default` is an answer its type's rule accepts: the one check the
spec checks (checks.py) and the XLSForm import (xlsform_mapping.py) both make.

A choice_filter decides per response whether a default option is offered (the session
starts the widget with it only then), so a filtered-out default is not a spec problem; the
constraint reads other answers and is checked when the respondent moves on, as always.
"""

from __future__ import annotations

from collections.abc import Sequence

from questionnaire_specs import answer_problems as p
from questionnaire_specs.answer_problems import AnswerProblem
from questionnaire_specs.models import Language, Option, Question, Scale, Spec
from questionnaire_specs.question_types import kind_of, takes_default


def default_problem(question: Question, options: Sequence[Option]) -> AnswerProblem | None:
    """What is wrong with `question.default` as its answer (`options`: its options or its
    scale's points), or None; a question that takes no default has one problem: that."""
    if question.default is None:
        return None
    if not takes_default(question):
        return AnswerProblem(question.id, p.NOTE_HAS_NO_ANSWER, "it takes no default")
    # A spec of this one question, so the type's rule reads its options as it always does.
    spec = Spec.model_construct(
        languages=[Language(code="en", name="English")],
        scales={question.scale: Scale(points=list(options))} if question.scale else {},
        question_list=[question],
        sections=None,
    )
    rule = kind_of(question).rule
    assert rule is not None  # takes_default says so
    problem = rule(spec, question, question.default, {}, None)
    return None if problem is None or problem.code == p.FILTERED_OUT else problem
