"""A loaded spec as the JSON document the site's browser runs the questionnaire from.

Everything the respondent's page needs and nothing it does not (no disclosure roles, no
hierarchies): questions in order with their types, options, labels in every language,
settings, and `relevant`/`constraint` as parsed trees (questionnaire_specs/expression_trees.py)
that expressions.js interprets; the browser never parses expression text. response_codec.js
encodes a response from the same document, so the question order and option codes here are
the ones protocol/response_codec.py writes.
"""

from __future__ import annotations

from typing import Any

from questionnaire_specs import Option, Question, QuestionType, Spec
from questionnaire_specs.expression_trees import to_tree

FORMAT = 1
# Option codes are JavaScript numbers in the browser: they must be exact there.
_SAFE_INTEGER = 2**53 - 1


class BrowserSpecError(ValueError):
    """A spec the browser could not run exactly as the station does."""


def _checked_code(question: Question, code: int | str) -> int | str:
    if isinstance(code, int) and abs(code) > _SAFE_INTEGER:
        raise BrowserSpecError(
            f"{question.id}: an option code beyond 2**53 is not exact in a browser"
        )
    return code


def _expression(question: Question, which: str) -> list[Any] | None:
    expression = getattr(question, f"{which}_expression")
    if expression is None:
        return None
    return to_tree(expression.tree)


def _options(question: Question, options: list[Option]) -> list[dict[str, Any]]:
    return [
        _compact(
            {
                "code": _checked_code(question, option.code),
                "label": dict(option.label),
                "non_substantive": option.non_substantive or None,
                "exclusive": option.exclusive or None,
                "columns": dict(option.columns) if option.columns else None,
            }
        )
        for option in options
    ]


def _compact(document: dict[str, Any]) -> dict[str, Any]:
    """Without its empty fields: the page weighs less (absent means None or false)."""
    return {key: value for key, value in document.items() if value is not None}


def _question(question: Question) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": question.id,
        "type": question.type.value,
        "label": dict(question.label),
        "help": dict(question.help) if question.help else None,
        "required": question.required or None,
        # Spec.questions has already folded a section's `relevant` into its questions'.
        "relevant": _expression(question, "relevant"),
        "required_when": _expression(question, "required_when"),
        "constraint": _expression(question, "constraint"),
        "constraint_message": dict(question.constraint_message)
        if question.constraint_message
        else None,
        "populations": list(question.populations) if question.populations is not None else None,
        # the widget's starting answer, and whether it is shown only (site.js)
        "default": question.default,
        "read_only": question.read_only or None,
    }
    if question.type is QuestionType.LIKERT:
        # A scale is written once (`scales`), not again for each of its 40 statements.
        document["scale"] = question.scale
    elif question.is_choice:
        document["options"] = _options(question, question.options or [])
        document["choice_filter"] = _expression(question, "choice_filter")
    if question.type is QuestionType.RANK:
        document["positions"] = question.positions
    if question.type is QuestionType.NUMBER:
        document.update(integer=bool(question.integer), min=question.min, max=question.max)
    if question.type is QuestionType.TEXT:
        document.update(max_length=question.max_length, multiline=bool(question.multiline))
    if question.type in (QuestionType.DATE, QuestionType.RANGE):
        # a date's bounds are "YYYY-MM-DD" text; a range's min, max and step whole numbers
        document.update(min=question.min, max=question.max, step=question.step)
    if question.type is QuestionType.CALCULATE:
        document["calculation"] = _expression(question, "calculation")
    return _compact(document)


def _scales(spec: Spec) -> dict[str, list[dict[str, Any]]]:
    # Only the scales a question uses, by name; a likert question names its scale.
    used = {q.scale: q for q in spec.questions if q.type is QuestionType.LIKERT and q.scale}
    return {name: _options(question, spec.options_for(question)) for name, question in used.items()}


def _sections(spec: Spec) -> list[dict[str, Any]] | None:
    if spec.sections is None:
        return None
    return [
        {
            "id": section.id,
            "title": dict(section.title) if section.title else None,
            "questions": [question.id for question in section.questions],
        }
        for section in spec.sections
    ]


def browser_spec(spec: Spec) -> dict[str, Any]:
    """The JSON-ready document for the browser (plain dicts, lists, str, int, float, bool)."""
    return {
        "format": FORMAT,
        "spec": spec.identity.as_dict(),
        "languages": [language.model_dump(mode="json") for language in spec.languages],
        "title": dict(spec.title),
        "introduction": dict(spec.introduction),
        "populations": [
            {"id": population.id, "label": dict(population.label)}
            for population in spec.populations
        ],
        "settings": spec.settings.model_dump(mode="json"),
        "sections": _sections(spec),
        "scales": _scales(spec),
        "questions": [_question(question) for question in spec.questions],
    }
