"""Country is a stratum: never suppressed, no class crosses it, so every national file cut
from the pooled treatment (a plain filter on country) meets k and l on its own.

The release engineer's case: 105 simulated officials over two countries, one of them with
fewer than k respondents. The old treatment suppressed that country's `country` values; as
wildcards they filled classes of the other country, whose national cut then held a class of
4 (k = 5). Now such a country is refused by name, and nothing is suppressed in its stead.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from questionnaire_specs import Disclosure, QuestionType, Spec, load_spec
from questionnaire_specs.answers import is_relevant
from sync_server.anonymise import CountryTooSmall, TreatedData, anonymise
from tests.sync_server.anonymise.independent_checks import class_sizes, pycanon_k, revealed

MULTI = QuestionType.MULTI_CHOICE
OFFICIALS = Path(__file__).resolve().parents[3] / "questionnaire_specs" / "cips" / "officials.yaml"


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(OFFICIALS)


def simulated(spec: Spec, per_country: dict[str, int], seed: int, skip: float) -> pd.DataFrame:
    """Officials answering as in the release tests' simulation (demographics skewed to a few
    values); a share `skip` of them skip every demographic question."""
    rng = random.Random(seed)
    rows = []
    for country, count in per_country.items():
        for _ in range(count):
            answers: dict[str, object] = {"consent": 1}
            for question in spec.questions_for("officials"):
                if not question.is_answered or question.id in answers:
                    continue
                if not is_relevant(question, answers) or question.type is QuestionType.TEXT:
                    continue
                options = [o.code for o in spec.options_for(question)]
                if question.disclosure is Disclosure.QUASI_IDENTIFIER:
                    answers[question.id] = rng.choice(options[:2] * 4 + options)
                elif question.type is MULTI:
                    answers[question.id] = sorted({rng.choice(options[:-1]) for _ in "ab"})
                else:
                    answers[question.id] = rng.choice(options)
            if rng.random() < skip:
                answers = {q: v for q, v in answers.items() if q not in _quasi(spec)}
            rows.append(
                {
                    "response_id": f"r{len(rows):05d}",
                    "country": country,
                    "population": "officials",
                    "language": rng.choice(["en", "fr"]),
                    "duration_s": len(rows) * 60,  # finds each respondent in the output
                    **answers,
                }
            )
    frame = pd.DataFrame(rows)
    for question in spec.questions:
        if question.id in frame and question.is_choice and question.type is not MULTI:
            frame[question.id] = pd.array(frame[question.id], dtype="Int64")
    return frame


def _quasi(spec: Spec) -> set[str]:
    return {q.id for q in spec.questions if q.disclosure is Disclosure.QUASI_IDENTIFIER}


def treat(frame: pd.DataFrame, spec: Spec, seed: int = 3) -> TreatedData:
    return anonymise(frame, spec, rng=np.random.default_rng(seed), include_free_text=False)


def assert_every_national_cut_is_safe(treated: TreatedData, frame: pd.DataFrame, spec: Spec):
    out, quasi, k = treated.frame, treated.risk.quasi_identifiers, treated.risk.k
    # Every record keeps its own country (duration_min finds each one).
    source = frame.set_index(frame["duration_s"] // 60)["country"]
    assert out["country"].tolist() == source.loc[out["duration_min"]].tolist()
    pooled = class_sizes(out, quasi)
    assert pooled.min() >= k
    for country in frame["country"].unique():
        cut = out["country"] == country
        national = out[cut].reset_index(drop=True)
        sizes = class_sizes(national, quasi)
        assert sizes.min() >= k, country
        # No class reached outside the country: the cut's classes are the pooled ones.
        assert (sizes == pooled[cut.to_numpy()]).all()
        assert pycanon_k(national, quasi) >= k
        for item in treated.risk.diversity:
            discloses = spec.question(item).discloses
            found = revealed(national, quasi, item, set(discloses) if discloses else None)
            assert found == [], (country, item)


def test_the_105_respondents_case_refuses_the_small_country_instead_of_suppressing_it(
    spec: Spec,
) -> None:
    # 102 in SL, 3 in GH, some skipping the demographics: the treatment that suppressed
    # GH's country left a class of 4 in SL's national cut.
    frame = simulated(spec, {"SL": 102, "GH": 3}, seed=3, skip=0.05)
    before = frame.copy()
    with pytest.raises(CountryTooSmall, match="GH has 3") as refused:
        treat(frame, spec)
    assert refused.value.counts == {"GH": 3}
    assert (refused.value.country, refused.value.count, refused.value.k) == ("GH", 3, 5)
    pd.testing.assert_frame_equal(frame, before)
    # Left out of the treatment, the rest is released and every national cut meets k and l.
    kept = frame[frame["country"] != "GH"].reset_index(drop=True)
    assert_every_national_cut_is_safe(treat(kept, spec), kept, spec)


@pytest.mark.parametrize(
    ("per_country", "seed"), [({"SL": 100, "GH": 5}, 3), ({"SL": 98, "GH": 7}, 8)]
)
def test_two_countries_of_105_respondents_each_cut_meets_k_and_l(
    spec: Spec, per_country: dict[str, int], seed: int
) -> None:
    frame = simulated(spec, per_country, seed=seed, skip=0.05)
    # GH's few respondents skipped the demographics: wildcards that would fill SL's classes
    # if they could cross countries.
    gh = frame["country"] == "GH"
    frame.loc[gh, list(_quasi(spec) & set(frame.columns))] = pd.NA
    treated = treat(frame, spec, seed)
    assert treated.risk.suppression["country"].count == 0
    assert treated.risk.strata == ["country"]
    assert treated.risk.below_k_after.records == 0
    assert_every_national_cut_is_safe(treated, frame, spec)


def test_language_may_be_suppressed_and_the_national_cut_needs_only_its_country(
    spec: Spec,
) -> None:
    frame = simulated(spec, {"SL": 60, "NP": 45}, seed=5, skip=0.0)
    # Two respondents per country answered in a rare language: it identifies them.
    for country in ("SL", "NP"):
        rows = frame.index[frame["country"] == country][:2]
        frame.loc[rows, "language"] = "ar"
    treated = treat(frame, spec, 5)
    out = treated.frame
    assert treated.risk.suppression["language"].count >= 1
    # Language is a quasi-identifier like any other (not a stratum): where it was suppressed
    # the record is still in its country's file, which meets k and l on its own.
    assert treated.risk.strata == ["country"]
    assert out["language"].isna().sum() == treated.risk.suppression["language"].count
    assert_every_national_cut_is_safe(treated, frame, spec)


def test_the_report_and_treatments_say_country_is_a_stratum(spec: Spec) -> None:
    frame = simulated(spec, {"SL": 30, "NP": 20}, seed=2, skip=0.05)
    treated = treat(frame, spec)
    text = treated.risk.to_markdown()
    assert "no class crosses it" in text and "is its own value" in text
    assert "| country | as recorded (stratum: never suppressed) | 0 | 0.00% |" in text
    assert treated.risk.to_json()["strata"] == ["country"]
    assert "never generalised or suppressed" in treated.treatments["country"]


def test_a_missing_country_is_refused(spec: Spec) -> None:
    frame = simulated(spec, {"SL": 20}, seed=1, skip=0.0)
    frame.loc[4, "country"] = None
    with pytest.raises(ValueError, match="country is missing on 1 records"):
        treat(frame, spec)
