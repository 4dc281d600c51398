"""Arabic shaping and right-to-left ordering, line by line.

Kivy's SDL2 text renderer draws code points left to right without shaping. So we wrap
the logical text ourselves (measuring shaped text, since joined Arabic letters have other
widths than isolated ones), then reshape and reorder EACH VISUAL LINE: reordering the whole
paragraph first and wrapping afterwards would put the lines of an Arabic paragraph in the
wrong order. No Kivy here: the caller passes a ``measure`` function.
"""

from __future__ import annotations

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


def is_arabic(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _ARABIC_SCRIPT)


def has_arabic(text: str) -> bool:
    return any(is_arabic(c) for c in text)


def script_runs(line: str) -> list[tuple[str, Script]]:
    """Split a (visual) line into runs that one font can draw.

    Neutral characters (space, digits, comma…) join the run around them, so a plain Arabic
    sentence stays one run and needs no font markup.
    """
    runs: list[tuple[str, Script]] = []
    pending = ""  # neutrals seen before the first strong character
    for char in line:
        if is_arabic(char):
            script = Script.ARABIC
        elif char in _ARABIC_FONT_NEUTRALS:
            if runs:
                runs[-1] = (runs[-1][0] + char, runs[-1][1])
            else:
                pending += char
            continue
        else:
            script = Script.LATIN
        if runs and runs[-1][1] is script:
            runs[-1] = (runs[-1][0] + char, script)
        else:
            runs.append((pending + char, script))
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
        return get_display(self.reshape(line), base_dir="R" if rtl else "L")

    def visual_lines(self, text: str, width: float, measure: Measure, rtl: bool) -> list[str]:
        return [self.visual(line, rtl) for line in self.wrap(text, width, measure)]


def _longest_fitting_prefix(word: str, width: float, measure: Measure) -> int:
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(word[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo
