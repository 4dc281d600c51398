"""The call into the anonymiser, once per (spec, wave): all countries together, free text
scrubbed (national files may carry it; pooled files drop it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from questionnaire_specs import Spec
from sync_server.anonymise import anonymise
from sync_server.releases.treated import Treated


def treat_frame(frame: pd.DataFrame, spec: Spec, rng: np.random.Generator) -> Treated:
    result = anonymise(frame, spec, rng=rng, include_free_text=True, reviewed_free_text=False)
    return Treated(
        frame=result.frame,
        risk=result.risk,
        risk_json=result.risk.to_json(),
        risk_markdown=result.risk.to_markdown(),
        treatments=dict(result.treatments),
        quasi_identifiers=list(result.risk.quasi_identifiers),
    )
