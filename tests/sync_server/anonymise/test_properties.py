"""Property tests: for any input, every released record meets k and l (or its value is
suppressed), within its own country, and no released column gives back a suppressed value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync_server.anonymise import CountryTooSmall, TooFewRecords, anonymise
from tests.sync_server.anonymise.independent_checks import class_sizes, pycanon_k, revealed
from tests.sync_server.anonymise.tiny_spec import tiny_spec


@st.composite
def surveys(draw: st.DrawFn) -> tuple[list[int], int, pd.DataFrame]:
    sizes = draw(st.lists(st.integers(2, 5), min_size=2, max_size=4))
    k = draw(st.sampled_from([2, 3, 5]))
    # One big country, others absent, small (below k: refused) or not, in any order.
    per_country = {
        "SL": draw(st.integers(k, 30)),
        "NP": draw(st.integers(0, 12)),
        "JO": draw(st.integers(0, 8)),
    }
    countries = draw(st.permutations([c for c, n in per_country.items() for _ in range(n)]))
    rows = len(countries)
    data: dict[str, object] = {
        "response_id": [f"r{i:04d}" for i in range(rows)],
        "serial": list(range(rows)),
        "country": countries,
        "language": draw(
            st.lists(st.sampled_from(["en", "en", "fr", "ar"]), min_size=rows, max_size=rows)
        ),
    }
    for index, size in enumerate(sizes):
        # Skewed draws: a few common codes, rare ones and unanswered (suppression-prone).
        weights = st.sampled_from([1] * 4 + [2] * 2 + list(range(3, size + 1)) + [None])
        data[f"qi{index}"] = pd.array(
            draw(st.lists(weights, min_size=rows, max_size=rows)), dtype="Int64"
        )
    offered = draw(st.lists(st.sampled_from([1, 2, 2, 9, None]), min_size=rows, max_size=rows))
    data["offered"] = pd.array(offered, dtype="Int64")
    data["offered_times"] = pd.array([2 if v == 1 else None for v in offered], dtype="Int64")
    return sizes, k, pd.DataFrame(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(), st.integers(0, 2**32 - 1))
def test_every_record_meets_k_and_l_and_nothing_suppressed_comes_back(
    survey: tuple[list[int], int, pd.DataFrame], seed: int
) -> None:
    sizes, k, frame = survey
    spec = tiny_spec(sizes, k=k)
    counts = frame["country"].value_counts()
    if (counts < k).any():
        # Its country cannot be suppressed instead: the whole treatment is refused.
        with pytest.raises(CountryTooSmall) as refused:
            anonymise(frame, spec, rng=np.random.default_rng(seed), include_free_text=False)
        assert refused.value.counts == {c: n for c, n in sorted(counts.items()) if n < k}
        return
    treated = anonymise(frame, spec, rng=np.random.default_rng(seed), include_free_text=False)
    out = treated.frame
    quasi = treated.risk.quasi_identifiers
    assert set(quasi) == {f"qi{i}" for i in range(len(sizes))} | {"country", "language"}

    # k: every record's class (missing matches any value) has at least k members.
    assert class_sizes(out, quasi).min() >= k
    assert treated.risk.below_k_after.records == 0
    assert pycanon_k(out, quasi) >= k
    # No class holds one answer to "offered" on every record (tiny spec: every substantive
    # answer discloses).
    assert revealed(out, quasi, "offered", {1, 2}) == []

    # Country is a stratum: every record keeps its own country, and every national cut (a
    # plain filter on country, whatever else was suppressed) meets k and l on its own.
    source_country = frame.set_index("serial")["country"]
    assert out["country"].tolist() == source_country.loc[out["serial"]].tolist()
    assert treated.risk.suppression["country"].count == 0
    for country in frame["country"].unique():
        national = out[out["country"] == country].reset_index(drop=True)
        assert len(national) == (frame["country"] == country).sum()
        assert class_sizes(national, quasi).min() >= k
        assert revealed(national, quasi, "offered", {1, 2}) == []

    # Exactly one column per quasi-identifier (no coarser copy beside it), no source id.
    for name in quasi:
        assert sum(c == name or c.startswith(f"{name}_") for c in out.columns) == 1
    assert "response_id" not in out.columns
    assert out["respondent_id"].is_unique and len(out) == len(frame)

    # Each released value is the truth, at the released level, or missing.
    source = frame.set_index("serial")
    for row in out.itertuples(index=False):
        original = source.loc[row.serial]
        for index in range(len(sizes)):
            name = f"qi{index}"
            released = getattr(row, name)
            if pd.isna(released):
                continue
            level = treated.risk.recodings.get(name)
            question = spec.question(name)
            truth = original[name]
            for step in question.hierarchy or []:
                if level is None:
                    break
                truth = next(g.code for g in step.groups if truth in g.members)
                if step.level == level:
                    break
            assert released == truth
        # The follow-up cannot reveal a suppressed "offered = yes".
        if pd.isna(row.offered) and pd.notna(original["offered"]):
            assert pd.isna(row.offered_times)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.dictionaries(
                st.sampled_from(["SL", "NP", "JO", "GT"]), st.integers(1, 12), min_size=1
            ),
        )
    )
)
def test_a_country_below_k_is_refused_by_name_never_suppressed(
    case: tuple[int, dict[str, int]],
) -> None:
    k, per_country = case
    countries = [c for c, n in sorted(per_country.items()) for _ in range(n)]
    rows = len(countries)
    frame = pd.DataFrame(
        {
            "response_id": [f"r{i:04d}" for i in range(rows)],
            "country": countries,
            "qi0": pd.array([1] * rows, dtype="Int64"),
        }
    )
    before = frame.copy()
    small = {c: n for c, n in per_country.items() if n < k}
    spec = tiny_spec([2], k=k)
    if rows < k:
        with pytest.raises(TooFewRecords):
            anonymise(frame, spec, rng=np.random.default_rng(0), include_free_text=False)
    elif small:
        with pytest.raises(CountryTooSmall) as refused:
            anonymise(frame, spec, rng=np.random.default_rng(0), include_free_text=False)
        assert refused.value.counts == dict(sorted(small.items()))
        assert (refused.value.country, refused.value.count) == min(small.items())
        for country, count in small.items():
            assert f"{country} has {count}" in str(refused.value)
    else:
        out = anonymise(frame, spec, rng=np.random.default_rng(0), include_free_text=False).frame
        assert sorted(out["country"]) == countries
    pd.testing.assert_frame_equal(frame, before)  # the input is left as it was
