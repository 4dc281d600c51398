"""A spec as readable text in one language, for `mss spec show`.

Expressions are shown in words ("Q consent = 1 (Yes)") so that a reviewer who does not read
the expression language can follow the skip logic.
"""

from __future__ import annotations

from rich.text import Text

from questionnaire_specs.expressions import (
    Arithmetic,
    Call,
    Compare,
    Current,
    Expression,
    Logic,
    Minus,
    Node,
    Not,
    Number,
    Ref,
    String,
    compare,
    format_number,
    precedence,
    quote,
)
from questionnaire_specs.key_factors import key_factor_name
from questionnaire_specs.models import Question, QuestionType, Spec
from questionnaire_specs.piping import PIPED
from questionnaire_specs.piping import shown as shown_answer
from questionnaire_specs.question_types import kind_of

_HEADING = "bold"
_DIM = "dim"


def describe(expression: Expression, spec: Spec, language: str, owner: Question | None) -> str:
    """An expression in words, option codes followed by their labels in `language`."""
    return _describe(expression.tree, spec, language, owner)


def _subject(node: Node, spec: Spec, owner: Question | None) -> Question | None:
    if isinstance(node, Current):
        return owner
    if isinstance(node, Ref):
        try:
            return spec.question(node.name)
        except KeyError:
            return None
    return None


def _code_label(literal: Node, question: Question | None, spec: Spec, language: str) -> str:
    shown = _literal(literal)
    if question is None or not isinstance(literal, Number | String):
        return shown
    for option in spec.options_for(question):
        if compare("=", option.code, literal.value):
            return f"{shown} ({spec.text(option.label, language)})"
    return shown


def _literal(node: Node) -> str:
    if isinstance(node, Number):
        return format_number(node.value)
    if isinstance(node, String):
        return quote(node.value)
    return "?"


def _describe(node: Node, spec: Spec, language: str, owner: Question | None) -> str:
    def part(child: Node, minimum: int) -> str:
        text = _describe(child, spec, language, owner)
        return f"({text})" if precedence(child) < minimum else text

    if isinstance(node, Ref):
        return f"Q {node.name}"
    if isinstance(node, Current):
        return "this answer"
    if isinstance(node, Number | String):
        return _literal(node)
    if isinstance(node, Minus):
        return "-" + part(node.operand, 7)
    if isinstance(node, Not):
        return "not " + part(node.operand, 3)
    if isinstance(node, Logic | Arithmetic):
        rank = precedence(node)
        return f"{part(node.left, rank)} {node.op} {part(node.right, rank + 1)}"
    if isinstance(node, Compare):
        left, right = part(node.left, 5), part(node.right, 5)
        left_subject = _subject(node.left, spec, owner)
        right_subject = _subject(node.right, spec, owner)
        literals = Number | String
        if left_subject is not None and left_subject.is_choice and isinstance(node.right, literals):
            right = _code_label(node.right, left_subject, spec, language)
        elif (
            right_subject is not None
            and right_subject.is_choice
            and isinstance(node.left, literals)
        ):
            left = _code_label(node.left, right_subject, spec, language)
        return f"{left} {node.op} {right}"
    if isinstance(node, Call) and node.name == "column" and isinstance(node.args[0], String):
        column = node.args[0].value
        return "the option's code" if column == "name" else f"the option's {column}"
    if isinstance(node, Call) and node.name not in ("selected", "count-selected", "string-length"):
        return f"{node.name}({', '.join(part(arg, 0) for arg in node.args)})"
    if isinstance(node, Call):
        target = part(node.args[0], 8)
        if node.name == "selected":
            question = _subject(node.args[0], spec, owner)
            code = _code_label(node.args[1], question, spec, language)
            return f"{target} includes {code}"
        if node.name == "count-selected":
            return f"(number chosen in {target})"
        return f"(length of {target})"
    return "?"


def render_spec(spec: Spec, language: str, population: str | None = None) -> list[Text]:
    """Lines of text; raise KeyError for an unknown language or population."""
    spec.language(language)
    chosen = spec.questions_for(population) if population else spec.questions
    wanted = {question.id for question in chosen}
    lines: list[Text] = [Text(spec.text(spec.title, language), style=_HEADING)]
    facts = f"{spec.id} {spec.version} · sha256 {spec.identity.sha256[:16]}… · "
    facts += f"language {language} ({spec.language(language).name})"
    if spec.is_rtl(language):
        facts += ", right to left"
    if population:
        label = spec.text(spec.population(population).label, language)
        facts += f" · population {population} ({label})"
    lines.append(Text(facts, style=_DIM))
    lines.append(Text(spec.text(spec.introduction, language)))
    number = 0
    for heading, relevant, questions in _groups(spec, language):
        shown = [question for question in questions if question.id in wanted]
        if not shown:
            continue
        lines.append(Text(""))
        if heading is not None:
            title = Text(f"== {heading} ==", style=_HEADING)
            if relevant is not None:
                title.append(f"  asked if: {describe(relevant, spec, language, None)}")
            lines.append(title)
        for question in shown:
            number += 1
            lines.extend(_question(number, question, spec, language))
    return lines


def _groups(
    spec: Spec, language: str
) -> list[tuple[str | None, Expression | None, list[Question]]]:
    """(heading, section condition, the section's own questions) in order."""
    if spec.sections is None:
        return [(None, None, spec.questions)]
    groups = []
    for section in spec.sections:
        heading = section.id
        if section.title:
            heading = f"{spec.text(section.title, language)} [{section.id}]"
        groups.append((heading, section.relevant_expression, list(section.questions)))
    return groups


def _piped(text: str) -> str:
    """A text as a reviewer reads it: each `${q}` (the kiosk shows q's answer there) in the
    words expressions are shown in."""
    return PIPED.sub(lambda match: f"[Q {match.group(1)}]", text)


def _question(number: int, question: Question, spec: Spec, language: str) -> list[Text]:
    facts = [question.type.value]
    if question.type is QuestionType.LIKERT and question.scale:
        facts[0] += f" ({question.scale})"
    if question.required:
        facts.append("required")
    elif question.required_when is not None:
        facts.append("conditionally required")  # the condition: its own line
    if question.read_only:
        facts.append("read-only")
    if question.disclosure is not None:
        facts.append(question.disclosure.value)
    if question.key_factor is not None:
        name = key_factor_name(question.key_factor, language)
        facts.append(f"key factor {question.key_factor}: {name}")
    head = Text(f"{number}. ", style=_HEADING)
    head.append(question.id, style=_HEADING)
    head.append(" · " + " · ".join(facts), style=_DIM)
    lines = [head, Text("   " + _piped(spec.text(question.label, language)))]
    if question.help:
        lines.append(Text(f"   help: {_piped(spec.text(question.help, language))}", style=_DIM))
    for option in spec.options_for(question):
        marks = [
            mark
            for mark, on in (
                ("non-substantive", option.non_substantive),
                ("exclusive", option.exclusive),
            )
            if on
        ]
        suffix = f"  ({', '.join(marks)})" if marks else ""
        if option.columns:  # what the question's choice_filter reads
            suffix += "  [" + ", ".join(f"{k}={v}" for k, v in option.columns.items()) + "]"
        lines.append(Text(f"     {option.code}  {spec.text(option.label, language)}{suffix}"))
    for line in kind_of(question).describe(question):
        lines.append(Text(f"   {line}", style=_DIM))
    if question.default is not None:
        shown = shown_answer(question.id, question.default, spec.choice_labels(language))
        lines.append(Text(f"   starts with: {shown}", style=_DIM))
    if question.populations is not None:
        lines.append(Text(f"   populations: {', '.join(question.populations)}", style=_DIM))
    if question.relevant_expression is not None:
        # The question's own condition: the section's is shown on the section heading.
        rule = describe(question.relevant_expression, spec, language, question)
        lines.append(Text(f"   asked if: {rule}"))
    if question.required_when_expression is not None:
        rule = describe(question.required_when_expression, spec, language, None)
        lines.append(Text(f"   required if: {rule}"))
    if question.choice_filter_expression is not None:
        rule = describe(question.choice_filter_expression, spec, language, None)
        lines.append(Text(f"   options offered if: {rule}"))
    if question.constraint_expression is not None:
        rule = describe(question.constraint_expression, spec, language, question)
        message = _piped(spec.text(question.constraint_message, language))
        lines.append(Text(f"   must hold: {rule} — “{message}”"))
    if question.hierarchy:
        for level in question.hierarchy:
            groups = "; ".join(
                f"{group.code} {spec.text(group.label, language)} = "
                f"{{{', '.join(str(member) for member in group.members)}}}"
                for group in level.groups
            )
            lines.append(Text(f"   generalised as {level.level}: {groups}", style=_DIM))
    return lines
