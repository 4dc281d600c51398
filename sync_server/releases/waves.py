"""Survey waves. CIPS is repeated every two years; a wave is labelled by the year it started
in the field. The one rule lives here: a response's wave is the calendar year it was
completed in."""

from __future__ import annotations

import re
from datetime import date

from sync_server.releases.refusals import ReleaseRefused

WAVE_PATTERN = re.compile(r"[0-9]{4}")


def wave_of(completed_on: date) -> str:
    """The wave a response belongs to: the calendar year of its completion date."""
    return f"{completed_on.year:04d}"


def wave_bounds(wave: str) -> tuple[date, date]:
    """The completion dates a wave covers, as [first day, first day after)."""
    if not WAVE_PATTERN.fullmatch(wave):
        raise ReleaseRefused("unknown-wave", f"a wave is a four-digit year, not {wave!r}")
    year = int(wave)
    if year < 1:
        raise ReleaseRefused("unknown-wave", f"a wave is a four-digit year, not {wave!r}")
    return date(year, 1, 1), date(year + 1, 1, 1)
