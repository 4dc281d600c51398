"""The languages of an XLSForm, as ISO 639-1 codes.

pyxform groups translated columns by the text after `::` (or a single `:`): `English (en)`,
`English`, `french`, or `default` for plain columns. MSS needs a two-letter code per language:
`Name (code)` gives it, and a bare name is looked up with `langcodes` (`English` → en,
`Français` → fr). Refused, naming the column: a name no library knows, a language without a
two-letter code, and two columns that would both be one language (ambiguous).

The default language comes first: the settings `default_language`, else the plain columns'
(English when the form does not say), else the first translated language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DEFAULT_KEY = "default"  # pyxform's key for the texts of plain columns (`label`, `hint`)
_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)$")
_RTL_CODES = frozenset({"ar", "fa", "he", "ur", "ps", "dv", "yi", "sd", "ug"})


@dataclass(frozen=True, slots=True)
class FormLanguage:
    code: str
    name: str  # written in the language itself, as the spec wants


@dataclass(slots=True)
class FormLanguages:
    """The form's languages, default first, and which pyxform language key means which code."""

    ordered: list[FormLanguage]
    code_of: dict[str, str]  # pyxform's language key → code
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [language.code for language in self.ordered]

    def texts(self, value: object) -> dict[str, str]:
        """One text field of pyxform's tree (a str, or language key → str), by code."""
        if isinstance(value, str):
            # pyxform leaves a text plain when the form has no translations of it (the
            # label it generates for or_other): it is shown in every language.
            return dict.fromkeys(self.codes, value) if value.strip() else {}
        if not isinstance(value, Mapping):
            return {}
        found: dict[str, str] = {}
        # A named language beats the plain column of the same language.
        for key in sorted(value, key=lambda k: k == DEFAULT_KEY):
            text = value[key]
            code = self.code_of.get(key)
            if code is not None and isinstance(text, str) and text.strip():
                found.setdefault(code, text)
        return {code: found[code] for code in self.codes if code in found}

    def entries(self) -> list[dict[str, object]]:
        entries: list[dict[str, object]] = []
        for language in self.ordered:
            entry: dict[str, object] = {"code": language.code, "name": language.name}
            if language.code in _RTL_CODES:
                entry["rtl"] = True
            entries.append(entry)
        return entries


def parse_language(raw: str) -> FormLanguage | str:
    """The language a column names, or why it names none."""
    import langcodes

    text = raw.strip()
    match = _WITH_CODE.match(text)
    try:
        if match:
            found = langcodes.Language.get(match.group("code").replace("_", "-"))
        else:
            found = langcodes.find(text)
    except (LookupError, ValueError):
        return f"no language is named {text!r}; write it as 'Name (xx)' with the ISO 639-1 code"
    code = found.language or ""
    if not re.fullmatch(r"[a-z]{2}", code):
        return f"{text!r} has no two-letter ISO 639-1 code; write it as 'Name (xx)'"
    given = match.group("name").strip() if match else ""
    if not given or _same_name(given, code):
        given = _autonym(code)
    return FormLanguage(code, given)


def _same_name(name: str, code: str) -> bool:
    # `French (fr)` is named in English: the spec wants each language named in itself.
    import langcodes

    try:
        return langcodes.Language.get(code).display_name("en").lower() == name.lower()
    except LookupError:
        return False


def _autonym(code: str) -> str:
    import langcodes

    name = langcodes.Language.get(code).autonym()
    return name[:1].upper() + name[1:] if name else code


def form_languages(keys: Iterable[str], default_language: str | None) -> FormLanguages:
    """The languages of the pyxform language `keys` (in the order they first appear)."""
    keys = list(dict.fromkeys(keys))
    languages = FormLanguages([], {})
    by_code: dict[str, str] = {}  # code → the key that claimed it
    default = _default(default_language, languages)
    if default_language and default is None and default_language != DEFAULT_KEY:
        # pyxform files the plain columns under the settings' default_language: if that
        # names no usable language, they are the form's plain texts, English as in ODK.
        keys = [DEFAULT_KEY if key == default_language else key for key in keys]
    for key in keys:
        if key == DEFAULT_KEY:
            continue
        same = next((k for k in languages.code_of if k.casefold() == key.casefold()), None)
        if same is not None:  # `English` and `english`: one language, spelt twice
            languages.code_of[key] = languages.code_of[same]
            continue
        parsed = parse_language(key)
        if isinstance(parsed, str):
            languages.problems.append(f"language column '{key}': {parsed}")
            continue
        if parsed.code in by_code:
            languages.problems.append(
                f"language columns '{by_code[parsed.code]}' and '{key}' are both "
                f"{parsed.code}: ambiguous; keep one"
            )
            continue
        by_code[parsed.code] = key
        languages.code_of[key] = parsed.code
        languages.ordered.append(parsed)
    if DEFAULT_KEY in keys or not languages.ordered:
        plain = default or FormLanguage("en", "English")
        languages.code_of[DEFAULT_KEY] = plain.code
        if default_language:
            languages.code_of.setdefault(default_language, plain.code)
        if plain.code not in by_code:
            languages.ordered.insert(0, plain)
        default = plain
    if default is not None:
        chosen = next((lang for lang in languages.ordered if lang.code == default.code), None)
        if chosen is not None:
            languages.ordered.remove(chosen)
            languages.ordered.insert(0, chosen)
    return languages


def _default(raw: str | None, languages: FormLanguages) -> FormLanguage | None:
    if not raw or raw == DEFAULT_KEY:
        return None
    parsed = parse_language(raw)
    if isinstance(parsed, str):
        languages.warnings.append(
            f"settings default_language: {parsed}; the plain columns are taken as English"
        )
        return None
    return parsed
