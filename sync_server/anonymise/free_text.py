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

A name without a title is a capitalised word that is a known first or last name (Faker's
name lists) or too rare to be a word of any of the five languages (wordfreq's frequencies),
unless the spec's own texts use it as a word; in Arabic, a known first name and the name
parts after it. No NER model: the spaCy models of these languages are published by
Explosion outside the package registries (the PyPI projects named like them are other
people's uploads), and a dependency has to come from its publisher.

The rules lean towards scrubbing too much: an analyst reads a placeholder; a leak cannot be
taken back. But job titles ("المدير العام", "the director general") and amounts stay.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import phonenumbers

PLACEHOLDERS = ("EMAIL", "PHONE", "ID", "NAME", "PLACE")
# The participating countries and the countries of the five languages.
DEFAULT_REGIONS = ("SL", "NP", "NE", "JO", "GT", "FR", "ES", "PT", "BR", "GB", "US")
LANGUAGES = ("en", "fr", "es", "pt", "ar")
# Below this Zipf frequency (occurrences per billion words, log10) in every language, a
# capitalised word is taken for a proper name: "Kamara" is 2.6, "Nasser" 3.4, "customs" 4.2.
RARE_WORD = 3.6
# A known name this common as a word ("Will", "Grace", "Silva") still counts after a title,
# but not standing alone at the start of a sentence.
COMMON_WORD = 4.5

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

# --- names --------------------------------------------------------------------------------

# Titles that always precede a person: the word after them is a name whatever its case.
_HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mister", "sir", "madam", "madame", "mme", "mlle",
    "monsieur", "mademoiselle", "sr", "sra", "srta", "señor", "señora", "señorita", "don",
    "doña", "dona", "dom", "senhor", "senhora", "dr", "dra", "prof", "hon",
}  # fmt: skip
# Ranks and jobs: a name after them is capitalised, a known name, or too rare to be a word.
_RANKS = {
    # en
    "officer", "inspector", "chief", "commissioner", "director", "commander", "colonel",
    "captain", "major", "lieutenant", "sergeant", "superintendent", "supervisor", "agent",
    "doctor", "deputy", "controller", "collector",
    # fr
    "inspecteur", "inspectrice", "chef", "directeur", "directrice", "docteur", "commandant",
    "commandante", "capitaine", "adjudant", "brigadier", "contrôleur",
    "contrôleuse", "receveur", "receveuse", "vérificateur", "vérificatrice", "commissaire",
    "douanier", "douanière",
    # es
    "oficial", "jefe", "jefa", "licenciado", "licenciada", "lic", "lcdo", "lcda",
    "ingeniero", "ingeniera", "ing", "inspectora", "directora", "comandante", "capitán",
    "coronel", "teniente", "agente", "doctora", "aforador", "aforadora",
    # pt
    "inspetor", "inspetora", "fiscal", "chefe", "diretor", "diretora", "doutor", "doutora",
    "verificador", "verificadora", "despachante", "capitão", "tenente", "engenheiro",
    "engenheira",
    # "seu" is also "your": a name after it must be capitalised or no word at all
    "seu",
}  # fmt: skip
# Abbreviations that need their full stop, so the French "M" is not any capital M.
_NEEDS_DOT = {"m"}
# Arabic titles, without their article: they are written with it (السيد), fused with a
# preposition or a conjunction (للسيد, وللمفتش, بالعقيد) or in construct without it.
_ARABIC_TITLES = {
    "سيد", "سيدة", "آنسة", "انسة", "مفتش", "مفتشة", "ضابط", "ضابطة", "دكتور", "دكتورة",
    "مدير", "مديرة", "أستاذ", "استاذ", "أستاذة", "استاذة", "حاج", "حاجة", "عقيد", "عميد",
    "رائد", "نقيب", "ملازم", "مقدم", "لواء", "شيخ", "مهندس", "مهندسة", "مراقب", "مأمور",
    "رئيس", "زميل", "زميلة", "أخ", "اخ", "أخت", "اخت", "موظف", "موظفة",
}  # fmt: skip
# Arabic words that are never a name after a title (prepositions, verbs of reporting…).
_ARABIC_NOT_NAMES = {
    "في", "من", "عن", "على", "إلى", "الى", "مع", "هو", "هي", "الذي", "التي", "قال",
    "يطلب", "طلب", "كان", "لا", "لم", "لن", "قد", "أن", "ان", "إن", "ما", "هذا", "هذه",
    "ذلك", "كل", "عند", "بعد", "قبل", "أو", "او", "ثم", "لكن", "يريد", "أخذ", "اخذ",
    "يأخذ", "عام", "العام", "جدا", "أيضا", "ايضا", "وقال", "فقط", "الآن", "اليوم", "دائما",
    "طلبت", "يطلبون", "أمس", "كثيرا", "نادرا", "للتفاصيل", "لي", "مني", "منا",
}  # fmt: skip
# Common Arabic first names (the lists of the package we use hold few in Arabic script).
_ARABIC_FIRST_NAMES = {
    "محمد", "أحمد", "احمد", "محمود", "مصطفى", "علي", "حسن", "حسين", "خالد", "عمر", "يوسف",
    "إبراهيم", "ابراهيم", "عبدالله", "عبدالرحمن", "سعيد", "سالم", "سليمان", "طارق", "عماد",
    "فيصل", "ماجد", "ناصر", "هشام", "وليد", "ياسر", "يحيى", "زياد", "رامي", "سامي", "فادي",
    "باسم", "بلال", "جمال", "حمزة", "رائد", "زيد", "صالح", "عادل", "عثمان", "عمار",
    "فاطمة", "مريم", "عائشة", "خديجة", "زينب", "سارة", "ليلى", "نور", "هدى", "رنا", "سلمى",
    "دينا", "لينا", "رشا", "منى", "أمل", "امل", "سعاد", "نادية", "هالة", "ريم", "آمنة",
    "موسى", "عيسى", "إسماعيل", "اسماعيل", "أيمن", "ايمن", "أسامة", "اسامة", "نبيل", "كريم",
}  # fmt: skip
_ARABIC_NAME_LINKS = {"بن", "ابن", "بنت", "أبو", "ابو", "أم", "ام", "عبد", "آل"}
_PARTICLES = {
    "de", "da", "do", "dos", "das", "del", "la", "le", "van", "von", "ben", "bin", "al", "el",
    "di", "du", "des", "y", "e",
}  # fmt: skip
# Words of the five languages that start sentences or follow titles but never name anyone,
# and that a rare-word test would not know (short function words are frequent anyway).
_NOT_NAMES = {"asycuda", "sydonia", "covid", "ok", "okay"}
_LATIN_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
_ARABIC_LETTERS = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
_ELISION = re.compile(r"^(?i:l|d|qu|j|n|s)['’](?P<core>.+)$")
_SENTENCE_END = set('.!?…\n:;«»"“”()')


@dataclass(frozen=True)
class Vocabulary:
    """What one spec tells the scrubber: its post and region names (option labels of its
    quasi-identifiers that are proper names) and the words its own texts use."""

    places: tuple[str, ...] = ()
    words: frozenset[str] = field(default_factory=frozenset)


NO_VOCABULARY = Vocabulary()


def vocabulary_of(spec: object) -> Vocabulary:
    """The spec's place names and words. A label is a place name when every one of its long
    words is capitalised and not all of them are used lower-case elsewhere in the spec
    ("Airport" is not one: the spec writes "seaport or airport"; "Lungi International
    Airport" is), so that names are taken, not kinds of post."""
    texts: list[str] = []
    labels: list[str] = []
    for question in getattr(spec, "questions", ()):
        texts += list((question.label or {}).values())
        for option in spec.options_for(question) if question.is_choice else ():  # type: ignore[attr-defined]
            texts += list(option.label.values())
            if getattr(question, "disclosure", None) is not None and (
                question.disclosure.value == "quasi_identifier"
            ):
                labels += list(option.label.values())
        for level in question.hierarchy or []:
            for group in level.groups:
                texts += list(group.label.values())
    lower = {w for text in texts for w in _LATIN_WORD.findall(text) if w[:1].islower()}
    words = frozenset(w.lower() for text in texts for w in _LATIN_WORD.findall(text))
    places = sorted(
        {label for label in labels if _is_place_name(label, lower)}, key=len, reverse=True
    )
    return Vocabulary(tuple(places), words)


def _is_place_name(label: str, lower_words: set[str]) -> bool:
    words = [w for w in _LATIN_WORD.findall(label) if len(w) > 3]
    if not words or _ARABIC_LETTERS.search(label):
        return False
    capitalised = all(w[0].isupper() for w in words)
    return capitalised and any(w.lower() not in lower_words for w in words)


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


# Latin-script name lists of the five languages' countries and of the surveyed regions:
# West Africa (Hausa for Niger, Yoruba, Igbo, Twi), East Africa, South Asia, the Maghreb.
_NAME_LOCALES = (
    "en_US", "en_GB", "en_IN", "en_KE", "en_NG", "en_PK", "fr_FR", "fr_BE", "fr_DZ",
    "es_ES", "es_MX", "es_CO", "es_AR", "pt_BR", "pt_PT", "ha_NG", "yo_NG", "ig_NG", "tw_GH",
    "sw",
)  # fmt: skip


@cache
def _known_names() -> frozenset[str]:
    """First and last names of Faker's person lists for those countries."""
    from importlib import import_module

    names: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female", "last_names"):
            for name in getattr(provider, attribute, ()) or ():
                names.update(part.lower() for part in str(name).split())
    return frozenset(n for n in names if len(n) > 1)


@cache
def _zipf(word: str) -> float:
    """The word's highest frequency in the five languages (Zipf scale, 0 when unknown)."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, language) for language in LANGUAGES)


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


# --- names: a scan over the words ---------------------------------------------------------


@dataclass
class _Word:
    start: int
    end: int
    text: str  # without an elided article (l'inspecteur -> inspecteur)

    @property
    def lower(self) -> str:
        return self.text.lower()


def _latin_words(text: str) -> list[_Word]:
    words = []
    for match in _LATIN_WORD.finditer(text):
        if _ARABIC_LETTERS.search(match.group(0)):
            continue
        elided = _ELISION.match(match.group(0))
        if elided:
            words.append(_Word(elided.start("core") + match.start(), match.end(), elided["core"]))
        else:
            words.append(_Word(match.start(), match.end(), match.group(0)))
    return words


def _title_kind(text: str, word: _Word) -> str | None:
    lowered = word.lower
    dotted = text[word.end : word.end + 1] == "."
    if lowered in _NEEDS_DOT:  # "M." or "m.", not metres ("5 m.")
        after_number = re.search(r"\d\s*$", text[: word.start]) is not None
        return "honorific" if dotted and not after_number else None
    if lowered in _HONORIFICS:
        return "honorific"
    if lowered in _RANKS:
        return "rank"
    return None


def _is_placeholder(text: str, word: _Word) -> bool:
    return text[word.start - 1 : word.start] == "[" and text[word.end : word.end + 1] == "]"


def _namelike(word: _Word, vocabulary: Vocabulary, *, after_title: str | None) -> bool:
    """Whether `word` can be (part of) a person's name where it stands."""
    lowered = word.lower
    if len(lowered) < 2 or lowered in _NOT_NAMES or lowered in _PARTICLES:
        return False
    if lowered in _HONORIFICS or lowered in _RANKS:
        return False
    capitalised = word.text[0].isupper() and not (word.text.isupper() and len(word.text) > 3)
    known = lowered in _known_names()
    in_spec = lowered in vocabulary.words
    rare = _zipf(lowered) < RARE_WORD
    if after_title == "honorific":  # "mr kamara", "monsieur nasser"
        return capitalised or known or (_zipf(lowered) < COMMON_WORD and not in_spec)
    if after_title == "rank":
        if capitalised:
            return not in_spec and (known or _zipf(lowered) < COMMON_WORD)
        return (known and _zipf(lowered) < COMMON_WORD) or (rare and not in_spec)
    return capitalised and not in_spec and ((known and _zipf(lowered) < COMMON_WORD) or rare)


def _sentence_start(text: str, word: _Word) -> bool:
    before = text[: word.start].rstrip(" \t'’\"“«(-–")
    return not before or before[-1] in _SENTENCE_END


def _latin_names(text: str, vocabulary: Vocabulary, counts: dict[str, int]) -> str:
    words = _latin_words(text)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        word = words[index]
        if _is_placeholder(text, word):
            index += 1
            continue
        kind = _title_kind(text, word)
        found = _name_after(text, words, index + 1, vocabulary, kind)
        if kind is not None and found:
            spans.append((words[index + 1].start, words[found[-1]].end))
            index = found[-1] + 1
            continue
        found = _name_after(text, words, index, vocabulary, None)
        if found and _bare_name(text, [words[i] for i in found]):
            # A first name before it ("Byron Tamang") that was not a name on its own.
            while found[0] > 0 and (spans == [] or spans[-1][1] < words[found[0] - 1].start):
                before = words[found[0] - 1]
                if not (_adjacent(text, before, words[found[0]]) and _given_name(before)):
                    break
                found.insert(0, found[0] - 1)
            spans.append((words[found[0]].start, words[found[-1]].end))
            index = found[-1] + 1
            continue
        index += 1
    for start, end in spans[::-1]:
        text = f"{text[:start]}[NAME]{text[end:]}"
        counts["NAME"] += 1
    return text


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    return re.fullmatch(r"\.?[ \t]+", text[left.end : right.start]) is not None


def _name_after(
    text: str, words: list[_Word], first: int, vocabulary: Vocabulary, kind: str | None
) -> list[int]:
    """The indices of one to three name words from `first` (particles between them)."""
    if first >= len(words) or (first > 0 and not _adjacent(text, words[first - 1], words[first])):
        return []
    if not _namelike(words[first], vocabulary, after_title=kind):
        return []
    taken = [first]
    position = first + 1
    while position < len(words) and len(taken) < 3:
        if not _adjacent(text, words[position - 1], words[position]):
            break
        step = position
        while step < len(words) and words[step].lower in _PARTICLES and step - position < 2:
            step += 1
        if step >= len(words) or not _adjacent(text, words[step - 1], words[step]):
            break
        follower = words[step]
        followed_kind = kind if kind == "honorific" else None
        if not (follower.text[0].isupper() or kind == "honorific"):
            break
        if not _namelike(follower, vocabulary, after_title=followed_kind or "rank"):
            break
        taken.append(step)
        position = step + 1
    return taken


def _given_name(word: _Word) -> bool:
    lowered = word.lower
    return (
        word.text[0].isupper()
        and _title_kind("", word) is None
        and lowered not in _PARTICLES
        and _zipf(lowered) < COMMON_WORD
    )


def _bare_name(text: str, words: list[_Word]) -> bool:
    """A name standing alone: one that starts a sentence must be a known name that is not
    a common word, or two name words, or a word too rare to be a word at all."""
    if not _sentence_start(text, words[0]):
        return True
    if len(words) > 1:
        return True
    lowered = words[0].lower
    return (lowered in _known_names() and _zipf(lowered) < COMMON_WORD) or _zipf(lowered) < 2.5


_ARABIC_TOKEN = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]+")


def _arabic_title(token: str) -> bool:
    """السيد, للسيد, وللسيد, بالسيد, فالمفتش: a conjunction, a preposition, the article."""
    match = re.fullmatch(r"(?:[وف])?(?:(?:[بك]?ال)|لل|ل?ل)(?P<stem>.+)", token)
    return bool(match) and match["stem"] in _ARABIC_TITLES


def _arabic_stem(token: str) -> str:
    return token[1:] if token[:1] in "وف" and token[1:] in _ARABIC_FIRST_NAMES else token


def _arabic_namelike(token: str, *, family: bool = False) -> bool:
    """A word after a title can be a name unless it is a function word or has the article
    (المدير العام: the director general); after a first name, the article starts a family
    name (أحمد الخطيب)."""
    if token in _ARABIC_NOT_NAMES or _arabic_title(token):
        return False
    return family or not token.startswith("ال") or token in _ARABIC_FIRST_NAMES


def _arabic_names(text: str, counts: dict[str, int]) -> str:
    tokens = list(_ARABIC_TOKEN.finditer(text))
    spans: list[tuple[int, int]] = []
    index = 0

    def adjacent(left: int, right: int) -> bool:
        return re.fullmatch(r"[ \t]+", text[tokens[left].end() : tokens[right].start()]) is not None

    while index < len(tokens):
        token = tokens[index].group(0)
        titled = _arabic_title(token)
        first = index + 1 if titled else index
        if first >= len(tokens) or (titled and not adjacent(index, first)):
            index += 1
            continue
        name = _arabic_stem(tokens[first].group(0))
        if titled:
            ok = _arabic_namelike(name)
        else:
            ok = name in _ARABIC_FIRST_NAMES and (
                name != "علي"
                or (
                    first + 1 < len(tokens)
                    and adjacent(first, first + 1)
                    and _arabic_stem(tokens[first + 1].group(0)) in _ARABIC_FIRST_NAMES
                )
            )  # fmt: skip ("علي" is also "على", on, miswritten)
        if not ok:
            index += 1
            continue
        last = first
        while last + 1 < len(tokens) and last - first < 3 and adjacent(last, last + 1):
            following = tokens[last + 1].group(0)
            named = following in _ARABIC_FIRST_NAMES or following in _ARABIC_NAME_LINKS
            linked = tokens[last].group(0) in _ARABIC_NAME_LINKS
            family = last == first and _arabic_namelike(following, family=True)
            if named or linked or family:
                last += 1
            else:
                break
        spans.append((tokens[first].start(), tokens[last].end()))
        index = last + 1
    for start, end in spans[::-1]:
        text = f"{text[:start]}[NAME]{text[end:]}"
        counts["NAME"] += 1
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
    text = _latin_names(text, vocabulary, counts)
    text = _arabic_names(text, counts)
    return text, counts
