"""The codebook of a release: per variable its name, question text per language, type, answer
codes with labels (non-substantive marked), key factor, disclosure role and the treatment
the anonymiser applied. Written as codebook.json (for programs) and codebook.md (for people).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from questionnaire_specs import KEY_FACTORS, Question, Spec
from questionnaire_specs.question_types import kind_of

# Variables that are not questions. Their labels are given in English for every language
# (the spec has no text for them).
FIXED_VARIABLES: dict[str, tuple[str, str]] = {
    "respondent_id": ("text", "Respondent id: fresh and random, shared by the national and "
                      "pooled releases of the same wave, never derived from a source id"),
    "country": ("text", "Country (ISO 3166 alpha-2)"),
    "region": ("text", "Region of the survey station"),
    "population": ("text", "Population surveyed (officials or private_sector)"),
    "language": ("text", "Language the questionnaire was answered in"),
    "completed_on": ("period", "Period of completion (month YYYY-MM or quarter YYYY-Qn)"),
    "completed": ("period", "Period of completion (month YYYY-MM or quarter YYYY-Qn)"),
    "duration_min": ("number", "Time taken to answer, in whole minutes"),
    "duration_s": ("number", "Time taken to answer"),
    "complete": ("flag", "The respondent reached the end of the questionnaire (1) or not (0)"),
    "careless": ("text", "Data quality: straight_liner (one answer to every statement), "
                 "speeder (under {floor} s a question answered), both, or empty"),
    "channel": ("text", "How the response came in: station (a kiosk tablet) or site (online)"),
}  # fmt: skip
MULTI_SEPARATOR = "_"
SELECTED_LABELS = {0: "not selected", 1: "selected"}


@dataclass(frozen=True)
class Variable:
    name: str
    label: dict[str, str]
    type: str  # code, multi_choice_option, rank_position, number, text, period, flag
    question: str | None = None
    question_type: str | None = None
    codes: list[dict[str, Any]] = field(default_factory=list)
    key_factor: int | None = None
    disclosure: str | None = None
    treatment: str = ""

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or next(iter(self.label.values()))

    def value_labels(self, lang: str) -> dict[int, str]:
        """Integer codes to their labels in `lang` (what SPSS and Stata can carry)."""
        return {
            code["code"]: code["label"].get(lang) or code["label"].get("en", "")
            for code in self.codes
            if type(code["code"]) is int
        }

    def non_substantive(self) -> list[int]:
        return [
            c["code"] for c in self.codes if c.get("non_substantive") and type(c["code"]) is int
        ]

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type}
        if self.question is not None:
            document["question"] = self.question
            document["question_type"] = self.question_type
        if self.codes:
            document["codes"] = self.codes
        document["key_factor"] = (
            {"number": self.key_factor, "name": KEY_FACTORS[self.key_factor]}
            if self.key_factor
            else None
        )
        document["disclosure"] = self.disclosure
        document["treatment"] = self.treatment
        return document


# What the anonymiser writes in a recoded variable's treatment note (anonymiser._treatments).
_GENERALISED = re.compile(r"generalised to ([A-Za-z0-9][A-Za-z0-9_-]*)")


def _codes(spec: Spec, question: Question, level: str | None = None) -> list[dict[str, Any]]:
    """The answer codes, or those of the hierarchy level the variable is released at: a
    recoded age holds age_3's codes, and "1" there is "18–34", not the answer "18–24"."""
    for step in question.hierarchy or []:
        if level is not None and step.level == level:
            return [
                {"code": g.code, "label": dict(g.label), "non_substantive": False}
                for g in step.groups
            ]
    # An imported option's own name (XLSForm's, when it is not the code) is kept beside it.
    return [
        {"code": o.code, "label": dict(o.label), "non_substantive": o.non_substantive}
        | ({"name": o.name} if o.name is not None else {})
        for o in spec.options_for(question)
    ]


def released_level(question: Question, treatment: str, levels: dict[str, str] | None) -> str | None:
    """The hierarchy level a question is released at: from the treated file's recodings, or
    else from its treatment note."""
    if levels is not None:
        return levels.get(question.id)
    found = _GENERALISED.search(treatment)
    known = {step.level for step in question.hierarchy or []}
    return found.group(1) if found and found.group(1) in known else None


def _question_variable(
    spec: Spec, question: Question, treatment: str, level: str | None = None
) -> Variable:
    release = kind_of(question).release(question, spec)
    kind = _VARIABLE_TYPES.get(release or "", "code")
    return Variable(
        name=question.id,
        label=dict(question.label),
        type=kind,
        question=question.id,
        question_type=question.type.value,
        codes=_codes(spec, question, level) if question.is_choice else [],
        key_factor=question.key_factor,
        disclosure=question.disclosure.value if question.disclosure else None,
        treatment=treatment,
    )


# A question type's release kind (questionnaire_specs/question_types.py) -> variable type.
_VARIABLE_TYPES = {"integer": "number", "decimal": "number", "text": "text", "date": "period"}


def option_column(question_id: str, code: int | str) -> str:
    return f"{question_id}{MULTI_SEPARATOR}{code}"


def _option_variables(spec: Spec, question: Question, treatment: str) -> list[Variable]:
    """A multi_choice question becomes one 0/1 variable per option (what analysts tabulate);
    a rank question one variable per option holding its position, 1 for the first ranked
    (what SPSS and Stata users expect of a ranking)."""
    ranks = kind_of(question).release(question) == "ranks"
    variables = []
    for option in spec.options_for(question):
        label = {
            lang: f"{text} — {option.label.get(lang) or option.label.get('en', '')}"
            for lang, text in question.label.items()
        }
        variables.append(
            Variable(
                name=option_column(question.id, option.code),
                label=label,
                type="rank_position" if ranks else "multi_choice_option",
                question=question.id,
                question_type=question.type.value,
                codes=[]
                if ranks
                else [
                    {"code": code, "label": {"en": text}, "non_substantive": False}
                    for code, text in SELECTED_LABELS.items()
                ],
                key_factor=question.key_factor,
                disclosure=question.disclosure.value if question.disclosure else None,
                treatment=treatment
                + ("; 'prefer not to answer'-type option" if option.non_substantive else ""),
            )
        )
    return variables


def variables_for(
    spec: Spec,
    columns: list[str],
    treatments: dict[str, str],
    levels: dict[str, str] | None = None,
) -> list[Variable]:
    """The variables of a release, in the order of the treated frame's columns (multi_choice
    and rank questions expanded into their options). `levels`: the treated file's recodings
    (variable -> hierarchy level released); a recoded variable's codes and labels are its
    level's."""
    answered = {q.id: q for q in spec.questions if q.is_answered}
    variables: list[Variable] = []
    for column in columns:
        treatment = treatments.get(column, "kept as collected")
        question = answered.get(column)
        if question is not None and kind_of(question).release(question) in ("codes", "ranks"):
            variables.extend(_option_variables(spec, question, treatment))
        elif question is not None:
            level = released_level(question, treatment, levels)
            variables.append(_question_variable(spec, question, treatment, level))
        else:
            kind, text = FIXED_VARIABLES.get(column, ("text", column))
            # the speeder floor is the spec's own (settings.speeder_seconds_per_answer)
            text = text.replace("{floor}", f"{spec.settings.speeder_floor:g}")
            variables.append(
                Variable(
                    name=column,
                    label={"en": text},
                    type=kind,
                    disclosure=_fixed_role(column),
                    treatment=treatment,
                )
            )
    return variables


def _fixed_role(column: str) -> str | None:
    return "quasi_identifier" if column in ("country", "region", "population", "language") else None


def codebook_json(
    spec: Spec,
    variables: list[Variable],
    *,
    release: dict[str, Any],
    quasi_identifiers: list[str],
) -> dict[str, Any]:
    return {
        "spec": {"id": spec.id, "version": spec.version, "title": dict(spec.title)},
        "languages": spec.language_codes,
        "release": release,
        "k_anonymity": spec.settings.k_anonymity,
        "quasi_identifiers": quasi_identifiers,
        "missing_values": (
            "An empty cell is a question not asked or not answered, or a value the "
            "anonymiser suppressed; non-substantive codes (don't know, prefer not to answer) "
            "are marked in `codes` and are user-missing in the SPSS file."
        ),
        "variables": [variable.to_json() for variable in variables],
    }


def dumps(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(document: dict[str, Any], lang: str) -> str:
    spec = document["spec"]
    release = document["release"]
    title = spec["title"].get(lang) or spec["title"].get("en", spec["id"])
    lines = [
        f"# Codebook — {title}",
        "",
        f"Spec `{spec['id']}` {spec['version']}; wave {release['wave']}; "
        f"{release['scope']} release"
        + (f" for {release['country']}" if release.get("country") else " (all countries)")
        + f"; {release['rows']} respondents; labels in `{lang}`.",
        "",
        f"k-anonymity: every combination of the quasi-identifiers "
        f"({', '.join(document['quasi_identifiers'])}) is shared by at least "
        f"{document['k_anonymity']} respondents (a blank counted as its own value).",
        "",
        document["missing_values"],
        "",
        "| variable | type | question | key factor | disclosure | treatment |",
        "|---|---|---|---|---|---|",
    ]
    for variable in document["variables"]:
        label = variable["label"].get(lang) or variable["label"].get("en", "")
        factor = variable.get("key_factor")
        factor_text = (
            f"{factor['number']} {factor['name'].get(lang) or factor['name']['en']}"
            if factor
            else ""
        )
        lines.append(
            f"| `{variable['name']}` | {variable['type']} | {_cell(label)} | {_cell(factor_text)}"
            f" | {variable.get('disclosure') or ''} | {_cell(variable['treatment'])} |"
        )
    lines += ["", "## Answer codes", ""]
    for variable in document["variables"]:
        if not variable.get("codes") or variable["type"] == "multi_choice_option":
            continue
        lines.append(f"### `{variable['name']}`")
        lines.append("")
        texts = variable["label"]
        for language in document["languages"]:
            if language in texts:
                lines.append(f"- {language}: {_cell(texts[language])}")
        lines.append("")
        for code in variable["codes"]:
            label = code["label"].get(lang) or code["label"].get("en", "")
            mark = " *(non-substantive)*" if code.get("non_substantive") else ""
            lines.append(f"- `{code['code']}` {_cell(label)}{mark}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
