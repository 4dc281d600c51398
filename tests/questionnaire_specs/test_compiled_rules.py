"""The compiled fast paths (issue 16) give exactly what the former ones gave: expressions as
closures against the tree walker, check_response on the spec's rule book and the careless
flags on their per-spec plan against the verbatim former code (former_rules.py), on the real
CIPS specs and the fixtures, with valid, missing, junk and unknown answers."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire_specs import Spec, load_spec
from questionnaire_specs.answers import check_response, with_calculations
from questionnaire_specs.expression_closures import closure_of
from questionnaire_specs.expressions import Node, evaluate
from questionnaire_specs.question_types import kind_of
from questionnaire_specs.response_quality import is_speeder, is_straight_liner
from tests.questionnaire_specs import former_rules
from tests.questionnaire_specs.test_expressions_properties import (
    answer_maps,
    answer_values,
    trees,
)

ROOT = Path(__file__).resolve().parents[2]
SPECS = [
    load_spec(path)
    for path in [
        *sorted((ROOT / "questionnaire_specs" / "cips").glob("*.yaml")),
        *sorted((ROOT / "tests" / "questionnaire_specs" / "fixtures").glob("*.yaml")),
    ]
]


def _outcome(run, *args):
    """The value, or the kind of error: both paths must fail alike too."""
    try:
        return ("value", run(*args))
    except (OverflowError, ValueError, TypeError, ZeroDivisionError) as error:
        return ("error", type(error))


@settings(max_examples=400, deadline=None)
@given(trees, answer_maps, answer_values)
def test_a_closure_evaluates_as_the_tree_walker(tree: Node, answers, current) -> None:
    compiled = closure_of(tree)
    walked = _outcome(evaluate, tree, answers, current)
    closed = _outcome(compiled, answers, current, None)
    if walked[0] == "value" and walked[1] != walked[1]:  # NaN is not equal to itself
        assert closed[1] != closed[1]
    else:
        assert closed == walked


def _answer(spec: Spec, question_id: str) -> st.SearchStrategy[object]:
    """Mostly what the scripted respondent would answer (valid), sometimes junk."""
    question = spec.question(question_id)
    draw = kind_of(question).draw
    valid = (
        st.randoms(use_true_random=False).map(
            lambda rng: draw(spec, question, rng, lambda: "a comment", True)
        )
        if draw is not None
        else st.none()
    )
    codes = list(spec.option_codes(question))
    junk = [answer_values, st.just(""), st.just("  "), st.just([])]
    if codes:
        junk += [st.sampled_from(codes), st.lists(st.sampled_from(codes), max_size=4)]
    return st.integers(0, 9).flatmap(lambda n: valid if n < 7 else st.one_of(*junk))


@st.composite
def responses(draw):
    spec = draw(st.sampled_from(SPECS))
    population = draw(st.sampled_from([p.id for p in spec.populations]))
    answers: dict[str, object] = {}
    if any(q.id == "consent" for q in spec.questions):
        answers["consent"] = draw(st.sampled_from([1, 1, 1, 2, None]))
    for question in spec.questions:
        if draw(st.integers(0, 3)):  # most are answered
            answers[question.id] = draw(_answer(spec, question.id))
    if draw(st.booleans()):
        answers[draw(st.sampled_from(["nobody_asked", "x1"]))] = 1
    return spec, population, answers


@settings(max_examples=300, deadline=None)
@given(responses(), st.booleans())
def test_check_response_finds_what_the_former_check_found(response, complete) -> None:
    spec, population, answers = response
    assert check_response(spec, population, answers, complete=complete) == (
        former_rules.check_response(spec, population, answers, complete=complete)
    )


def _as_checked(spec: Spec, answers: dict[str, object]) -> dict[str, object]:
    # careless flags read checked responses: a list never stands for a Likert answer there
    # (both paths raise on one alike: a list is not hashable)
    likert = {q.id for q in spec.questions if q.type.value == "likert"}
    return {k: v for k, v in answers.items() if not (k in likert and isinstance(v, list))}


@settings(max_examples=300, deadline=None)
@given(responses())
def test_calculations_are_worked_out_as_before(response) -> None:
    spec, population, answers = response
    assert list(with_calculations(spec, population, answers).items()) == list(
        former_rules.with_calculations(spec, population, answers).items()
    )


@settings(max_examples=300, deadline=None)
@given(responses(), st.integers(0, 400))
def test_careless_flags_agree_with_the_former_rules(response, duration) -> None:
    spec, population, answers = response
    answers = _as_checked(spec, answers)
    assert is_straight_liner(spec, population, answers) == former_rules.is_straight_liner(
        spec, population, answers
    )
    assert is_speeder(spec, answers, duration) == former_rules.is_speeder(spec, answers, duration)


@settings(max_examples=200, deadline=None)
@given(responses(), st.data())
def test_uniform_likert_blocks_are_flagged_by_both(response, data) -> None:
    # random answers are seldom straight lines: make some, with a few drawn answers left in
    # (a "don't know" among them must not break the line), so both outcomes are compared
    spec, population, answers = response
    answers = _as_checked(spec, answers)
    likert = [q for q in spec.questions if q.type.value == "likert" and q.key_factor]
    if not likert:
        return
    point = data.draw(st.sampled_from(spec.option_codes(likert[0])))
    uniform = dict(answers)
    for question in likert:
        if data.draw(st.integers(0, 5)):
            uniform[question.id] = point
    assert is_straight_liner(spec, population, uniform) == former_rules.is_straight_liner(
        spec, population, uniform
    )
