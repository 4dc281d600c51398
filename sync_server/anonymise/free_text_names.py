"""Names in free text: the title lists, the spec's own vocabulary, and the scan over the
words that finds a person's name in Latin script or in Arabic (free_text.py's last steps).

A name without a title is a capitalised word that is a known first or last name (Faker's
name lists) or too rare to be a word of any of the five languages (wordfreq's frequencies),
unless the spec's own texts use it as a word; in Arabic, a known first name and the name
parts after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

LANGUAGES = ("en", "fr", "es", "pt", "ar")
# Below this Zipf frequency (occurrences per billion words, log10) in every language, a
# capitalised word is taken for a proper name: "Kamara" is 2.6, "Nasser" 3.4, "customs" 4.2.
RARE_WORD = 3.6
# A known name this common as a word ("Will", "Grace", "Silva") still counts after a title,
# but not standing alone at the start of a sentence.
COMMON_WORD = 4.5

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


def latin_names(text: str, vocabulary: Vocabulary, counts: dict[str, int]) -> str:
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


def arabic_names(text: str, counts: dict[str, int]) -> str:
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
