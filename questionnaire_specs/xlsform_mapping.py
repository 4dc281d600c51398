"""pyxform's survey element tree → the spec's sections and questions.

- Groups become sections. A top-level group is one section (its name the id, its label the
  title, its `relevant` the section's). A nested group joins its top-level section: its
  `relevant` is and-ed into each of its questions' (outermost first), its label dropped.
  Questions outside any group, in a form that has groups, are collected run by run into
  untitled sections `section_N`. An empty group is dropped. No groups: a flat question list.
- Types, by what pyxform's type dictionary says they are: select1 → single_choice, select →
  multi_choice, odk:rank → rank (with its choices), int → number (`integer: true`), decimal →
  number, a read-only input → note, a date input → date, range → range (its `parameters`
  start, end, step → min, max, step: whole numbers), calculate → calculate (its
  `calculation` translated like any expression; a calculation without a label is labelled
  with its name; a `bind::type` of int, decimal or string → its `calculation_type`), another
  string input → text
  (`phone number` too: its answer is treated as free text, so scrubbed as personal data).
  What xlsform_refusals.py refuses is refused by row. `default` and `read_only` are mapped
  as xlsform_defaults.py says (a read_only calculation becomes a shown calculate question).
- Names: an XLSForm name that is not a spec id (`q-1`, `âge`, `سؤال`) becomes one (`q_1`,
  `age`, `q_row7`), and the same name in two groups is allowed as XLSForm allows it: the
  second becomes `group_name`. The original name is kept on the question (`name`), and
  expressions are rewritten to the new ids.
- `hint` → `help`; on a note the hint is appended to the label. A hint or constraint message
  missing in a language falls back to the default language's, with a warning; a missing
  label is refused by row. A constraint without a message gets a generic one; a message
  without a constraint is ignored with a warning. Unknown appearances are warnings.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from questionnaire_specs.answer_defaults import default_problem
from questionnaire_specs.models import Question
from questionnaire_specs.xlsform_choices import ChoiceList
from questionnaire_specs.xlsform_defaults import DefaultRefused, default_of, read_only_of
from questionnaire_specs.xlsform_expressions import ExpressionNotSupported, translate_expression
from questionnaire_specs.xlsform_languages import FormLanguages
from questionnaire_specs.xlsform_reading import RowFinder
from questionnaire_specs.xlsform_refusals import (
    VISUAL_APPEARANCES,
    field_refusals,
    refusal_message,
    type_refusal,
)

_SPEC_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# The columns a release adds beside the answers (sync_server/releases: the response's own
# columns, the wave, the channel, the fresh respondent id). An imported question never
# takes one of these names; test_xlsform_release.py checks the list against the release.
RELEASE_COLUMNS = frozenset(
    {
        *("country", "region", "population", "language", "wave", "channel"),
        *("respondent_id", "response_id", "completed_on", "completed", "duration_s"),
        *("duration_min", "complete", "careless"),
    }
)
_SIBLING = re.compile(r"(?<![.\w])\.\./([^\s/,()\[\]'\"=<>!+*|]+)")
_VISUAL_PATTERN = re.compile(r"columns-\d+|w\d+")
_GENERATED = frozenset({"instanceID", "instanceName"})  # pyxform's meta children
_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_FALSE = frozenset({"no", "false", "false()", "0", "n", ""})
_NOT_ACCEPTED = {
    "en": "This answer is not accepted.",
    "fr": "Cette réponse n'est pas acceptée.",
    "es": "Esta respuesta no se acepta.",
    "pt": "Esta resposta não é aceite.",
    "ar": "هذه الإجابة غير مقبولة.",
}


_Group = tuple[str, str | None, int]  # an open group: name, relevant, row


@dataclass(slots=True)
class _Pending:
    """A question or section whose expressions wait for every id to be known."""

    row: int
    data: dict[str, Any]
    relevant: list[tuple[int, str]] = field(default_factory=list)  # (row, XLSForm text)
    constraint: str | None = None
    calculation: str | None = None
    choice_filter: str | None = None
    required_when: str | None = None  # XLSForm's required holding an expression


@dataclass(slots=True)
class _Section:
    id: str | None  # None: a run of ungrouped questions, named later
    row: int
    title: dict[str, str] | None = None
    relevant: str | None = None
    questions: list[_Pending] = field(default_factory=list)


@dataclass(slots=True)
class MappedSurvey:
    sections: list[dict[str, Any]]
    had_groups: bool
    problems: list[str]
    warnings: list[str]


class SurveyMapper:
    """Walks pyxform's tree once, then translates every expression with the final ids."""

    def __init__(
        self, languages: FormLanguages, lists: Mapping[str, ChoiceList], rows: RowFinder
    ) -> None:
        self._languages = languages
        self._lists = lists
        self._rows = rows
        self._problems: list[str] = []
        self._warnings: list[str] = []
        self._ids: dict[str, str] = {}  # XLSForm name → spec id (the first of that name)
        self._taken: set[str] = set()
        self._choice_codes: dict[str, dict[str, int | str]] = {}
        self._aliases: dict[str, dict[int, int]] = {}  # a list's repeated names' later codes
        self._integer_coded: set[str] = set()
        self._sections: list[_Section] = []
        self._had_groups = False

    def map(self, children: list[Mapping[str, Any]]) -> MappedSurvey:
        for child in children:
            self._element(child, [], 1)
        sections = self._finish()
        return MappedSurvey(sections, self._had_groups, self._problems, self._warnings)

    # --- the walk ------------------------------------------------------------------------

    def _element(self, element: Mapping[str, Any], groups: list[_Group], parent_row: int) -> None:
        name = str(element.get("name", ""))
        kind = str(element.get("type", ""))
        own_row = self._rows.row_of(name)
        if own_row is None and kind == "calculate":
            return  # pyxform's helper for a repeat_count: the repeat itself is refused
        row = own_row or parent_row  # what pyxform generates belongs to the row before
        where = f"survey row {row}" if row > 1 else "the form"
        if kind == "group" and (element.get("control") or {}).get("bodyless"):
            # pyxform's meta group: its instanceID is pyxform's; anything else (audit) is not.
            for child in element.get("children", []):
                if child.get("name") not in _GENERATED:
                    self._element(child, groups, row)
            return
        if kind == "group":
            self._group(element, name, row, groups)
            return
        refusal = type_refusal(kind, _type_entry(kind))
        if refusal is not None:
            spelled = self._rows.type_of(row, kind) if own_row else kind
            self._problems.append(f"{where}: {refusal_message(spelled, refusal)}")
            for child in element.get("children", []):  # keep the rows matched
                self._rows.row_of(str(child.get("name", "")))
            return
        question = self._question(element, name, kind, row)
        if question is None:
            return
        # A nested group's relevant, outermost first, named by the group's own row.
        question.relevant = [(at, text) for _, text, at in groups if text] + question.relevant
        if not groups and (not self._sections or self._sections[-1].id is not None):
            self._sections.append(_Section(None, row))
        self._sections[-1].questions.append(question)

    def _group(
        self,
        element: Mapping[str, Any],
        name: str,
        row: int,
        groups: list[_Group],
    ) -> None:
        self._had_groups = True
        for reason in field_refusals(element):
            self._problems.append(f"survey row {row}: {reason}")
        relevant = _bind(element, "relevant")
        if not groups:
            section_id = self._claim(name, row)
            title = self._languages.texts(element.get("label")) or None
            self._sections.append(_Section(section_id, row, title, relevant or None))
            inner: list[_Group] = [(section_id, None, row)]
        else:
            inner = [*groups, (name, relevant or None, row)]
        for child in element.get("children", []):
            self._element(child, inner, row)

    def _question(
        self, element: Mapping[str, Any], name: str, kind: str, row: int
    ) -> _Pending | None:
        where = f"survey row {row}"
        before = len(self._problems)
        entry = _type_entry(kind) or {}
        spec_type = _spec_type(entry, element)
        if spec_type is None:
            spelled = self._rows.type_of(row, kind)
            if spelled in ("select_one", "select_multiple", "select one", "select multiple"):
                self._problems.append(f"{where}: {spelled} needs a list name")
            else:
                self._problems.append(f"{where}: unknown type {spelled!r}")
            return None
        refused = field_refusals(element)
        self._problems += [f"{where}: {reason}" for reason in refused]
        if refused:
            return None
        try:
            read_only = spec_type != "note" and read_only_of(element.get("bind") or {})
        except DefaultRefused as error:
            self._problems.append(f"{where}: {error}")
            return None
        if read_only and _bind(element, "calculate"):
            spec_type = "calculate"  # shown: what ODK shows of a read_only calculation
        elif read_only and not str(element.get("default") or "").strip():
            spec_type, read_only = "note", False
            self._warnings.append(
                f"{where}: read_only without a default or calculation is shown as a note"
            )
        if element.get("choice_filter") and spec_type not in _LISTED_TYPES:
            self._problems.append(
                f"{where}: choice_filter is only for select_one, select_multiple and rank questions"
            )
            return None
        data: dict[str, Any] = {"id": "", "type": spec_type}
        label = self._languages.texts(element.get("label"))
        if spec_type == "calculate" and not label:
            label = {code: name for code in self._languages.codes}  # for the codebook
        hint = self._fallback(element.get("hint"), "hint", where)
        missing = [code for code in self._languages.codes if code not in label]
        if missing:
            self._problems.append(f"{where}: {name!r} has no label in {', '.join(missing)}")
        if spec_type == "note":
            data["label"] = _with_hint(label, hint)
        else:
            data["label"] = label
            if hint:
                data["help"] = hint
            if _bind(element, "required").lower() in _TRUE:
                data["required"] = True
        self._type_details(element, kind, spec_type, data, where)
        try:
            default = default_of(element.get("default"), spec_type, data, kind)
        except DefaultRefused as error:
            self._problems.append(f"{where}: {error}")
        else:
            if default is not None:
                data["default"] = default
        if read_only:
            data["read_only"] = True
        constraint = _bind(element, "constraint")
        message = self._fallback(
            _bind_raw(element, "jr:constraintMsg"), "constraint message", where
        )
        if constraint and spec_type == "note":
            self._problems.append(f"{where}: a note cannot have a constraint")
        elif constraint:
            codes = self._languages.codes
            data["constraint_message"] = message or {
                code: _NOT_ACCEPTED.get(code, _NOT_ACCEPTED["en"]) for code in codes
            }
        elif message:
            self._warnings.append(f"{where}: constraint_message without a constraint is ignored")
        if len(self._problems) != before:
            return None
        spec_id = self._claim(name, row)
        data["id"] = spec_id
        if spec_id != name:
            data["name"] = name
        if "default" in data:
            refusal = _default_refusal(data)
            if refusal is not None:
                self._problems.append(f"{where}: {refusal}")
                return None
        pending = _Pending(
            row,
            data,
            constraint=constraint or None,
            calculation=_bind(element, "calculate") or None,
            choice_filter=str(element.get("choice_filter") or "").strip() or None,
            required_when=_required_when(element) if spec_type != "note" else None,
        )
        relevant = _bind(element, "relevant")
        if relevant:
            pending.relevant.append((row, relevant))
        return pending

    def _type_details(
        self,
        element: Mapping[str, Any],
        kind: str,
        spec_type: str,
        data: dict[str, Any],
        where: str,
    ) -> None:
        appearances = set(str((element.get("control") or {}).get("appearance", "")).split())
        for word in sorted(appearances):
            if word.startswith("search("):
                self._problems.append(
                    f"{where}: appearance {word!r} reads choices from an external file, "
                    "which a station does not have"
                )
            elif word not in VISUAL_APPEARANCES and not _VISUAL_PATTERN.fullmatch(word):
                self._warnings.append(f"{where}: appearance '{word}' is ignored")
        if spec_type in _LISTED_TYPES:
            list_name = str(element.get("itemset") or element.get("list_name") or "")
            choices = self._lists.get(list_name)
            if choices is None:
                self._problems.append(f"{where}: {kind} refers to unknown list '{list_name}'")
                return
            # Copied per question: a YAML dump would turn shared objects into &anchors.
            data["options"] = copy.deepcopy(choices.options)
            data["_codes"] = choices.code_of
            data["_aliases"] = choices.aliases
        elif spec_type == "number":
            data["integer"] = (_type_entry(kind) or {}).get("bind", {}).get("type") == "int"
        elif spec_type == "range":
            self._range(element, data, where)
        elif spec_type == "calculate":
            # XLSForm's bind::type, when the form declares one, says what the value is.
            declared = _CALCULATION_TYPES.get(_bind(element, "type"))
            if declared is not None:
                data["calculation_type"] = declared
        elif spec_type == "text":
            if "multiline" in appearances:
                data["multiline"] = True
            if kind == "phone number":
                data["disclosure"] = "free_text"
                self._warnings.append(
                    f"{where}: asks for a phone number; its answer is free text, scrubbed of "
                    "personal data before any release"
                )

    def _range(self, element: Mapping[str, Any], data: dict[str, Any], where: str) -> None:
        """A range's parameters (pyxform fills ODK's defaults: start=1 end=10 step=1)."""
        parameters = element.get("parameters") or {}
        for name, field_name, default in (
            ("start", "min", "1"),
            ("end", "max", "10"),
            ("step", "step", "1"),
        ):
            text = str(parameters.get(name, default)).strip()
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or not number.is_integer():
                self._problems.append(
                    f"{where}: range {name}={text!r} is not supported (a range takes whole "
                    "numbers: use a decimal question for fractions)"
                )
                return
            data[field_name] = int(number)

    def _fallback(self, value: object, what: str, where: str) -> dict[str, str]:
        texts = self._languages.texts(value)
        if not texts:
            return {}
        default = self._languages.codes[0]
        source = texts.get(default) or next(iter(texts.values()))
        missing = [code for code in self._languages.codes if code not in texts]
        if missing:
            self._warnings.append(
                f"{where}: the {what} has no {', '.join(missing)} text; "
                f"the {default} text is shown instead"
            )
        return {code: texts.get(code, source) for code in self._languages.codes}

    def _claim(self, name: str, row: int) -> str:
        candidate = spec_id_for(name, row)
        if candidate.lower() in RELEASE_COLUMNS:
            # The release adds a column of that name (a KoBo form's own `country`): the
            # question is `q_country`, its original name kept for exports and the codebook.
            candidate = f"q_{candidate}"
        if candidate in self._taken:
            # The same name in another group, as XLSForm allows: prefix the section's id.
            section = next((s.id for s in reversed(self._sections) if s.id), None)
            base = f"{section}_{candidate}" if section else candidate
            candidate, number = base, 2
            while candidate in self._taken:
                candidate, number = f"{base}_{number}", number + 1
        self._taken.add(candidate)
        self._ids.setdefault(name, candidate)
        return candidate

    # --- expressions and assembly --------------------------------------------------------

    def _translate(
        self,
        row: int,
        column: str,
        text: str,
        current: str | None,
        columns: set[str] | None = None,
    ) -> str | None:
        # pyxform writes its own expressions (or_other's) with sibling paths: `../name`.
        text = _SIBLING.sub(lambda m: "${" + m.group(1) + "}", text)
        try:
            return translate_expression(
                text,
                current=current,
                integer_coded=self._integer_coded,
                ids=self._ids,
                choice_codes=self._choice_codes,
                columns=columns,
                aliases=self._aliases,
            )
        except ExpressionNotSupported as error:
            for reason in error.reasons:
                self._problems.append(f"survey row {row}: {column} {reason}")
            return None

    def _finish(self) -> list[dict[str, Any]]:
        for section in self._sections:
            for question in section.questions:
                codes = question.data.pop("_codes", None)
                if codes is not None:
                    self._choice_codes[question.data["id"]] = codes
                aliases = question.data.pop("_aliases", None)
                if aliases:
                    self._aliases[question.data["id"]] = aliases
        finished: list[dict[str, Any]] = []
        for section in self._sections:
            if not section.questions:
                continue  # an empty group asks nothing
            entry: dict[str, Any] = {"id": section.id}
            if section.title:
                entry["title"] = section.title
            if section.relevant:
                relevant = self._translate(section.row, "relevant", section.relevant, None)
                if relevant:
                    entry["relevant"] = relevant
            entry["questions"] = [self._finish_question(q) for q in section.questions]
            finished.append(entry)
        taken = {entry["id"] for entry in finished} | self._taken
        for position, entry in enumerate(finished, start=1):
            if entry["id"] is None:
                candidate = f"section_{position}"
                while candidate in taken:
                    candidate += "_"
                entry["id"] = candidate
                taken.add(candidate)
        return finished

    def _finish_question(self, question: _Pending) -> dict[str, Any]:
        data = question.data
        parts = [self._translate(row, "relevant", text, None) for row, text in question.relevant]
        found = [part for part in parts if part is not None]
        if len(found) == 1:
            data["relevant"] = found[0]
        elif found:
            data["relevant"] = " and ".join(f"({part})" for part in found)
        if question.constraint is not None:
            constraint = self._translate(
                question.row, "constraint", question.constraint, data["id"]
            )
            if constraint is not None:
                data["constraint"] = constraint
        if question.required_when is not None:
            # The same translation as relevance: a condition over the answers before it.
            condition = self._translate(question.row, "required", question.required_when, None)
            if condition is not None:
                data["required_when"] = condition
        if question.calculation is not None:
            calculation = self._translate(question.row, "calculation", question.calculation, None)
            if calculation is not None:
                data["calculation"] = calculation
        if question.choice_filter is not None:
            self._choice_filter(question)
        for name in ("label", "help", "constraint_message"):
            if name in data:
                data[name] = {code: self._piped(text) for code, text in data[name].items()}
        return {key: data[key] for key in _QUESTION_KEYS if key in data}

    def _choice_filter(self, question: _Pending) -> None:
        """XLSForm's choice_filter (`${state} = cf`): its bare names read the choices'
        columns. Where it compares them with one choice question whose names were
        renumbered, the column values become that question's codes, as its answers are."""
        data = question.data
        options = data.get("options") or []
        columns = {key for option in options for key in option.get("columns", {})}
        text = question.choice_filter or ""
        translated = self._translate(question.row, "choice_filter", text, None, columns)
        if translated is None:
            return
        data["choice_filter"] = translated
        names = dict.fromkeys(re.findall(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}", translated))
        chosen = [
            self._choice_codes[name]
            for name in names
            if any(str(code) != choice for choice, code in self._choice_codes.get(name, {}).items())
        ]
        if len(chosen) == 1:
            for option in options:
                option["columns"] = {
                    key: str(chosen[0].get(value, value))
                    for key, value in option.get("columns", {}).items()
                }

    def _piped(self, text: str) -> str:
        """A text's `${name}` (piping) naming the question by its spec id."""
        return _PIPED_NAME.sub(lambda m: "${" + self._ids.get(m.group(1), m.group(1)) + "}", text)


# Any name XLSForm allows inside `${…}` in a text (a spec id is narrower: spec_id_for).
_PIPED_NAME = re.compile(r"\$\{([^{}\s]+)\}")

_QUESTION_KEYS = (
    "id",
    "name",
    "type",
    "label",
    "help",
    "required",
    "required_when",
    "relevant",
    "constraint",
    "constraint_message",
    "options",
    "integer",
    "min",
    "max",
    "step",
    "multiline",
    "calculation",
    "calculation_type",
    "choice_filter",
    "default",
    "read_only",
    "disclosure",
)
# A calculate's bind::type (as pyxform passes it) → its spec calculation_type.
_CALCULATION_TYPES = {"int": "integer", "decimal": "decimal", "string": "text"}


# The types whose options come from a choices list.
_LISTED_TYPES = ("single_choice", "multi_choice", "rank")


def spec_id_for(name: str, row: int) -> str:
    """A spec id for an XLSForm name: letters folded to ASCII, other characters `_`."""
    if _SPEC_ID.fullmatch(name):
        return name
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9_]+", "_", folded).strip("_")
    if not folded:
        return f"q_row{row}"
    return folded if folded[0].isalpha() else f"q_{folded}"


def _type_entry(kind: str) -> Mapping[str, Any] | None:
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    return QUESTION_TYPE_DICT.get(kind)


def _spec_type(entry: Mapping[str, Any], element: Mapping[str, Any]) -> str | None:
    control = entry.get("control", {}).get("tag")
    bind = entry.get("bind", {})
    if element.get("type") == "calculate":
        return "calculate"
    if control == "range":
        return "range"
    if control == "odk:rank":
        return "rank"
    if control == "select1":
        return "single_choice"
    if control == "select":
        return "multi_choice"
    if control != "input":
        return None
    if bind.get("readonly") == "true()":
        return "note"
    types = {"int": "number", "decimal": "number", "string": "text", "date": "date"}
    return types.get(bind.get("type", ""))


def _default_refusal(data: Mapping[str, Any]) -> str | None:
    """Why the rule book refuses the question's default as its answer, or None."""
    try:
        question = Question.model_validate({k: data[k] for k in _QUESTION_KEYS if k in data})
    except ValidationError:
        return None  # the spec checks name what is wrong with the question itself
    problem = default_problem(question, question.options or [])
    return None if problem is None else f"the default is not a valid answer: {problem.detail}"


def _required_when(element: Mapping[str, Any]) -> str | None:
    """The condition of a conditional required; None for yes, no and their spellings."""
    value = _bind(element, "required")
    return None if value.lower() in _TRUE | _FALSE else value


def _bind_raw(element: Mapping[str, Any], key: str) -> object:
    return (element.get("bind") or {}).get(key)


def _bind(element: Mapping[str, Any], key: str) -> str:
    value = _bind_raw(element, key)
    return value.strip() if isinstance(value, str) else ""


def _with_hint(label: dict[str, str], hint: dict[str, str]) -> dict[str, str]:
    if not hint:
        return label
    codes = list(dict.fromkeys([*label, *hint]))
    return {code: "\n\n".join(t for t in (label.get(code), hint.get(code)) if t) for code in codes}
