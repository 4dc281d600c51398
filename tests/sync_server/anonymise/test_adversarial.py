"""What an intruder who knows a respondent tries: the one woman over 55 with 30 years at a
border post, identical respondents; and reproducible, seed-bound output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from questionnaire_specs import load_spec
from sync_server.anonymise import TooFewRecords, anonymise
from tests.sync_server.anonymise.independent_checks import class_sizes, pycanon_k

OFFICIALS = Path(__file__).resolve().parents[3] / "questionnaire_specs" / "cips" / "officials.yaml"


def officials_frame(rows: int, seed: int = 11) -> pd.DataFrame:
    """Men and younger women at ordinary posts, in two countries, answering everything."""
    rng = np.random.default_rng(seed)
    choice = lambda codes, p=None: pd.array(rng.choice(codes, rows, p=p), dtype="Int64")  # noqa: E731
    offered = rng.choice([1, 2, 9], rows, p=[0.3, 0.6, 0.1])
    return pd.DataFrame(
        {
            "response_id": [f"{i:08d}" for i in range(rows)],
            "envelope_id": [f"env-{i}" for i in range(rows)],
            "country": rng.choice(["SL", "NP"], rows),
            "population": "officials",
            "language": rng.choice(["en", "fr"], rows, p=[0.9, 0.1]),
            "completed_on": pd.Timestamp("2026-03-03")
            + pd.to_timedelta(rng.integers(0, 80, rows), unit="D"),
            "duration_s": rng.integers(300, 1800, rows),
            "complete": True,
            "consent": pd.array([1] * rows, dtype="Int64"),
            "gender": choice([1, 2], p=[0.3, 0.7]),
            "age": choice([3, 4]),
            "years_service": choice([3, 4]),
            "grade": choice([3]),
            "post": choice([2, 3]),
            "region": choice([1, 2]),
            "offered": pd.array(offered, dtype="Int64"),
            "offered_times": pd.array([2 if o == 1 else None for o in offered], dtype="Int64"),
            "payment_stage": pd.Series([[1, 3] if o == 1 else None for o in offered], dtype=object),
            "comment": pd.Series([None] * rows, dtype=object),
        }
    )


@pytest.fixture(scope="module")
def spec():
    return load_spec(OFFICIALS)


def test_the_one_woman_over_55_with_30_years_at_a_border_post_is_not_unique(spec) -> None:
    frame = officials_frame(400)
    her = {"gender": 1, "age": 6, "years_service": 5, "post": 1, "grade": 2}
    index = len(frame)
    frame.loc[index] = frame.loc[0]
    frame.loc[index, "response_id"] = "zz-her"
    for name, value in her.items():
        frame.loc[index, name] = value
    frame.loc[index, "country"] = "SL"
    frame.loc[index, "language"] = "en"
    frame.loc[index, "duration_s"] = 4321  # a value nobody else has: it finds her below

    treated = anonymise(frame, spec, rng=np.random.default_rng(5), include_free_text=False)
    out = treated.frame
    quasi = treated.risk.quasi_identifiers
    assert treated.risk.below_k_before.records >= 1
    mine = np.flatnonzero(out["duration_min"].to_numpy() == 4321 // 60)
    assert len(mine) == 1
    sizes = class_sizes(out, quasi)  # a blank its own value
    assert sizes[mine[0]] >= 5
    assert sizes.min() >= 5
    assert pycanon_k(out, quasi) >= 5
    # Her rare values went, not everyone's data: most records keep every quasi-identifier,
    # and her record lost some of its values.
    assert out[quasi].notna().all(axis=1).mean() > 0.9
    assert out.loc[mine[0], quasi].isna().any() or treated.risk.recodings


def test_identical_respondents_are_both_kept(spec) -> None:
    frame = officials_frame(60)
    twin = frame.loc[[7]].copy()
    twin["response_id"] = "twin"
    frame = pd.concat([frame, twin], ignore_index=True)
    out = anonymise(frame, spec, rng=np.random.default_rng(1), include_free_text=False).frame
    assert len(out) == 61
    assert out["respondent_id"].is_unique


def test_same_data_and_seed_give_the_same_frame_whatever_the_input_order(spec) -> None:
    frame = officials_frame(120)
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    first = anonymise(frame, spec, rng=np.random.default_rng(99), include_free_text=True)
    second = anonymise(shuffled, spec, rng=np.random.default_rng(99), include_free_text=True)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert first.risk.to_json() == second.risk.to_json()
    # And the row order is not the input's: the source ids sorted would give 0, 1, 2, …
    assert list(first.frame["duration_min"]) != list(
        (frame.sort_values("response_id")["duration_s"] // 60).astype("Int64")
    )


def test_another_seed_gives_other_respondent_ids(spec) -> None:
    frame = officials_frame(50)
    one = anonymise(frame, spec, rng=np.random.default_rng(1), include_free_text=False).frame
    two = anonymise(frame, spec, rng=np.random.default_rng(2), include_free_text=False).frame
    assert not set(one["respondent_id"]) & set(two["respondent_id"])
    assert one["respondent_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    # Nothing of a source id is in the released ids or anywhere in the frame.
    text = one.astype(str).to_string()
    assert "env-" not in text and "00000007" not in text


def test_no_identifying_or_precise_column_is_released(spec) -> None:
    frame = officials_frame(80)
    treated = anonymise(frame, spec, rng=np.random.default_rng(4), include_free_text=False)
    out = treated.frame
    assert {"response_id", "envelope_id", "duration_s", "comment"}.isdisjoint(out.columns)
    assert out["completed_on"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert treated.risk.dropped_columns == ["response_id", "envelope_id"]
    assert treated.treatments["comment"] == "free text: withheld from this release"
    assert list(out.columns[:2]) == ["respondent_id", "country"]


def test_quarter_precision_from_the_argument(spec) -> None:
    frame = officials_frame(30)
    out = anonymise(
        frame, spec, rng=np.random.default_rng(4), include_free_text=False, date_precision="quarter"
    ).frame
    assert set(out["completed_on"]) <= {"2026-Q1", "2026-Q2"}


def test_a_larger_k_applies_and_a_smaller_one_does_not(spec) -> None:
    frame = officials_frame(200)
    larger = anonymise(frame, spec, k=12, rng=np.random.default_rng(4), include_free_text=False)
    assert larger.risk.k == 12
    assert class_sizes(larger.frame, larger.risk.quasi_identifiers).min() >= 12
    smaller = anonymise(frame, spec, k=2, rng=np.random.default_rng(4), include_free_text=False)
    assert smaller.risk.k == 5
    assert any("k=2" in note for note in smaller.risk.notes)


def test_the_report_is_plain_json_and_readable(spec) -> None:
    frame = officials_frame(150)
    frame.loc[3, "comment"] = "Call Officer John Smith on +232 76 123 456"
    treated = anonymise(frame, spec, rng=np.random.default_rng(4), include_free_text=True)
    report = json.loads(json.dumps(treated.risk.to_json()))
    assert report["k"] == 5 and report["rows_in"] == report["rows_out"] == 150
    assert set(report["suppression"]) == set(report["quasi_identifiers"])
    assert report["scrubbed"]["NAME"] == 1 and report["scrubbed"]["PHONE"] == 1
    assert report["diversity"]["offered"]["violations_after"] == 0
    text = treated.risk.to_markdown()
    assert "k = 5" in text and "| gender |" in text and "is its own value" in text
    assert "| insider-unique records (roster attack) |" in text
    after = treated.risk.risk_after
    assert (after.sample_uniques, after.below_k, after.insider_unique) == (0, 0, 0)
    assert after.max_individual_risk <= 1 / 5
    assert report["risk_before"]["sample_uniques"] > 0
    assert treated.frame["comment"].dropna().tolist() == ["Call Officer [NAME] on [PHONE]"]
    assert treated.treatments["gender"].startswith("quasi-identifier:")
    assert "suppressed locally" in treated.treatments["gender"]


def test_bad_input_is_refused_with_a_clear_message(spec) -> None:
    frame = officials_frame(20)
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="response_id"):
        anonymise(frame.drop(columns="response_id"), spec, rng=rng, include_free_text=False)
    with pytest.raises(ValueError, match="unique"):
        anonymise(pd.concat([frame, frame]), spec, rng=rng, include_free_text=False)
    with pytest.raises(ValueError, match="month or quarter"):
        anonymise(frame, spec, rng=rng, include_free_text=False, date_precision="week")
    with pytest.raises(TooFewRecords):
        anonymise(frame.head(4), spec, rng=rng, include_free_text=False)
    bad = frame.copy()
    bad["gender"] = pd.array([7] * 20, dtype="Int64")
    with pytest.raises(ValueError, match="gender: 1 distinct answer") as caught:
        anonymise(bad, spec, rng=rng, include_free_text=False)
    assert "7" not in str(caught.value)  # an answer is counted, never quoted
    with pytest.raises(TypeError, match="Generator"):
        anonymise(frame, spec, rng=42, include_free_text=False)  # type: ignore[arg-type]
