"""The release's own checks and its risk report: the treated file's report from the
anonymiser, plus what is true of this release's rows (national files are subsets)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sync_server.anonymise.classes import combine
from sync_server.releases.refusals import ReleaseRefused


def smallest_class(frame: pd.DataFrame, quasi_identifiers: list[str]) -> int:
    """The smallest equivalence class on the quasi-identifiers, a blank (suppressed or
    unanswered) its own value, as the anonymiser counts them (sdcMicro's alpha = 0): a
    respondent who skipped a question never fills someone else's class."""
    present = [name for name in quasi_identifiers if name in frame.columns]
    if len(frame) == 0:
        return 0
    if not present:
        return len(frame)
    codes = np.column_stack(
        [pd.factorize(frame[name], use_na_sentinel=True)[0] for name in present]
    ).astype(np.int64)
    return int(combine(codes).weights.min())


def check_k(frame: pd.DataFrame, quasi_identifiers: list[str], k: int) -> int:
    """The smallest class; an error if it is below k. A national file is a subset of the
    pooled treatment, whose classes never mix countries (country is a quasi-identifier),
    so this holds by construction: the check guards the construction. Counted strictly, it
    also holds when a blank is taken to match any value (that only adds matches)."""
    smallest = smallest_class(frame, quasi_identifiers)
    if smallest < k:
        raise ReleaseRefused(
            "k-not-met",
            f"a class of {smallest} respondents is below k={k} in this cut of the treated "
            "file (a blank counted as its own value): the release is not written",
        )
    return smallest


def release_risk_json(
    treatment: dict[str, Any],
    release: dict[str, Any],
    k: int,
    smallest: int,
    countries_held_back: dict[str, int],
) -> dict[str, Any]:
    return {
        "release": {
            **release,
            "k": k,
            "smallest_class": smallest,
            "countries_held_back": countries_held_back,
        },
        "treatment": treatment,
    }


def release_risk_markdown(treatment_markdown: str, risk_json: dict[str, Any]) -> str:
    release = risk_json["release"]
    where = release["country"] or "all countries"
    lines = [
        f"# Risk report — {release['scope']} release, {where}, wave {release['wave']}",
        "",
        f"- respondents in this file: {release['rows']}",
        f"- k: {release['k']}; smallest class in this file: {release['smallest_class']} "
        "(a blank is counted as its own value)",
    ]
    if release["scope"] == "national":
        lines.append(
            "- this file is the national subset of the treatment of all countries together; "
            "country is never suppressed and classes never cross countries, so it meets k "
            "on its own"
        )
    else:
        lines.append("- free text is withheld (pooled releases carry it only once reviewed)")
    held = release["countries_held_back"]
    if held:
        named = ", ".join(f"{country} ({count})" for country, count in sorted(held.items()))
        lines.append(
            f"- countries held back for having fewer than k respondents in this wave: {named}"
        )
    lines += ["", "## Treatment of all countries together", ""]
    lines.append(treatment_markdown.strip())
    return "\n".join(lines) + "\n"
