"""Scripted respondents through the real session: valid by the server's own rule book."""

from __future__ import annotations

from pathlib import Path
from random import Random

import pytest

from device_app.errors import InvalidAnswers, UnknownPopulation
from device_app.scripted_respondent import COMMENT_WORDS, simulate_respondents, submit_answers
from device_app.session import AnswerError
from questionnaire_specs.answers import check_response
from tests.contract.world import World, make_world, open_envelope


def opened_payloads(world: World, station) -> list[dict]:  # noqa: ANN001
    return [open_envelope(world, station, entry.envelope) for entry in station._store.entries()]


def test_cips_respondents_are_valid_for_both_populations(tmp_path: Path) -> None:
    world = make_world(tmp_path, cips=True)
    station = world.station()
    outcome = simulate_respondents(station, 24, rng=Random(7))

    assert outcome.finished == 24 and outcome.last_seq == 24
    assert set(outcome.by_population) == {"officials", "private_sector"}
    payloads = opened_payloads(world, station)
    specs = {spec.id: spec for spec in station.specs()}
    for payload in payloads:
        spec = specs[payload["spec"]["id"]]
        assert check_response(spec, payload["population"], payload["answers"], complete=True) \
            == []  # fmt: skip
        assert payload["complete"] is True
        assert payload["language"] in spec.language_codes
    comments = [p["answers"]["comment"] for p in payloads if "comment" in p["answers"]]
    assert 6 <= len(comments) <= 18  # about half
    assert all(len(c.split()) >= 4 and set(c.split()) <= set(COMMENT_WORDS) for c in comments)


def test_the_same_seed_gives_the_same_answers(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    first, second = world.station("one"), world.station("two")
    simulate_respondents(first, 5, rng=Random(3))
    simulate_respondents(second, 5, rng=Random(3))
    answers = [[p["answers"] for p in opened_payloads(world, s)] for s in (first, second)]
    assert answers[0] == answers[1]


def test_one_population_only(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    station = world.station()
    outcome = simulate_respondents(station, 4, rng=Random(1), population="private_sector")
    assert outcome.by_population == {"private_sector": 4}
    with pytest.raises(UnknownPopulation):
        simulate_respondents(station, 1, rng=Random(1), population="tourists")


def test_submit_seals_valid_answers(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    station = world.station()
    given = {"consent": 1, "lead_example": 4, "offered_payment": 1, "stages": [3, 1],
             "years": 12, "comment": "forms are clear"}  # fmt: skip
    seq = submit_answers(station, given, population="officials", language="fr")
    assert seq == 1
    (payload,) = opened_payloads(world, station)
    assert payload["answers"] == {**given, "stages": [1, 3]}
    assert payload["language"] == "fr"


def test_submit_lists_every_problem_in_the_spec_language_and_writes_nothing(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    station = world.station()
    given = {"consent": 1, "offered_payment": 1, "stages": [1, 2, 3], "years": 99,
             "colour": "blue"}  # fmt: skip

    with pytest.raises(InvalidAnswers) as refused:
        submit_answers(station, given, population="officials", language="fr")

    problems = refused.value.problems
    assert len(problems) == 4
    assert any(p.startswith("colour:") for p in problems)
    assert "stages: Choisissez-en deux au plus." in problems  # the spec's own message
    assert any(p.startswith("years:") and "45" in p for p in problems)
    assert any(p.startswith("lead_example:") and "nécessaire" in p for p in problems)
    assert not any("blue" in p for p in problems)  # never the answer itself
    assert station.status().last_seq == 0


def test_submit_words_a_problem_as_the_kiosk_does(tmp_path: Path) -> None:
    """One set of words for a refused answer: `submit` and the session say the same."""
    world = make_world(tmp_path)
    station = world.station()
    session = station.new_session("officials", "fr")
    for value in (None, 1, 4, 2):  # anonymity note, consent, lead_example, offered_payment
        if value is not None:
            session.answer(value)
        session.next()
    assert session.current is not None and session.current.id == "years"
    with pytest.raises(AnswerError) as kiosk:
        session.answer(99)

    with pytest.raises(InvalidAnswers) as refused:
        submit_answers(station, {"consent": 1, "lead_example": 4, "years": 99},
                       population="officials", language="fr")  # fmt: skip

    assert refused.value.problems == [f"years: {kiosk.value.message}"]
    assert "45" in kiosk.value.message and "45.0" not in kiosk.value.message
