"""Arabic shaping and right-to-left ordering, line by line.

Kivy's SDL2 text renderer draws code points left to right without shaping. So we wrap
the logical text ourselves (measuring shaped text, since joined Arabic letters have other
widths than isolated ones), then reshape and reorder EACH VISUAL LINE: reordering the whole
paragraph first and wrapping afterwards would put the lines of an Arabic paragraph in the
wrong order. No Kivy here: the caller passes a ``measure`` function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import Enum

from arabic_reshaper import ArabicReshaper
from bidi.algorithm import get_display  # the pure-Python UBA: it mirrors brackets

Measure = Callable[[str], float]

_ARABIC_SCRIPT = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
# Characters the Arabic Noto fonts also carry; inside Arabic text they stay in the Arabic
# run. Anything else (Latin letters, en dash, parentheses…) must be drawn with the Latin font.
_ARABIC_FONT_NEUTRALS = frozenset(" !,-.:0123456789\u00a0\u00ab\u00bb") | frozenset(
    chr(c) for c in range(0x200B, 0x2012)
)


class Script(Enum):
    LATIN = "latin"
    ARABIC = "arabic"


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


# Regular expressions do per character what a Python loop would: these run for every label,
# every measured word and every wrapped line, so they must be cheap (mostly Latin text).
_ARABIC_CLASS = _char_class(_ARABIC_SCRIPT)
_NEUTRAL_CLASS = "".join(f"\\U{ord(c):08x}" for c in sorted(_ARABIC_FONT_NEUTRALS))
_ARABIC = re.compile(f"[{_ARABIC_CLASS}]")
# runs of Arabic letters, of neutrals, and of anything else (Latin)
_TOKENS = re.compile(
    f"([{_ARABIC_CLASS}]+)|([{_NEUTRAL_CLASS}]+)|([^{_ARABIC_CLASS}{_NEUTRAL_CLASS}]+)"
)


def is_arabic(char: str) -> bool:
    return _ARABIC.match(char) is not None


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def script_runs(line: str) -> list[tuple[str, Script]]:
    """Split a (visual) line into runs that one font can draw.

    Neutral characters (space, digits, comma…) join the run around them, so a plain Arabic
    sentence stays one run and needs no font markup.
    """
    if not has_arabic(line):
        return [(line, Script.LATIN)] if line else []  # the common case: one Latin run
    runs: list[tuple[str, Script]] = []
    pending = ""  # neutrals seen before the first strong character
    for arabic, neutral, latin in _TOKENS.findall(line):
        if neutral:
            if runs:
                runs[-1] = (runs[-1][0] + neutral, runs[-1][1])
            else:
                pending += neutral
            continue
        script = Script.ARABIC if arabic else Script.LATIN
        text = arabic or latin
        if runs and runs[-1][1] is script:
            runs[-1] = (runs[-1][0] + text, script)
        else:
            runs.append((pending + text, script))
            pending = ""
    if pending:
        runs.append((pending, Script.LATIN))
    return runs


class Shaper:
    """Wraps logical text to a width and returns the visual lines in reading order."""

    def __init__(self) -> None:
        self._reshaper = ArabicReshaper(configuration={"delete_harakat": False})

    def reshape(self, text: str) -> str:
        return self._reshaper.reshape(text) if has_arabic(text) else text

    def wrap(self, text: str, width: float, measure: Measure) -> list[str]:
        """Greedy word wrap of logical text; explicit newlines are kept as paragraphs."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            words = paragraph.split()
            if not words:
                lines.append("")
                continue
            whole = " ".join(words)
            if measure(self.reshape(whole)) <= width:
                lines.append(whole)  # most labels fit on one line: one measure, not one a word
                continue
            current = ""
            for word in words:
                candidate = f"{current} {word}" if current else word
                if measure(self.reshape(candidate)) <= width or not current:
                    current = candidate
                else:
                    lines.append(current)
                    current = word
                # a single word wider than the line is cut, so nothing runs off screen
                while measure(self.reshape(current)) > width and len(current) > 1:
                    cut = _longest_fitting_prefix(
                        current, width, lambda s: measure(self.reshape(s))
                    )
                    lines.append(current[:cut])
                    current = current[cut:]
            lines.append(current)
        return lines

    def visual(self, line: str, rtl: bool) -> str:
        """One logical line to display order: shaped glyphs, bidi-reordered, brackets mirrored."""
        if not rtl and not has_arabic(line):
            return line  # pure left-to-right text needs nothing
        return marks_after_their_base(get_display(self.reshape(line), base_dir="R" if rtl else "L"))

    def visual_lines(self, text: str, width: float, measure: Measure, rtl: bool) -> list[str]:
        return [self.visual(line, rtl) for line in self.wrap(text, width, measure)]


def marks_after_their_base(visual: str) -> str:
    """UBA rule L3: after reordering, the combining marks of a right-to-left letter precede
    it; a renderer that draws left to right and hangs each mark on the glyph before it (as
    SDL2 does) then puts the damma and shadda of "يُسجَّل" one letter late. Each run of marks
    is moved back behind the letter it belongs to, in its logical order."""
    out: list[str] = []
    marks: list[str] = []
    for char in visual:
        if unicodedata.category(char) == "Mn":
            marks.append(char)
            continue
        if marks and has_arabic(char):
            out.append(char)
            out.extend(reversed(marks))
        else:  # a left-to-right letter: its marks already follow it
            out.extend(marks)
            out.append(char)
        marks = []
    out.extend(marks)  # marks with no letter after them: left where they were
    return "".join(out)


def _longest_fitting_prefix(word: str, width: float, measure: Measure) -> int:
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(word[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo
