"""Scrubbing personal data out of free-text answers, in English, French, Spanish, Portuguese
and Arabic. What is found is replaced by a typed placeholder: [EMAIL], [PHONE], [ID], [NAME].

Order matters: text is normalised first (NFKC, and every script's decimal digits to ASCII, so
"٠٧٦١٢٣٤٥٦" and full-width digits are seen as digits), then e-mails (so their parts are not
taken for names or ids), phone numbers, id-like tokens, and names after a title.
The rules lean towards scrubbing too much: a date such as 12.03.2024 or an amount written
"1 000 000" is taken for a phone number. An analyst reads a placeholder; a leak cannot be
taken back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import phonenumbers

PLACEHOLDERS = ("EMAIL", "PHONE", "ID", "NAME")
# The participating countries and the countries of the five languages.
DEFAULT_REGIONS = ("SL", "NP", "NE", "JO", "GT", "FR", "ES", "PT", "BR", "GB", "US")

# --- e-mail -------------------------------------------------------------------------------

_AT_WORDS = r"at|arobase|arroba"  # Arabic "على" also means "on": too ambiguous to use
_DOT_WORDS = r"dot|point|punto|ponto"
_AT = rf"(?:\s*@\s*|\s*[\[({{<]\s*(?:{_AT_WORDS}|@)\s*[\])}}>]\s*|\s+(?:{_AT_WORDS})\s+)"
_DOT = rf"(?:\s*\.\s*|\s*[\[({{<]\s*(?:{_DOT_WORDS}|\.)\s*[\])}}>]\s*|\s+(?:{_DOT_WORDS})\s+)"
# Spelled-out forms need a real top-level domain at the end, or "look at this point of
# view" would be an address.
_TLDS = (
    "com|org|net|gov|gouv|gob|edu|int|info|biz|mil|co|io|mail|"
    "sl|np|ne|jo|gt|fr|es|pt|br|uk|us|ma|sn|ci|cm|bf|ml|td|tn|dz|eg|mx|ar|cl|pe|ao|mz|cv"
)
_LOCAL = r"[\w.+\-]+"
_LABEL = r"[\w\-]+"
_EMAIL = re.compile(
    rf"(?<![\w.+\-]){_LOCAL}@{_LABEL}(?:\.{_LABEL})+"
    rf"|(?<![\w.+\-]){_LOCAL}(?:{_DOT}{_LOCAL})*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}(?:{_TLDS})\b",
    re.IGNORECASE,
)

# --- phone numbers and ids ----------------------------------------------------------------

# Seven or more digits, allowing spaces, dots, dashes and parentheses between them.
_LONG_DIGITS = re.compile(r"(?<![\w])\+?\(?\d(?:[ \t.\-()]{0,2}\d){6,}\)?(?![\w])")
_MAYBE_PHONE = re.compile(r"\d(?:\D{0,3}\d){5,}")
# A run of six or more letters and digits (dashes and slashes inside) with at least one of
# each: container (MSCU1234567), declaration, tax id, vehicle plate (AB-123-CD).
_TOKEN = re.compile(r"(?<![\w\-/])[^\W_](?:[\w\-/]*[^\W_])?(?![\w\-/])")
_DIGIT_RUN = re.compile(r"\d{7,}")

# --- names after titles -------------------------------------------------------------------

_LATIN_TITLES = (
    # en
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "Officer",
    "Inspector",
    "Chief",
    "Sir",
    "Madam",
    "Commissioner",
    "Director",
    # fr
    "M",
    "Mme",
    "Mlle",
    "Monsieur",
    "Madame",
    "Inspecteur",
    "Inspectrice",
    "Agent",
    "Chef",
    "Directeur",
    "Docteur",
    # es
    "Sr",
    "Sra",
    "Srta",
    "Señor",
    "Señora",
    "Don",
    "Doña",
    "Oficial",
    "Jefe",
    # pt
    "Senhor",
    "Senhora",
    "Dona",
    "Inspetor",
    "Fiscal",
    "Chefe",
    "Diretor",
)
# Abbreviations that need their full stop, so the French "M" is not any capital M.
_NEEDS_DOT = {"M"}
_ARABIC_TITLES = (
    "السيد",
    "السيدة",
    "الآنسة",
    "المفتش",
    "الضابط",
    "الدكتور",
    "المدير",
    "الأستاذ",
    "الحاج",
)
_PARTICLES = {
    "de",
    "da",
    "do",
    "dos",
    "das",
    "del",
    "la",
    "le",
    "van",
    "von",
    "ben",
    "bin",
    "al",
    "el",
}


def _title_pattern() -> re.Pattern[str]:
    plain = sorted((t for t in _LATIN_TITLES if t not in _NEEDS_DOT), key=len, reverse=True)
    titles = "|".join([rf"{re.escape(t)}\.?" for t in plain] + [rf"{t}\." for t in _NEEDS_DOT])
    # Capitals spelled out: `re` has no \p{Lu}, and the titles alone are case-blind.
    upper = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper())
    # A name word is capitalised and is not itself a title ("Sr. Pérez y la Sra. Gómez").
    name = rf"(?!(?i:{titles})(?![\w'’\-]))[{upper}][\w'’\-]*"
    particle = rf"(?:{'|'.join(sorted(_PARTICLES))})"
    # The title, then one to three capitalised words ("Juan de la Cruz": particles between).
    return re.compile(
        rf"(?<![\w.])(?P<title>(?i:{titles}))"
        rf"(?P<rest>[ \t]+{name}(?:(?:[ \t]+{particle})*[ \t]+{name}){{0,2}})"
    )


_LATIN_NAME = _title_pattern()
_ARABIC_WORD = r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]+"
_ARABIC_NAME = re.compile(
    rf"(?<![\u0600-\u06FF])(?P<title>و?(?:{'|'.join(_ARABIC_TITLES)}))"
    rf"(?P<rest>(?:[ \t]+{_ARABIC_WORD}){{1,2}})"
)


@cache
def _digit_table() -> dict[int, str]:
    """Every decimal digit of the basic plane (Arabic-Indic, Devanagari, …) to ASCII."""
    table = {}
    for point in range(0x80, 0x10000):
        char = chr(point)
        if char.isdecimal():
            table[point] = str(unicodedata.decimal(char))
    return table


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_digit_table())


def _replace(pattern: re.Pattern[str], text: str, tag: str, counts: dict[str, int]) -> str:
    text, found = pattern.subn(f"[{tag}]", text)
    counts[tag] += found
    return text


def _phones(text: str, regions: Iterable[str], counts: dict[str, int]) -> str:
    if not _MAYBE_PHONE.search(text):
        return text
    spans: list[tuple[int, int]] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            spans.append((match.start, match.end))
    for start, end in _merge(spans)[::-1]:
        text = f"{text[:start]}[PHONE]{text[end:]}"
        counts["PHONE"] += 1
    return _replace(_LONG_DIGITS, text, "PHONE", counts)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _ids(text: str, counts: dict[str, int]) -> str:
    def token(match: re.Match[str]) -> str:
        value = match.group(0)
        core = re.sub(r"[\-/]", "", value)
        has_digit = any(c.isdigit() for c in core)
        has_letter = any(c.isalpha() for c in core)
        if (len(core) >= 6 and has_digit and has_letter) or _DIGIT_RUN.fullmatch(core):
            counts["ID"] += 1
            return "[ID]"
        return value

    return _TOKEN.sub(token, text)


def _names(text: str, counts: dict[str, int]) -> str:
    def named(match: re.Match[str]) -> str:
        counts["NAME"] += 1
        return f"{match.group('title')} [NAME]"

    return _ARABIC_NAME.sub(named, _LATIN_NAME.sub(named, text))


def scrub_text(
    text: str, *, regions: Iterable[str] = DEFAULT_REGIONS
) -> tuple[str, dict[str, int]]:
    """The text with personal data replaced by placeholders, and how many of each type."""
    counts = dict.fromkeys(PLACEHOLDERS, 0)
    text = normalise(text)
    text = _replace(_EMAIL, text, "EMAIL", counts)
    text = _phones(text, regions, counts)
    text = _ids(text, counts)
    text = _names(text, counts)
    return text, counts
