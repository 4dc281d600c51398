"""The compiled fast paths (issue 16) give exactly what the former ones gave: expressions as
closures against the tree walker, check_response on the spec's rule book and the careless
flags on their per-spec plan against the verbatim former code (former_rules.py), on the real
CIPS specs and the fixtures, with valid, missing, junk and unknown answers; and the one-pass
check of a whole response (one_pass_check.py) against the full loop of check_response, on
responses walked as a respondent would (valid) and on the same with one thing spoilt."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire_specs import Spec, load_spec
from questionnaire_specs.answers import (
    check_answer,
    check_response,
    every_problem,
    is_relevant,
    with_calculations,
)
from questionnaire_specs.expression_closures import closure_of
from questionnaire_specs.expressions import Node, evaluate
from questionnaire_specs.one_pass_check import one_pass_check
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
# The former rules (former_rules.py, verbatim) predate required_when: they are compared on
# the specs without it; the one-pass check against the full loop on every spec.
FORMER_SPECS = [s for s in SPECS if not any(q.required_when for q in s.questions)]
assert len(FORMER_SPECS) < len(SPECS)  # a spec with required_when is among the fixtures


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
def responses(draw, specs=SPECS):
    spec = draw(st.sampled_from(specs))
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
@given(responses(FORMER_SPECS), st.booleans())
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


def _clean_verdict(spec: Spec, population: str, answers, complete: bool, language=None) -> bool:
    return one_pass_check(spec)[population](answers, spec.choice_labels(language), complete)


def _full_problems(spec: Spec, population: str, answers, complete: bool, language=None):
    labels = spec.choice_labels(language)
    return every_problem(spec, population, answers, complete=complete, labels=labels)


def _assert_one_pass_agrees(response, complete: bool) -> None:
    spec, population, answers = response
    assert _clean_verdict(spec, population, answers, complete) == (
        _full_problems(spec, population, answers, complete) == []
    )


@settings(max_examples=300, deadline=None)
@given(responses(), st.booleans())
def test_the_one_pass_check_says_clean_exactly_when_the_full_loop_finds_nothing(
    response, complete
) -> None:
    _assert_one_pass_agrees(response, complete)


@settings(max_examples=200, deadline=None)
@given(responses([s for s in SPECS if s not in FORMER_SPECS]), st.booleans())
def test_the_one_pass_check_works_out_required_when_as_the_full_loop_does(
    response, complete
) -> None:
    # the same comparison, on the specs with required_when only: each condition both ways
    _assert_one_pass_agrees(response, complete)


@st.composite
def walked_responses(draw):
    """A response as a respondent walks it: each relevant question in order, answered with a
    value its rule accepts (or skipped), the calculations worked out: valid, mostly."""
    spec = draw(st.sampled_from(SPECS))
    population = draw(st.sampled_from([p.id for p in spec.populations]))
    rng = draw(st.randoms(use_true_random=False))
    answers: dict[str, object] = {}
    for question in spec.questions_for(population):
        kind = kind_of(question)
        if kind.draw is None or not question.is_answered:
            continue
        answers = with_calculations(spec, population, answers)
        if not is_relevant(question, answers, spec.choice_labels()):
            continue
        value = kind.draw(spec, question, rng, lambda: "a comment", True)
        if value is not None and check_answer(spec, question, value, answers) is None:
            answers[question.id] = value
    return spec, population, with_calculations(spec, population, answers)


def _spoilt(spec: Spec, population: str, answers: dict, data) -> dict:
    """One thing wrong, or maybe wrong: an answer taken away, replaced by junk or by another
    question's, or one added where nobody asked."""
    spoilt = dict(answers)
    ids = [q.id for q in spec.questions_for(population)]
    target = data.draw(st.sampled_from(ids))
    how = data.draw(st.sampled_from(["drop", "junk", "other", "extra"]))
    if how == "drop":
        spoilt.pop(target, None)
    elif how == "junk":
        spoilt[target] = data.draw(st.one_of(answer_values, st.just(""), st.just([])))
    elif how == "other" and answers:
        spoilt[target] = data.draw(st.sampled_from(list(answers.values())))
    else:
        spoilt[data.draw(st.sampled_from(["nobody_asked", target]))] = 1
    return spoilt


@settings(max_examples=300, deadline=None)
@given(walked_responses(), st.booleans(), st.data())
def test_walked_responses_pass_in_one_pass_and_spoilt_ones_get_the_full_loops_problems(
    response, complete, data
) -> None:
    spec, population, answers = response
    full = _full_problems(spec, population, answers, complete)
    assert _clean_verdict(spec, population, answers, complete) == (full == [])
    if not complete:
        assert full == []  # a walked response has no problem: the one pass really is taken
    spoilt = _spoilt(spec, population, answers, data)
    problems = _full_problems(spec, population, spoilt, complete)
    assert _clean_verdict(spec, population, spoilt, complete) == (problems == [])
    assert check_response(spec, population, spoilt, complete=complete) == problems
