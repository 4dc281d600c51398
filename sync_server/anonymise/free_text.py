"""Scrubbing personal data out of free-text answers, in English, French, Spanish, Portuguese
and Arabic. What is found is replaced by a typed placeholder: [EMAIL], [PHONE], [ID], [NAME],
[PLACE].

Order matters: text is normalised first (NFKC, and every script's decimal digits to ASCII, so
"٠٧٦١٢٣٤٥٦" and full-width digits are seen as digits), then e-mails (so their parts are not
taken for names or ids); amounts with their currency ("1 000 000 Leones") and dates are set
aside so that no later step takes them for a phone number; then declaration, plate and
container numbers (spaced ones too), phone numbers (spelled out too: "zero seven six …"),
id-like tokens, the post and region names of the spec's own option labels, names after a
title (any case: "mr kamara", "le commandant Diallo", "للسيد أحمد"), and names without one.

How a name without a title is found is free_text_names.py's. No NER model: the spaCy
models of these languages are published by Explosion outside the package registries (the
PyPI projects named like them are other people's uploads), and a dependency has to come
from its publisher.

The rules lean towards scrubbing too much: an analyst reads a placeholder; a leak cannot be
taken back. But job titles ("المدير العام", "the director general") and amounts stay.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import phonenumbers

from sync_server.anonymise.free_text_names import (
    NO_VOCABULARY,
    Vocabulary,
    arabic_names,
    latin_names,
)

PLACEHOLDERS = ("EMAIL", "PHONE", "ID", "NAME", "PLACE")
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

# --- amounts and dates: not phone numbers ---------------------------------------------------

_CURRENCY = (
    r"leones?|(?-i:Le)|sll|sle|usd|us\$|dollars?|d[oó]lar(?:es)?|francs?|fcfa|cfa|xof|euros?|eur|"
    r"quetzal(?:es)?|gtq|rupees?|npr|rs|dinars?|jod|jd|reais|real|naira|cedis?|"
    r"ليون|ليونات|دولار|دولارات|دينار|دنانير|فرنك|يورو|روبية"
)
_SCALE = (
    r"(?:\s*(?:million|millions|millones|milh[õo]es|milliards?|billion|thousand|mil|مليون|ألف))?"
)
# A phone number starts with 0 or +: an amount never does ("0.50" aside).
_NUMBER = r"(?!0\d)(?:\d{1,3}(?:[ \u00a0.,’']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_AMOUNT = re.compile(
    rf"(?:[$€£]|\b(?:{_CURRENCY}|q)\.?)\s?(?:{_NUMBER}){_SCALE}"
    rf"|(?<![\w+])(?:{_NUMBER}){_SCALE}\s?(?:[$€£]|(?:{_CURRENCY})\b)",
    re.IGNORECASE,
)
# A day, a month and a four-digit year (or ISO): "12-34-56" is a phone number, not a date.
_DATE = re.compile(
    r"(?<![\d+])(?:(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?!\d)"
)
_SET_ASIDE = "\ue000"  # then one private-use character naming the span

# --- phone numbers and ids ----------------------------------------------------------------

# Seven or more digits, allowing spaces, dots, dashes and parentheses between them.
_LONG_DIGITS = re.compile(r"(?<![\w])\+?\(?\d(?:[ \t.\-()]{0,2}\d){6,}\)?(?![\w])")
_MAYBE_PHONE = re.compile(r"\d(?:\D{0,3}\d){5,}")
# A run of six or more letters and digits (dashes and slashes inside) with at least one of
# each: container (MSCU1234567), declaration, tax id, vehicle plate (AB-123-CD).
_TOKEN = re.compile(r"(?<![\w\-/])[^\W_](?:[\w\-/]*[^\W_])?(?![\w\-/])")
_DIGIT_RUN = re.compile(r"\d{7,}")
# The same, written in groups with spaces: after a word that announces one ("plate AB 123
# CD", "déclaration C 2023 45678", "رقم اللوحة 12345"), or capitals and digits in groups.
_ID_WORDS = (
    r"declarations?|d[ée]clarations?|declaraci[oó]n|declara[çc][ãa]o|dua|dau|sad|"
    r"bill of lading|b/l|bl|manifest|manifeste|manifiesto|manifesto|"
    r"plates?|plaques?|placas?|matr[ií]cula|immatriculation|registration|"
    r"containers?|conteneurs?|contenedor(?:es)?|contentor(?:es)?|"
    r"trucks?|camions?|cami[oó]n|cami[ãa]o|invoice|facture|factura|fatura|"
    r"tin|nif|rfc|nit|passport|passeport|pasaporte|passaporte|"
    r"رقم|لوحة|اللوحة|بيان|البيان|حاوية|الحاوية|شاحنة|الشاحنة|فاتورة|الفاتورة"
)
_ID_NUMBER_WORDS = (
    r"no\.?|n[°º]|nr\.?|num\.?|number|num[ée]ro|n[uú]mero|#|:|رقم|برقم|"
    r"du|de|do|of|the|la|le|el|o|a"
)
_ID_GROUP = r"(?-i:[A-Z]{1,4})|\d{1,12}"
_KEYED_ID = re.compile(
    rf"(?<![\w])(?:{_ID_WORDS})(?:\s+(?:{_ID_NUMBER_WORDS})(?![\w]))*\s*[:#]?\s*"
    rf"(?P<id>(?:{_ID_GROUP})(?:[ \-/.](?:{_ID_GROUP})){{1,6}}|\d{{5,}})(?![\w])",
    re.IGNORECASE,
)
_SPACED_ID = re.compile(
    rf"(?<![\w\-/])(?:[A-Z]{{1,3}}[ \-])?(?:[A-Z]{{1,3}}[ \-]\d{{3,8}}|\d{{2,8}}[ \-][A-Z]{{1,3}})"
    rf"(?:[ \-](?:{_ID_GROUP}))*(?![\w\-/])"
)

# --- spelled-out numbers ------------------------------------------------------------------

_DIGIT_WORDS = {
    # en
    "zero": 1, "oh": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1,
    "seven": 1, "eight": 1, "nine": 1,
    # fr
    "zéro": 1, "un": 1, "deux": 1, "trois": 1, "quatre": 1, "cinq": 1, "sept": 1, "huit": 1,
    "neuf": 1,
    # es
    "cero": 1, "uno": 1, "dos": 1, "tres": 1, "cuatro": 1, "cinco": 1, "seis": 1, "siete": 1,
    "ocho": 1, "nueve": 1,
    # pt
    "um": 1, "dois": 1, "duas": 1, "três": 1, "quatro": 1, "sete": 1, "oito": 1, "nove": 1,
    # ar
    "صفر": 1, "واحد": 1, "اثنان": 1, "اثنين": 1, "ثلاثة": 1, "أربعة": 1, "اربعة": 1,
    "خمسة": 1, "ستة": 1, "سبعة": 1, "ثمانية": 1, "تسعة": 1,
    # two-digit words
    "ten": 2, "eleven": 2, "twelve": 2, "twenty": 2, "thirty": 2, "forty": 2, "fifty": 2,
    "sixty": 2, "seventy": 2, "eighty": 2, "ninety": 2, "dix": 2, "vingt": 2, "trente": 2,
    "quarante": 2, "cinquante": 2, "soixante": 2, "diez": 2, "veinte": 2, "treinta": 2,
    "cuarenta": 2, "cincuenta": 2, "sesenta": 2, "setenta": 2, "ochenta": 2, "noventa": 2,
    "dez": 2, "vinte": 2, "trinta": 2, "quarenta": 2, "cinquenta": 2, "sessenta": 2,
    "oitenta": 2,
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3, "doble": 2, "triplo": 3, "duplo": 2}
_NUMBER_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# Between the words of a spelled-out number: spaces, commas, dashes, "and"/"et"/"y"/"e"/"و".
_NUMBER_GLUE = re.compile(r"(?:[\s,.\-–]|\b(?:and|et|y|e)\b)*", re.IGNORECASE)
SPELLED_PHONE_DIGITS = 7


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


def _set_aside(text: str, kept: list[str]) -> str:
    """Amounts and dates out of the way of the phone and id rules, restored at the end."""

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"{_SET_ASIDE}{chr(0xE100 + len(kept) - 1)}"

    return _DATE.sub(keep, _AMOUNT.sub(keep, text))


def _restore(text: str, kept: list[str]) -> str:
    for index, original in enumerate(kept):
        text = text.replace(f"{_SET_ASIDE}{chr(0xE100 + index)}", original)
    return text


def _keyed_ids(text: str, counts: dict[str, int]) -> str:
    def keyed(match: re.Match[str]) -> str:
        value = match.group("id")
        if sum(c.isdigit() for c in value) < 3:
            return match.group(0)
        counts["ID"] += 1
        start = match.start("id") - match.start()
        return f"{match.group(0)[:start]}[ID]"

    text = _KEYED_ID.sub(keyed, text)

    def spaced(match: re.Match[str]) -> str:
        value = match.group(0)
        if sum(c.isdigit() for c in value) < 3 or len(re.sub(r"\W", "", value)) < 5:
            return value
        counts["ID"] += 1
        return "[ID]"

    return _SPACED_ID.sub(spaced, text)


def _spelled_numbers(text: str, counts: dict[str, int]) -> str:
    """Runs of number words (and digits) holding seven digits or more: a phone number."""
    tokens = list(_NUMBER_TOKEN.finditer(text))
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        digits, words, end, last, repeat = 0, 0, index, None, 1
        j = index
        while j < len(tokens):
            token = tokens[j].group(0)
            lowered = token.lower()
            if lowered not in _DIGIT_WORDS and lowered[:1] == "و":
                lowered = lowered[1:]  # و, "and", fused to the next digit
            if j > index:
                glue = text[tokens[j - 1].end() : tokens[j].start()]
                if _NUMBER_GLUE.fullmatch(glue) is None:
                    break
            if token.isdigit():
                digits += len(token) * repeat
                repeat = 1
            elif lowered in _REPEATS:
                repeat = _REPEATS[lowered]
            elif lowered in _DIGIT_WORDS:
                digits += _DIGIT_WORDS[lowered] * repeat
                words += 1
                repeat = 1
            else:
                break
            last = j
            j += 1
        if last is not None and words >= 2 and digits >= SPELLED_PHONE_DIGITS:
            spans.append((tokens[index].start(), tokens[last].end()))
            end = last
        index = max(index, end) + 1
    for start, stop in spans[::-1]:
        text = f"{text[:start]}[PHONE]{text[stop:]}"
        counts["PHONE"] += 1
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


def _places(text: str, vocabulary: Vocabulary, counts: dict[str, int]) -> str:
    for place in vocabulary.places:
        pattern = re.compile(rf"(?<![\w]){re.escape(place)}(?![\w])", re.IGNORECASE)
        text = _replace(pattern, text, "PLACE", counts)
    return text


def scrub_text(
    text: str,
    *,
    regions: Iterable[str] = DEFAULT_REGIONS,
    vocabulary: Vocabulary = NO_VOCABULARY,
) -> tuple[str, dict[str, int]]:
    """The text with personal data replaced by placeholders, and how many of each type.
    `vocabulary` (vocabulary_of(spec)) adds the spec's place names and words."""
    counts = dict.fromkeys(PLACEHOLDERS, 0)
    text = normalise(text)
    text = _replace(_EMAIL, text, "EMAIL", counts)
    kept: list[str] = []
    text = _set_aside(text, kept)
    text = _keyed_ids(text, counts)
    text = _spelled_numbers(text, counts)
    text = _phones(text, regions, counts)
    text = _ids(text, counts)
    text = _restore(text, kept)
    text = _places(text, vocabulary, counts)
    text = latin_names(text, vocabulary, counts)
    text = arabic_names(text, counts)
    return text, counts
