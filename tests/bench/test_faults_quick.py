"""The fault harness (bench/faults, `make faults`) at its quick sizes: every case against
the real components, every zero target held. The long run and its figures are the bench's."""

from __future__ import annotations

import pytest

from bench.faults.cases import CASES
from bench.faults.central import DatabaseMissing
from tests.sync_server.conftest import _postgres_or_skip, postgres_url


def runs() -> list[object]:
    made = []
    for case in CASES:
        for database in ("sqlite", "postgresql") if case.per_database else ("sqlite",):
            marks = [pytest.mark.slow]
            if database == "postgresql":
                marks.append(pytest.mark.postgres)
            made.append(pytest.param(case, database, marks=marks, id=f"{case.name}-{database}"))
    return made


@pytest.mark.parametrize(("case", "database"), runs())
def test_the_fault_case_meets_every_zero_target(case, database: str) -> None:
    if database == "postgresql":
        _postgres_or_skip(postgres_url())
    try:
        tally = case.run(database, True)
    except DatabaseMissing as error:
        pytest.skip(str(error))
    assert tally.tried > 0, "the case tried nothing"
    assert tally.as_dict() == {"tried": tally.tried, "got_through": 0, "lost": 0,
                               "duplicated": 0, "five_xx": 0}, tally.notes  # fmt: skip
