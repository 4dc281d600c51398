"""An answer outside a quasi-identifier's hierarchy is a clear error that quotes no answer."""

from __future__ import annotations

import pandas as pd
import pytest

from sync_server.anonymise.disclosure_roles import Level, QuasiIdentifier
from sync_server.anonymise.k_anonymity import encode


def test_an_answer_outside_the_hierarchy_is_counted_not_quoted() -> None:
    quasi = QuasiIdentifier("grade", (Level("band", {1: "low", 2: "low", 3: "high"}),))
    answers = pd.Series([1, 3, 987654, 987653], dtype="Int64")
    with pytest.raises(ValueError) as caught:
        encode(answers, quasi)
    message = str(caught.value)
    assert "grade" in message and "band" in message and "2 distinct" in message
    assert "98765" not in message
