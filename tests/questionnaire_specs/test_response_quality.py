"""The data-quality rules on hand-made responses of the real CIPS officials spec."""

from __future__ import annotations

from pathlib import Path

from questionnaire_specs import load_spec
from questionnaire_specs.response_quality import is_speeder, is_straight_liner

SPEC = load_spec(Path(__file__).parents[2] / "questionnaire_specs" / "cips" / "officials.yaml")
LIKERT = {q.id: q.key_factor for q in SPEC.questions_for("officials") if q.key_factor is not None}


def test_one_point_for_every_statement_is_straight_lining() -> None:
    answers = {qid: 5 for qid in LIKERT}
    assert is_straight_liner(SPEC, "officials", answers)
    # "don't know" here and there does not hide it
    assert is_straight_liner(SPEC, "officials", {**answers, "lead_example": 8})


def test_an_opinion_on_one_factor_is_not_straight_lining() -> None:
    answers = {qid: (5 if factor == 1 else 2 + qid.__len__() % 3) for qid, factor in LIKERT.items()}
    assert not is_straight_liner(SPEC, "officials", answers)
    # too little answered to tell: two blocks only
    two_blocks = {qid: 4 for qid, factor in LIKERT.items() if factor in (1, 2)}
    assert not is_straight_liner(SPEC, "officials", two_blocks)


def test_a_speeder_answers_faster_than_anyone_reads() -> None:
    answers = {qid: 3 for qid in LIKERT} | {"consent": 1, "comment": None}
    assert is_speeder(SPEC, answers, duration_s=60)  # 51 answers in a minute
    assert not is_speeder(SPEC, answers, duration_s=400)


def test_the_spec_sets_the_speeder_floor() -> None:
    """A long statement read aloud in a second language needs more than 2 s: the spec says."""
    answers = {qid: 3 for qid in LIKERT}
    slower = SPEC.model_copy(
        update={"settings": SPEC.settings.model_copy(update={"speeder_seconds_per_answer": 10})}
    )
    assert not is_speeder(SPEC, answers, duration_s=300)  # 6 s a question
    assert is_speeder(slower, answers, duration_s=300)
