"""The call into the anonymiser, once per (spec, wave): all countries together, free text
scrubbed (national files may carry it; pooled files drop it). Then, once that treatment is
frozen by a release, once per increment of late responses (`treat_increment`).

Country is a stratum: the anonymiser never suppresses it and refuses a country with fewer
than k respondents. Such a country is held back here, before treatment, so that it blocks
no other country's release; the risk reports name it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from questionnaire_specs import Spec
from sync_server.anonymise import anonymise
from sync_server.anonymise.disclosure_roles import STRATUM, QuasiIdentifier, read_roles
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.treated_cache import Treated


def countries_below_k(frame: pd.DataFrame, k: int) -> dict[str, int]:
    counts = frame["country"].value_counts()
    return {str(country): int(count) for country, count in counts.items() if count < k}


def treat_frame(frame: pd.DataFrame, spec: Spec, rng: np.random.Generator) -> Treated:
    held_back = countries_below_k(frame, spec.settings.k_anonymity)
    if held_back:
        frame = frame[~frame["country"].isin(list(held_back))].reset_index(drop=True)
    if frame.empty:
        raise ReleaseRefused(
            "fewer-than-k",
            f"every country has fewer than k={spec.settings.k_anonymity} respondents "
            f"({', '.join(f'{c}: {n}' for c, n in sorted(held_back.items()))})",
        )
    result = anonymise(frame, spec, rng=rng, include_free_text=True, reviewed_free_text=False)
    return Treated(
        frame=result.frame,
        risk=result.risk,
        risk_json=result.risk.to_json(),
        risk_markdown=result.risk.to_markdown(),
        treatments=dict(result.treatments),
        quasi_identifiers=list(result.risk.quasi_identifiers),
        countries_held_back=held_back,
    )


def treat_increment(
    frame: pd.DataFrame, spec: Spec, rng: np.random.Generator, released: Treated
) -> Treated:
    """Late responses (every country with at least k of them: the caller holds the others
    back) treated on their own, so that the rows a later release adds meet k by themselves;
    then put on the released treatment's hierarchy levels, so each variable keeps one
    meaning and one codebook entry. A variable the increment needs coarser than released is
    suppressed in the increment instead (suppression only merges classes), with the answers
    whose `relevant` names it."""
    part = treat_frame(frame, spec, rng)
    roles = {qi.name: qi for qi in read_roles(spec, list(frame.columns)).quasi_identifiers}
    treated = part.frame.copy()
    blanked: list[str] = []
    for name in part.quasi_identifiers:
        if name == STRATUM or name not in treated or name not in roles:
            continue
        have = _depth(roles[name], part.risk.recodings.get(name))
        want = _depth(roles[name], released.risk.recodings.get(name))
        if have == want:
            continue
        if have < want <= len(roles[name].levels):
            treated[name] = _coarsened(treated[name], roles[name], have, want)
        else:
            blanked.append(name)
            treated[name] = pd.Series([None] * len(treated), dtype=object)
    for question in spec.questions:
        expression = question.relevant_expression
        if question.id in treated and expression and set(blanked) & expression.references:
            treated[question.id] = treated[question.id].mask(treated[question.id].notna())
    return dataclasses.replace(part, frame=treated)


def _depth(quasi: QuasiIdentifier, level: str | None) -> int:
    """0 for the answers as given, i for the i-th hierarchy level; past the last for a level
    the spec's hierarchy does not name (a column released without its hierarchy)."""
    names = [level.name for level in quasi.levels]
    if level is None:
        return 0
    return names.index(level) + 1 if level in names else len(names) + 1


def _coarsened(column: pd.Series, quasi: QuasiIdentifier, have: int, want: int) -> pd.Series:
    target = quasi.levels[want - 1].groups
    source = quasi.levels[have - 1].groups if have else {code: code for code in target}
    mapping = {source[code]: group for code, group in target.items() if code in source}
    values = [mapping.get(v) if not pd.isna(v) else None for v in column]
    if all(isinstance(v, int | np.integer) for v in target.values()):
        return pd.Series(values, index=column.index, dtype="Int64")
    return pd.Series(values, index=column.index, dtype=object)
