"""The report's charts as SVG, drawn by matplotlib with the Okabe–Ito colours (told apart
with every common colour-vision deficiency, and in grey print by their markers).

Charts carry numbers only (factor numbers, the 0–100 axis): the words — legend, factor names
and the text alternative — are the page's, in its language, so an Arabic report needs no
shaping inside an image.
"""

from __future__ import annotations

import io
from typing import Any

# The Okabe–Ito palette: black for all respondents, orange for women, blue for men.
COLOURS = {"all": "#000000", "1": "#E69F00", "2": "#0072B2"}
MARKERS = {"all": "o", "1": "s", "2": "D"}


def _figure_svg(figure: Any) -> str:
    out = io.StringIO()
    # No date and no random ids in the file: the same figures give the same bytes.
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def factor_profile_svg(factors: list[dict[str, Any]]) -> str:
    """The ten-factor profile: each factor's index with its interval, for all respondents,
    women and men (a hidden cell is simply not drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "mss-report"
    fig, axes = plt.subplots(figsize=(7, 0.45 * len(factors) + 1))
    try:
        rows = list(range(len(factors)))
        for offset, series in ((-0.2, "all"), (0.0, "1"), (0.2, "2")):
            for row, factor in zip(rows, factors, strict=True):
                estimate = (
                    factor["index"]
                    if series == "all"
                    else factor["by_gender"]["categories"][series]["estimate"]
                )
                if estimate is None:
                    continue
                axes.errorbar(
                    estimate["value"], row + offset,
                    xerr=[[estimate["value"] - estimate["low"]],
                          [estimate["high"] - estimate["value"]]],
                    fmt=MARKERS[series], color=COLOURS[series], capsize=3, markersize=5,
                )  # fmt: skip
        axes.set_yticks(rows, [str(f["factor"]) for f in factors])
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.grid(axis="x", color="#dddddd")
        axes.set_axisbelow(True)
        return _figure_svg(fig)
    finally:
        plt.close(fig)


def differences_svg(rows: list[tuple[str, dict[str, Any] | None]]) -> str:
    """A difference per factor with its interval, around a zero line: the gender gap
    (women minus men) or the change since the last wave. A significant difference is drawn
    filled, the others hollow; a missing one (hidden cell, no earlier wave) is not drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "mss-report"
    fig, axes = plt.subplots(figsize=(7, 0.4 * len(rows) + 1))
    try:
        widest = 5.0
        for row, (_label, difference) in enumerate(rows):
            if difference is None:
                continue
            value = difference["difference"]
            widest = max(widest, abs(difference["low"]), abs(difference["high"]))
            axes.errorbar(
                value, row,
                xerr=[[value - difference["low"]], [difference["high"] - value]],
                fmt="o", color=COLOURS["2"], capsize=3, markersize=6,
                markerfacecolor=COLOURS["2"] if difference["significant"] else "white",
            )  # fmt: skip
        axes.axvline(0, color="#000000", linewidth=0.8)
        axes.set_yticks(range(len(rows)), [label for label, _ in rows])
        axes.invert_yaxis()
        axes.set_xlim(-widest * 1.1, widest * 1.1)
        axes.grid(axis="x", color="#dddddd")
        axes.set_axisbelow(True)
        return _figure_svg(fig)
    finally:
        plt.close(fig)
