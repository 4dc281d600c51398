"""On-screen keyboard layouts: the Arabic alphabet and Latin letters with the accents of
French, Spanish and Portuguese. Pure data; the key grid widget draws them.

Each row is a list of keys; a key is the text it types (the Arabic "لا" types two letters).
"""

from __future__ import annotations

from dataclasses import dataclass

ARABIC_LETTERS: tuple[tuple[str, ...], ...] = (
    ("ض", "ص", "ث", "ق", "ف", "غ", "ع", "ه", "خ", "ح", "ج", "د"),
    ("ش", "س", "ي", "ب", "ل", "ا", "ت", "ن", "م", "ك", "ط", "ذ"),
    ("ئ", "ء", "ؤ", "ر", "لا", "ى", "ة", "و", "ز", "ظ", "أ", "إ", "آ"),
)
# Arabic's punctuation sits in the row of Space and Delete: a fourth row of six keys made
# the keyboard too tall for a 1024 x 600 screen beside a two-line Arabic question.
ARABIC_PUNCTUATION: tuple[str, ...] = ("،", "؟", ".", "!", "-")

LATIN_LETTERS: tuple[tuple[str, ...], ...] = (
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "é", "è"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ç", "à", "ê"),
    ("z", "x", "c", "v", "b", "n", "m", "ñ", "á", "í", "ó", "ú"),
    ("ã", "õ", "â", "ô", "ü", ",", ".", "?", "¿", "!", "'", "-"),
)

SYMBOLS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
    ("-", "/", ":", ";", "(", ")", "%", "@", "&", '"'),
    (".", ",", "?", "!", "'", "+", "=", "*", "#", "_"),
)


@dataclass(frozen=True)
class KeyboardLayout:
    letters: tuple[tuple[str, ...], ...]
    has_case: bool  # Latin has a Shift key; Arabic has no case
    beside_space: tuple[str, ...] = ()  # keys in the row of Space and Delete


def layout_for(language: str) -> KeyboardLayout:
    if language == "ar":
        return KeyboardLayout(ARABIC_LETTERS, has_case=False, beside_space=ARABIC_PUNCTUATION)
    return KeyboardLayout(LATIN_LETTERS, has_case=True)


def rows_to_fit(rows: tuple[tuple[str, ...], ...], columns: int) -> tuple[tuple[str, ...], ...]:
    """``rows`` unchanged when each has at most ``columns`` keys; otherwise every key in
    reading order, refolded into as few rows as fit, of near-equal length (a portrait tablet
    has room for fewer keys across and more rows down)."""
    if columns <= 0 or all(len(row) <= columns for row in rows):
        return rows
    keys = [key for row in rows for key in row]
    count = -(-len(keys) // columns)  # rows needed
    size, longer = divmod(len(keys), count)  # the first `longer` rows take one key more
    folded = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < longer else 0)
        folded.append(tuple(keys[start:end]))
        start = end
    return tuple(folded)
