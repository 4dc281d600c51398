"""Reading a spec file: YAML with positions, structural validation, then the checks.

Every problem found is reported, structural (pydantic) and semantic (checks.py) alike, each
with the file, the question, the field and the YAML line and column where known.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from questionnaire_specs import models
from questionnaire_specs.checks import (
    Finding,
    Path,
    QuestionEntry,
    SectionEntry,
    SpecView,
    check,
)
from questionnaire_specs.problems import Problem, SpecError

M = TypeVar("M", bound=BaseModel)

_FIELD_NAMES = sorted(
    {
        name
        for model in vars(models).values()
        if isinstance(model, type) and issubclass(model, BaseModel)
        for name, info in model.model_fields.items()
        for name in (info.alias or name,)
    }
)

_PATTERN_MESSAGES = {
    models.SEMVER_PATTERN: "must be a semantic version MAJOR.MINOR.PATCH, like 1.0.0",
    models.SPEC_ID_PATTERN: "must be lower-case letters, digits, '-' and '_'",
    models.QUESTION_ID_PATTERN: "must be a letter followed by letters, digits and '_'",
    r"^[a-z]{2}$": "must be a two-letter ISO 639-1 code, like 'fr'",
}


@dataclass
class Positions:
    """Where each path of the document sits in the YAML text (empty for a plain dict)."""

    values: dict[Path, yaml.Node] = field(default_factory=dict)
    keys: dict[Path, yaml.Node] = field(default_factory=dict)
    duplicates: list[tuple[Path, yaml.Node]] = field(default_factory=list)

    def node(self, path: Path, *, key: bool = False) -> yaml.Node | None:
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            node = self.values.get(path[:end])
            if node is not None:
                return node
        return None


def _positions(root: yaml.Node) -> Positions:
    positions = Positions()
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        positions.values[path] = node
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                child = path + (key_node.value,)
                if key_node.value in seen:
                    positions.duplicates.append((child, key_node))
                seen.add(key_node.value)
                positions.keys[child] = key_node
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, path + (index,)))
    return positions


# --- entry points --------------------------------------------------------------------------


def load_spec(path: str | os.PathLike[str]) -> models.Spec:
    """Load and check a spec file; raise SpecError listing every problem."""
    source = str(path)
    file = FilePath(path)

    def fail(message: str) -> SpecError:
        return SpecError([Problem(source, None, None, message)])

    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a directory, not a spec file") from None
    except PermissionError:
        raise fail("cannot be read: permission denied") from None
    except OSError as error:
        raise fail(f"cannot be read: {error.strerror or error}") from None
    if b"\x00" in data:
        raise fail("is a binary file, not a YAML spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise fail(f"is not UTF-8 text (bad byte at offset {error.start})") from None
    return load_spec_text(text, source)


def load_spec_text(text: str, source: str) -> models.Spec:
    """Check a spec given as YAML text; `source` names it in problems."""
    document, positions = _read_yaml(text.removeprefix("\ufeff"), source)
    return _check(document, source, positions)


def check_spec_document(doc: dict[str, Any], source: str) -> models.Spec:
    """Check a spec given as plain data (e.g. an imported XLSForm), as a file would be."""
    if not isinstance(doc, Mapping):
        raise SpecError([Problem(source, None, None, _not_a_mapping(doc))])
    return _check(doc, source, Positions())


@lru_cache(maxsize=64)
def load_spec_body(body: str | bytes) -> models.Spec:
    """The spec from its canonical JSON body, as registered, served and stored, checked in full.

    Cached: a server or station holds few bodies and reads each one for every response.
    NaN and infinity are refused, as the canonical form never contains them.
    """
    source = "canonical spec body"
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise SpecError([Problem(source, None, None, f"is not canonical JSON: {error}")]) from None
    return check_spec_document(document, source)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# --- YAML ----------------------------------------------------------------------------------


def _read_yaml(text: str, source: str) -> tuple[Any, Positions]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise SpecError([Problem(source, None, None, "is empty, not a questionnaire spec")])
        document = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(part for part in (error.context, error.problem) if part)
        if "flow" in reason:
            reason += " (inside {…} or […], put a text holding ',', '?' or ': ' in quotes)"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SpecError(
            [Problem(source, None, None, f"invalid YAML: {reason}", line, column)]
        ) from None
    except yaml.YAMLError as error:
        raise SpecError([Problem(source, None, None, f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if not isinstance(document, Mapping):
        raise SpecError([Problem(source, None, None, _not_a_mapping(document), 1, 1)])
    return document, _positions(root)


def _not_a_mapping(document: object) -> str:
    kind = {list: "a list", str: "a single text", type(None): "nothing"}.get(
        type(document), f"a {type(document).__name__}"
    )
    return f"holds {kind}, not a questionnaire spec (a mapping with id, version, languages…)"


# --- checking ------------------------------------------------------------------------------


def _check(document: Mapping[str, Any], source: str, positions: Positions) -> models.Spec:
    problems: list[Problem] = []
    for path, _key in positions.duplicates:
        problems.append(
            _problem(
                source,
                document,
                positions,
                path,
                f"{path[-1]!r} appears twice in the same mapping (YAML would keep only the last)",
                key=True,
            )
        )
    spec: models.Spec | None = None
    try:
        spec = models.Spec.model_validate(document)
    except ValidationError as error:
        problems.extend(_structural(error, source, document, positions))
    for finding in check(_view(document)):
        problems.append(_finding(finding, source, document, positions))
    if problems:
        raise SpecError(_ordered(problems))
    assert spec is not None
    return spec


def _ordered(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def _structural(
    error: ValidationError, source: str, document: Mapping[str, Any], positions: Positions
) -> list[Problem]:
    problems = []
    for detail in error.errors():
        path: Path = tuple(detail["loc"])
        kind = detail["type"]
        if path and path[-1] == "[key]":
            path = path[:-1]
            message = f"the key {path[-1]!r} must be text: put it in quotes"
            problems.append(_problem(source, document, positions, path, message, key=True))
            continue
        message = _message(detail, path, positions)
        problems.append(
            _problem(source, document, positions, path, message, key=kind == "extra_forbidden")
        )
    return problems


def _message(detail: Mapping[str, Any], path: Path, positions: Positions) -> str:
    kind, value = detail["type"], detail.get("input")
    if kind == "extra_forbidden":
        name = str(path[-1])
        close = difflib.get_close_matches(name, _FIELD_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {name!r}{hint}"
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        pattern = (detail.get("ctx") or {}).get("pattern")
        return f"{value!r} {_PATTERN_MESSAGES.get(pattern, 'has the wrong form')}"
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind in ("string_type", "str_type") and isinstance(value, bool):
        node = positions.values.get(path)
        written = node.value if isinstance(node, yaml.ScalarNode) else str(value).lower()
        return (
            f"got the boolean {str(value).lower()} from the unquoted word {written!r}: YAML "
            f"reads yes/no/on/off/true/false as booleans; write it in quotes: '{written}'"
        )
    if kind in ("string_type", "str_type") and isinstance(value, int | float):
        return f"{message}; got the number {value!r}: put it in quotes"
    return message


def _view(document: Mapping[str, Any]) -> SpecView:
    """The parts of the document that are structurally sound, each with its path."""
    view = SpecView()
    languages = document.get("languages")
    if isinstance(languages, list):
        valid = [_valid(models.Language, item) for item in languages]
        view.languages = [(("languages", i), v) for i, v in enumerate(valid) if v is not None]
        view.languages_known = all(v is not None for v in valid)
    populations = document.get("populations")
    if isinstance(populations, list):
        for index, item in enumerate(populations):
            population = _valid(models.Population, item)
            if population is not None:
                view.populations.append((("populations", index), population))
    scales = document.get("scales")
    if isinstance(scales, Mapping):
        for name, item in scales.items():
            if isinstance(name, str):
                view.scale_names.add(name)
                scale = _valid(models.Scale, item)
                if scale is not None:
                    view.scales[name] = (("scales", name), scale)
    for name in ("title", "introduction"):
        text = document.get(name)
        if isinstance(text, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in text.items()
        ):
            view.texts.append(((name,), text))
    settings = document.get("settings")
    if isinstance(settings, Mapping):
        view.settings = _valid(models.Settings, settings)
    view.has_sections = document.get("sections") is not None
    view.has_questions = document.get("questions") is not None
    ordinal = 0
    sections = document.get("sections")
    if isinstance(sections, list):
        for index, raw in enumerate(sections):
            path: Path = ("sections", index)
            questions = raw.get("questions") if isinstance(raw, Mapping) else None
            questions = questions if isinstance(questions, list) else []
            head = (
                _valid(models.Section, {**raw, "questions": []})
                if isinstance(raw, Mapping)
                else None
            )
            view.sections.append(SectionEntry(path, head, ordinal, len(questions)))
            for number, item in enumerate(questions):
                view.questions.append(_entry(path + ("questions", number), ordinal, item))
                ordinal += 1
    questions = document.get("questions")
    if isinstance(questions, list):
        for number, item in enumerate(questions):
            view.questions.append(_entry(("questions", number), ordinal, item))
            ordinal += 1
    return view


def _entry(path: Path, ordinal: int, raw: object) -> QuestionEntry:
    question_id = raw.get("id") if isinstance(raw, Mapping) else None
    question, broken = _salvage_question(raw)
    return QuestionEntry(
        path, ordinal, question_id if isinstance(question_id, str) else None, question, broken
    )


def _salvage_question(raw: object) -> tuple[models.Question | None, frozenset[str]]:
    """The question, or failing that the question without its broken fields.

    The broken fields are reported by pydantic already; the rest still deserve checking.
    """
    try:
        return models.Question.model_validate(raw), frozenset()
    except ValidationError as error:
        if not isinstance(raw, Mapping):
            return None, frozenset()
        broken = frozenset(str(detail["loc"][0]) for detail in error.errors() if detail["loc"])
    if broken & {"id", "type"}:
        return None, broken
    repaired = {key: value for key, value in raw.items() if key not in broken}
    if "label" in broken:
        label = raw.get("label")
        repaired["label"] = (
            {k: v for k, v in label.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(label, Mapping)
            else {}
        )
    return _valid(models.Question, repaired), broken


def _valid(model: type[M], raw: object) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


# --- problems --------------------------------------------------------------------------------


def _finding(
    finding: Finding, source: str, document: Mapping[str, Any], positions: Positions
) -> Problem:
    message = finding.message
    if finding.expression_column is None:
        return _problem(source, document, positions, finding.path, message)
    message = f"{message} (column {finding.expression_column} of the expression)"
    problem = _problem(source, document, positions, finding.path, message)
    node = positions.values.get(finding.path)
    if (
        isinstance(node, yaml.ScalarNode)
        and node.style in (None, "", "'", '"')
        and node.start_mark.line == node.end_mark.line
    ):
        # A one-line plain or quoted scalar: the expression's column maps onto the file.
        quote = 1 if node.style in ("'", '"') else 0
        column = node.start_mark.column + quote + finding.expression_column
        return Problem(
            problem.file, problem.question_id, problem.field, message, problem.line, column
        )
    return problem


def _problem(
    source: str,
    document: Mapping[str, Any],
    positions: Positions,
    path: Path,
    message: str,
    *,
    key: bool = False,
) -> Problem:
    question_id, field_name = _describe(path, document)
    node = positions.node(path, key=key)
    line = node.start_mark.line + 1 if node is not None else None
    column = node.start_mark.column + 1 if node is not None else None
    return Problem(source, question_id, field_name, message, line, column)


def _question_prefix(path: Path) -> int:
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        return 2
    if (
        len(path) >= 4
        and path[0] == "sections"
        and isinstance(path[1], int)
        and path[2] == "questions"
        and isinstance(path[3], int)
    ):
        return 4
    return 0


def _lookup(document: Any, path: Path) -> Any:
    for part in path:
        in_mapping = isinstance(document, Mapping) and part in document
        in_list = isinstance(document, list) and isinstance(part, int) and part < len(document)
        if not (in_mapping or in_list):
            return None
        document = document[part]
    return document


def _describe(path: Path, document: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(question id, readable field) for a document path."""
    prefix = _question_prefix(path)
    if prefix:
        question_id = _lookup(document, path[:prefix] + ("id",))
        if isinstance(question_id, str) and question_id:
            return question_id, _format(path[prefix:], document, path[:prefix]) or None
    return None, _format(path, document, ()) or None


def _format(parts: Path, document: Mapping[str, Any], base: Path) -> str:
    text = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            label = str(part)
            if base + parts[:index] == ("sections",):
                section_id = _lookup(document, ("sections", part, "id"))
                label = section_id if isinstance(section_id, str) else label
            text += f"[{label}]"
        else:
            text += ("." if text else "") + str(part)
    return text
