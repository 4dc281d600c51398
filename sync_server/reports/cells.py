"""Small cells are not shown, and no hidden cell can be worked out from the ones shown.

A breakdown (by gender, by grade, …) shows, for each category, an estimate and its n, beside
the total for all categories. A category with fewer than `min_n` respondents is suppressed
(primary suppression). If exactly one category of a breakdown is suppressed, its n is the
total's n minus the others', and its mean follows from the total's mean the same way: so
the smallest category still shown is suppressed too (complementary suppression). Two or more
hidden categories give away only their sum. The report lists each suppressed cell with why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_MIN_N = 10


@dataclass(frozen=True)
class Suppressed:
    category: str
    reason: str  # "small" (n < min_n) or "complementary" (would give away a small one)


def suppressed_cells(counts: Mapping[str, int], *, min_n: int = DEFAULT_MIN_N) -> list[Suppressed]:
    """The categories of one breakdown not to show, given each category's n."""
    # An empty category discloses no one and protects no one: it is neither hidden for being
    # small nor hidden to cover another.
    small = [c for c, n in counts.items() if 0 < n < min_n]
    hidden = [Suppressed(c, "small") for c in small]
    if len(small) == 1:
        shown = sorted((n, c) for c, n in counts.items() if c not in small and n > 0)
        if shown:
            hidden.append(Suppressed(shown[0][1], "complementary"))
    return hidden
