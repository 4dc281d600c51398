"""The anonymiser on a million synthetic CIPS responses, against a plain group-by baseline.

    .venv/bin/python bench/anonymise.py [--rows 1000000] [--missing 0.02] [--seed 1]

The frame has the officials questionnaire's columns: 6 quasi-identifier questions plus
country, region-by-question, population and language (8 that vary), 7 sensitive items, the
other answers as codes and one comment in ten. It prints the seconds for `anonymise` and the
ratio to a pandas group-by size over the same quasi-identifiers (what a plain
strict count costs at the least). Figures, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questionnaire_specs import Spec, load_spec  # noqa: E402
from questionnaire_specs.question_types import kind_of  # noqa: E402
from sync_server.anonymise import anonymise  # noqa: E402

OFFICIALS = Path(__file__).resolve().parent.parent / "questionnaire_specs/cips/officials.yaml"
COMMENTS = [
    "More training on the code of conduct.",
    "Mr Smith at the border post asks for money, call 076 123 456",
    "Rotation des agents, svp. M. Dupont: jean.dupont@example.fr",
    "Publicar las tarifas en la oficina.",
]


def synthetic_frame(spec: Spec, rows: int, missing: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        "response_id": np.char.mod("%012x", rng.permutation(rows)),
        "country": rng.choice(["SL", "NP", "NE", "JO", "GT"], rows),
        "population": "officials",
        "language": rng.choice(["en", "fr", "es", "pt", "ar"], rows, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
        "completed_on": pd.Timestamp("2026-02-01")
        + pd.to_timedelta(rng.integers(0, 120, rows), unit="D"),
        "duration_s": rng.integers(120, 3600, rows),
        "complete": rng.random(rows) < 0.97,
    }
    # Some respondents skip the whole "about you" section; some skip single items.
    skips_section = rng.random(rows) < missing
    for question in spec.questions:
        if not question.is_answered:
            continue
        codes = [option.code for option in spec.options_for(question)]
        release = kind_of(question).release(question, spec)  # the release kind of its type
        if release == "text":
            picked = rng.integers(0, len(COMMENTS), rows)
            data[question.id] = pd.Series(
                np.where(rng.random(rows) < 0.1, np.array(COMMENTS, dtype=object)[picked], None),
                dtype=object,
            )
        elif release == "codes":
            stage = rng.integers(0, len(codes) - 1, rows)
            chosen = np.array([[c] for c in codes[:-1]] + [None], dtype=object)
            data[question.id] = pd.Series(
                chosen[np.where(rng.random(rows) < 0.3, stage, len(codes) - 1)], dtype=object
            )
        elif codes:
            weights = rng.dirichlet(np.ones(len(codes)) * 2)
            values = rng.choice(codes, rows, p=weights).astype("float64")
            gone = rng.random(rows) < missing / 2
            if question.disclosure == "quasi_identifier":
                gone |= skips_section
            values[gone] = np.nan
            data[question.id] = pd.array(values, dtype="Int64")
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--missing", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    spec = load_spec(OFFICIALS)
    frame = synthetic_frame(spec, args.rows, args.missing, args.seed)

    started = time.perf_counter()
    treated = anonymise(frame, spec, rng=np.random.default_rng(args.seed), include_free_text=True)
    seconds = time.perf_counter() - started
    quasi = treated.risk.quasi_identifiers

    started = time.perf_counter()
    frame.groupby(quasi, dropna=False, observed=True).size()
    baseline = time.perf_counter() - started

    risk = treated.risk
    print(f"rows: {args.rows:,}; quasi-identifiers: {', '.join(quasi)}")
    print(f"recodings: {risk.recodings or 'none'}")
    print(
        f"below k before: {risk.below_k_before.records:,} records in "
        f"{risk.below_k_before.classes:,} classes; after: {risk.below_k_after.records}"
    )
    cut = {name: f"{s.rate:.2%}" for name, s in risk.suppression.items() if s.count}
    print(f"local suppression: {cut or 'none'}")
    print(
        f"anonymise: {seconds:.2f} s; group-by baseline: {baseline:.2f} s; "
        f"ratio {seconds / baseline:.1f}x"
    )


if __name__ == "__main__":
    main()
