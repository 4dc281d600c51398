"""Disclosure control against utility on realistic officials, at national sizes 150, 500 and
1,500 in five countries, the lone woman planted in each.

    .venv/bin/python bench/utility.py [--sizes 150 500 1500] [--seed 7]

Prints each target with its figure and whether it is met:
- 0 records in classes below k, a blank counted as its own value, in every national and the
  pooled file; 0 insider-unique records (a colleague's true values fit one record only);
  each planted rare person in a class of at least k;
- gender kept for >= 95 % of the records that gave it at n >= 500 (>= 85 % at n = 150);
- each sensitive item kept for >= 90 % of its substantive answers, each disclosing answer's
  released rate within 0.02 of the true rate, in every national file;
- every key-factor index (mean of the factor's items on 0-100) by country x gender within 1
  index point of the untreated data.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miniatures.officials_population import COUNTRIES, officials_frame  # noqa: E402
from questionnaire_specs import Disclosure, QuestionType, Spec, load_spec  # noqa: E402
from sync_server.anonymise import anonymise  # noqa: E402

OFFICIALS = Path(__file__).resolve().parent.parent / "questionnaire_specs/cips/officials.yaml"
results: list[bool] = []


def target(name: str, figure: str, met: bool) -> None:
    results.append(met)
    print(f"  {'MET    ' if met else 'NOT MET'}  {name}: {figure}")


def strict_sizes(frame: pd.DataFrame, quasi: list[str]) -> np.ndarray:
    keys = frame[quasi].astype(object).where(frame[quasi].notna(), "<blank>").astype(str)
    return keys.groupby(quasi, sort=False)[quasi[0]].transform("size").to_numpy()


def factor_index(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """Key-factor index (0-100) by country and gender (women and men)."""
    out = {}
    for factor in range(1, 11):
        items = [
            q.id
            for q in spec.questions
            if q.key_factor == factor and q.type is QuestionType.LIKERT and q.id in frame
        ]
        if not items:
            continue
        values = frame[items].astype("Float64")
        values = values.where(values <= 5)
        out[factor] = ((values - 1) / 4 * 100).mean(axis=1)
    scores = pd.DataFrame(out)
    scores["country"] = frame["country"].to_numpy()
    scores["gender"] = frame["gender"].to_numpy()
    scores = scores[scores["gender"].isin([1, 2])]
    return scores.groupby(["country", "gender"]).mean()


def run(spec: Spec, size: int, seed: int) -> None:
    frame, planted = officials_frame(spec, dict.fromkeys(COUNTRIES, size), seed)
    started = time.perf_counter()
    treated = anonymise(frame, spec, rng=np.random.default_rng(seed), include_free_text=False)
    seconds = time.perf_counter() - started
    out, risk = treated.frame, treated.risk
    quasi = risk.quasi_identifiers
    print(f"n = {size:,} per country, {len(frame):,} pooled; anonymise {seconds:.2f} s")
    print(f"  recodings: {risk.recodings or 'none'}")
    cut = {n: s.count for n, s in risk.suppression.items() if s.count}
    print(f"  local suppression (records): {cut}")
    print(f"  risk before: {risk.risk_before}")
    print(f"  risk after:  {risk.risk_after}")

    files = {"pooled": out}
    files.update({c: out[out["country"] == c] for c in COUNTRIES})
    worst = max(int((strict_sizes(f, quasi) < risk.k).sum()) for f in files.values())
    target("records in classes below k, strict count, worst file", str(worst), worst == 0)
    insiders = sum(_insider_unique(spec, frame, out, quasi, risk.recodings, c) for c in COUNTRIES)
    target("insider-unique records (counted here, not by the anonymiser)", str(insiders),
           insiders == 0)  # fmt: skip

    linked = _linked(frame, out)
    sizes = strict_sizes(out, quasi)
    # A planted person not found again (her untreated answers not unique) counts as 0.
    smallest = min(
        int(sizes[linked[p.response_id]]) if linked[p.response_id] >= 0 else 0 for p in planted
    )
    target("smallest class of a planted rare person", str(smallest), smallest >= risk.k)

    answered = frame["gender"].notna().sum()
    kept = out["gender"].notna().sum() / answered
    need = 0.95 if size >= 500 else 0.85
    target(f"gender kept (>= {need:.0%})", f"{kept:.1%}", kept >= need)

    worst_kept, worst_gap = 1.0, 0.0
    for question in spec.questions:
        if question.disclosure is not Disclosure.SENSITIVE or not question.discloses:
            continue
        substantive = {o.code for o in spec.options_for(question) if not o.non_substantive}
        for country in COUNTRIES:
            true = frame.loc[frame["country"] == country, question.id]
            true = true[true.isin(substantive)]
            released = out.loc[out["country"] == country, question.id]
            released = released[released.isin(substantive)]
            worst_kept = min(worst_kept, len(released) / max(len(true), 1))
            for code in question.discloses:
                gap = abs((released == code).mean() - (true == code).mean())
                worst_gap = max(worst_gap, gap)
    target("sensitive answers kept, worst item x country (>= 90%)", f"{worst_kept:.1%}",
           worst_kept >= 0.90)  # fmt: skip
    target("released rate - true rate, worst item x country (<= 0.02)", f"{worst_gap:.4f}",
           worst_gap <= 0.02)  # fmt: skip

    before = factor_index(spec, frame)
    after = factor_index(spec, out)
    gap = float((after - before.reindex(after.index)).abs().max().max())
    target("key-factor index by country x gender, largest change (<= 1 point)", f"{gap:.2f}",
           gap <= 1.0)  # fmt: skip


def _generalised(spec: Spec, name: str, values: pd.Series, level: str | None) -> pd.Series:
    """The true answers at the hierarchy level released."""
    if level is None or name not in {q.id for q in spec.questions}:
        return values.astype(object)
    mapped = values.astype(object)
    for step in spec.question(name).hierarchy or []:
        groups = {member: group.code for group in step.groups for member in group.members}
        mapped = mapped.map(lambda v, g=groups: g.get(v) if not pd.isna(v) else None)
        if step.level == level:
            break
    return mapped


def _insider_unique(
    spec: Spec,
    frame: pd.DataFrame,
    out: pd.DataFrame,
    quasi: list[str],
    recodings: dict[str, str],
    country: str,
) -> int:
    """Respondents of `country` whose true values (at the released levels) fit exactly one
    released record, a released blank fitting any value: the roster attack."""
    truth = frame[frame["country"] == country]
    released = out[out["country"] == country]
    fits = np.ones((len(truth), len(released)), dtype=bool)
    for name in quasi:
        mine = _generalised(spec, name, truth[name], recodings.get(name)).to_numpy(dtype=object)
        theirs = released[name].astype(object).to_numpy()
        blank = pd.isna(theirs)
        unknown = pd.isna(mine)
        same = np.equal.outer(mine.astype(str), theirs.astype(str))
        fits &= same | blank[None, :] | unknown[:, None]
    return int((fits.sum(axis=1) == 1).sum())


def _linked(frame: pd.DataFrame, out: pd.DataFrame) -> dict[str, int]:
    """Each source record's row in the released file (-1 when not found), by the values the
    anonymiser does not treat: its minutes and its answers to the first key factors."""
    keys = [c for c in out.columns if c.startswith(("lead_", "reg_", "tra_", "aut_"))]
    key_in = (
        frame[keys].astype(str).agg("|".join, axis=1)
        + "|"
        + (frame["duration_s"] // 60).astype(str)
    )
    key_out = out[keys].astype(str).agg("|".join, axis=1) + "|" + out["duration_min"].astype(str)
    counts = key_out.value_counts()
    where = {key: i for i, key in enumerate(key_out) if counts[key] == 1}
    pairs = zip(frame["response_id"], key_in, strict=True)
    return {rid: where.get(key, -1) for rid, key in pairs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 500, 1500])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    spec = load_spec(OFFICIALS)
    for size in args.sizes:
        run(spec, size, args.seed)
    print(f"targets met: {sum(results)} of {len(results)}")


if __name__ == "__main__":
    main()
