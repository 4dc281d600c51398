"""The call into the anonymiser, once per (spec, wave): all countries together, free text
scrubbed (national files may carry it; pooled files drop it).

Country is a stratum: the anonymiser never suppresses it and refuses a country with fewer
than k respondents. Such a country is held back here, before treatment, so that it blocks
no other country's release; the risk reports name it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from questionnaire_specs import Spec
from sync_server.anonymise import anonymise
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
