"""The checks that relate one part of a spec to another.

They run on a SpecView: the parts of a spec document that passed their own structural
validation, each with its path in the document. A spec with a broken question still has its
other questions checked, so one run reports every problem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from questionnaire_specs.anonymity_settings import SETTINGS, naming_problems
from questionnaire_specs.answer_defaults import default_problem
from questionnaire_specs.expressions import (
    CHOICE_QUESTION,
    Call,
    Compare,
    Current,
    ExpressionError,
    Node,
    Number,
    Ref,
    String,
    as_number,
    compare,
    compile_expression,
    format_number,
    quote,
    walk,
)
from questionnaire_specs.models import (
    KEY_FACTOR_TYPES,
    Disclosure,
    Language,
    Option,
    Population,
    Question,
    QuestionType,
    Scale,
    Section,
    Settings,
)
from questionnaire_specs.piping import piped_references
from questionnaire_specs.question_types import (
    TYPE_FIELDS,
    kind_of,
    range_bounds,
    takes_default,
    types_taking,
)

Path = tuple[str | int, ...]

QUASI_IDENTIFIER_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.LIKERT})


@dataclass(frozen=True)
class Finding:
    """A problem at `path` in the document; `expression_column` is 1-based in an expression."""

    path: Path
    message: str
    expression_column: int | None = None


@dataclass
class QuestionEntry:
    path: Path
    ordinal: int  # position among all questions of the document, valid or not
    id: str | None
    question: Question | None  # None when the question failed structural validation
    broken: frozenset[str] = frozenset()  # fields that failed it (left out of `question`)


@dataclass
class SectionEntry:
    path: Path
    section: Section | None
    first_ordinal: int
    question_count: int


@dataclass
class SpecView:
    languages: list[tuple[Path, Language]] = field(default_factory=list)
    languages_known: bool = False  # False when the language list itself is unusable
    populations: list[tuple[Path, Population]] = field(default_factory=list)
    scale_names: set[str] = field(default_factory=set)
    scales: dict[str, tuple[Path, Scale]] = field(default_factory=dict)
    texts: list[tuple[Path, Mapping[str, str]]] = field(default_factory=list)
    sections: list[SectionEntry] = field(default_factory=list)
    questions: list[QuestionEntry] = field(default_factory=list)
    has_sections: bool = False
    has_questions: bool = False
    settings: Settings | None = None  # None when absent or structurally broken


def check(view: SpecView) -> list[Finding]:
    findings: list[Finding] = []
    findings.extend(_layout(view))
    findings.extend(_languages(view))
    findings.extend(_populations(view))
    findings.extend(_scales(view))
    findings.extend(_texts(view))
    findings.extend(_sections(view))
    findings.extend(_questions(view))
    findings.extend(_anonymity_settings(view))
    return findings


def _anonymity_settings(view: SpecView) -> Iterator[Finding]:
    if view.settings is None:
        return
    questions = [entry.question for entry in view.questions if entry.question is not None]
    if len(questions) != len(view.questions):
        return  # a broken question could be the one named: its own problem is reported
    for setting in SETTINGS:
        names = getattr(view.settings, setting) or []
        for index, why in naming_problems(setting, names, questions):
            yield Finding(("settings", setting, index), why)


# --- the spec as a whole -------------------------------------------------------------------


def _layout(view: SpecView) -> Iterator[Finding]:
    if view.has_sections and view.has_questions:
        yield Finding(("questions",), "a spec has either sections or questions, not both")
    elif not view.has_sections and not view.has_questions:
        yield Finding((), "a spec needs `sections` or `questions`")
    elif not view.questions:
        yield Finding(("sections",) if view.has_sections else ("questions",), "no questions")


def _languages(view: SpecView) -> Iterator[Finding]:
    counts = Counter(language.code for _, language in view.languages)
    for path, language in view.languages:
        if counts[language.code] > 1:
            yield Finding(path + ("code",), f"language {language.code!r} is declared twice")
        if not language.name.strip():
            yield Finding(path + ("name",), "the language name is empty")
    if view.languages_known and not view.languages:
        yield Finding(("languages",), "declare at least one language")


def _populations(view: SpecView) -> Iterator[Finding]:
    counts = Counter(population.id for _, population in view.populations)
    for path, population in view.populations:
        if counts[population.id] > 1:
            yield Finding(path + ("id",), f"population {population.id!r} is declared twice")
        yield from _text(path + ("label",), population.label, view)


def _scales(view: SpecView) -> Iterator[Finding]:
    for path, scale in view.scales.values():
        if not scale.points:
            yield Finding(path + ("points",), "a scale needs points")
        yield from _options(path + ("points",), scale.points, view, multi=False)


def _texts(view: SpecView) -> Iterator[Finding]:
    for path, text in view.texts:
        yield from _text(path, text, view)


def _declared(view: SpecView) -> list[str]:
    return list(dict.fromkeys(language.code for _, language in view.languages))


def _text(path: Path, text: Mapping[str, str] | None, view: SpecView) -> Iterator[Finding]:
    """A text per language: exactly the declared languages, none empty."""
    if text is None or not view.languages_known or not view.languages:
        return
    declared = _declared(view)
    for code in declared:
        if code not in text:
            yield Finding(path + (code,), f"missing the {code!r} text")
        elif not text[code].strip():
            yield Finding(path + (code,), f"the {code!r} text is empty")
    for code in text:
        if code not in declared:
            yield Finding(
                path + (code,),
                f"{code!r} is not a declared language (declared: {', '.join(declared)})",
            )


def _sections(view: SpecView) -> Iterator[Finding]:
    counts = Counter(entry.section.id for entry in view.sections if entry.section)
    for entry in view.sections:
        if entry.section is None:
            continue
        if counts[entry.section.id] > 1:
            yield Finding(entry.path + ("id",), f"section id {entry.section.id!r} is used twice")
        if entry.question_count == 0:
            yield Finding(entry.path + ("questions",), "a section needs at least one question")
        yield from _text(entry.path + ("title",), entry.section.title, view)
        if entry.section.relevant is not None:
            yield from _expression(
                entry.section.relevant,
                path=entry.path + ("relevant",),
                before=entry.first_ordinal,
                owner=None,
                view=view,
            )


# --- questions -----------------------------------------------------------------------------


def _questions(view: SpecView) -> Iterator[Finding]:
    counts = Counter(entry.id for entry in view.questions if entry.id is not None)
    for entry in view.questions:
        if entry.id is not None and counts[entry.id] > 1:
            yield Finding(entry.path + ("id",), f"question id {entry.id!r} is used twice")
        if entry.question is not None:
            yield from _question(entry, view)


def _question(entry: QuestionEntry, view: SpecView) -> Iterator[Finding]:
    question, path = entry.question, entry.path
    assert question is not None
    for name in ("label", "help", "constraint_message"):
        if name not in entry.broken:
            yield from _text(path + (name,), getattr(question, name), view)
            yield from _piping(path + (name,), getattr(question, name), entry, view)
    yield from _fields_for_type(question, path)
    if not entry.broken & {"options", "scale"}:
        yield from _choices(question, path, view)
    yield from _number(question, path)
    if not entry.broken & {"options", "scale", "default"}:
        yield from _default(question, path, view)
    yield from _disclosure(question, path, view)
    if question.key_factor is not None and question.type not in KEY_FACTOR_TYPES:
        yield Finding(
            path + ("key_factor",),
            "key_factor is only for likert, single_choice, multi_choice and number questions",
        )
    if question.populations is not None:
        declared = [population.id for _, population in view.populations]
        if not question.populations:
            yield Finding(path + ("populations",), "an empty population list: never asked")
        for index, population in enumerate(question.populations):
            if view.populations and population not in declared:
                yield Finding(
                    path + ("populations", index),
                    f"unknown population {population!r} (declared: {', '.join(declared)})",
                )
    pair = {"constraint", "constraint_message"}
    if (question.constraint is None) != (question.constraint_message is None) and not (
        entry.broken & pair
    ):
        present = "constraint" if question.constraint is not None else "constraint_message"
        yield Finding(path + (present,), "constraint and constraint_message go together")
    # Only a constraint reads the question's own answer (`.`).
    for name, owner in (
        ("relevant", None),
        ("required_when", None),
        ("constraint", question),
        ("calculation", None),
        ("choice_filter", None),
    ):
        source = getattr(question, name)
        if source is not None:
            yield from _expression(
                source, path=path + (name,), before=entry.ordinal, owner=owner, view=view
            )
    if question.choice_filter is not None and "options" not in entry.broken:
        yield from _filter_columns(question, path + ("choice_filter",))


def _filter_columns(question: Question, path: Path) -> Iterator[Finding]:
    """column('c') in a choice_filter names `name` or a column some option has."""
    try:
        expression = compile_expression(question.choice_filter or "")
    except ExpressionError:
        return  # reported with the expression
    columns = {"name"}.union(*((option.columns or {}) for option in question.options or []))
    for node in walk(expression.tree):
        if not isinstance(node, Call) or node.name != "column":
            continue
        column = node.args[0]
        if not isinstance(column, String):
            yield Finding(path, "column() takes a quoted column name, like 'state'", column.column)
        elif column.value not in columns:
            known = ", ".join(sorted(columns))
            yield Finding(
                path, f"no option has a column {column.value!r} (columns: {known})", column.column
            )


def _fields_for_type(question: Question, path: Path) -> Iterator[Finding]:
    kind = question.type
    if question.required and question.required_when is not None:
        yield Finding(
            path + ("required_when",),
            "required: true and required_when together: keep required_when to require an "
            "answer only when it holds, or required: true to require one always",
        )
    if kind is QuestionType.NOTE:
        if question.required or question.required_when is not None:
            yield Finding(path + ("required",), "a note cannot be required")
        for name in ("help", "constraint", "constraint_message", "disclosure"):
            if getattr(question, name) is not None:
                yield Finding(path + (name,), f"a note has no {name}")
    if kind is QuestionType.CALCULATE:
        if question.required or question.required_when is not None:
            yield Finding(path + ("required",), "a calculation cannot be required")
        if question.calculation is None:
            yield Finding(path + ("calculation",), "a calculate question needs a calculation")
        for name in ("constraint", "constraint_message"):
            if getattr(question, name) is not None:
                yield Finding(path + (name,), f"a calculation has no {name}")
    # Each type-specific field belongs to the types the registry gives it.
    taken = kind_of(kind).fields
    for name in sorted(TYPE_FIELDS - taken, key=_FIELD_ORDER.index):
        if getattr(question, name) is not None:
            types = [t.value for t in types_taking(name)]
            owners = " and ".join([", ".join(types[:-1]), types[-1]] if len(types) > 1 else types)
            yield Finding(path + (name,), f"{name} is only for {owners} questions")


_FIELD_ORDER = [
    "integer", "min", "max", "step", "max_length", "multiline", "calculation", "calculation_type",
    "choice_filter", "positions",
]  # fmt: skip


def _choices(question: Question, path: Path, view: SpecView) -> Iterator[Finding]:
    kind = question.type
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE, QuestionType.RANK):
        if not question.options:
            yield Finding(path + ("options",), f"a {kind.value} question needs options")
        else:
            if question.positions is not None and question.positions > len(question.options):
                yield Finding(
                    path + ("positions",),
                    f"positions is {question.positions}, more than its "
                    f"{len(question.options)} options",
                )
            yield from _options(
                path + ("options",),
                question.options,
                view,
                multi=kind is QuestionType.MULTI_CHOICE,
            )
    elif question.options is not None:
        hint = " (a likert question takes a `scale`)" if kind is QuestionType.LIKERT else ""
        yield Finding(path + ("options",), f"options are only for choice questions{hint}")
    if kind is QuestionType.LIKERT:
        if question.scale is None:
            yield Finding(path + ("scale",), "a likert question needs a scale")
        elif question.scale not in view.scale_names:
            declared = ", ".join(sorted(view.scale_names)) or "none"
            yield Finding(
                path + ("scale",), f"unknown scale {question.scale!r} (declared: {declared})"
            )
    elif question.scale is not None:
        yield Finding(path + ("scale",), "scale is only for likert questions")


def _options(
    path: Path, options: list[Option], view: SpecView, *, multi: bool
) -> Iterator[Finding]:
    counts = Counter(option.code for option in options)
    kinds = {type(option.code) for option in options}
    if len(kinds) > 1:
        yield Finding(path, "option codes mix numbers and text: use one kind")
    for index, option in enumerate(options):
        if counts[option.code] > 1:
            yield Finding(path + (index, "code"), f"option code {option.code!r} is used twice")
        yield from _text(path + (index, "label"), option.label, view)
        if option.exclusive and not multi:
            yield Finding(path + (index, "exclusive"), "exclusive is only for multi_choice")


def _number(question: Question, path: Path) -> Iterator[Finding]:
    bounds = kind_of(question).bounds
    if bounds is None:
        return
    low, high = question.min, question.max
    wanted = "a YYYY-MM-DD date" if bounds == "date" else "a number"
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and isinstance(bound, str) != (bounds == "date"):
            yield Finding(path + (name,), f"{name} of a {question.type.value} question is {wanted}")
            return
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        yield Finding(path + ("min",), f"min {low} is greater than max {high}")
    if question.type is QuestionType.RANGE:
        yield from _range(question, path)
    elif question.integer:
        for name, bound in (("min", low), ("max", high)):
            if isinstance(bound, float) and not bound.is_integer():
                yield Finding(path + (name,), f"{name} of a whole-number question is {bound}")


def _range(question: Question, path: Path) -> Iterator[Finding]:
    """A slider's start, end and step: whole numbers, the end a whole number of steps on."""
    for name in ("min", "max", "step"):
        bound = getattr(question, name)
        if bound is None:
            yield Finding(path + (name,), f"a range question needs {name}")
            return
        if isinstance(bound, float) and not bound.is_integer():
            yield Finding(path + (name,), f"{name} of a range question is a whole number")
            return
    low, high, step = range_bounds(question)
    if step <= 0:
        yield Finding(path + ("step",), "step of a range question is at least 1")
    elif (high - low) % step:
        yield Finding(path + ("max",), f"max {high} is not a whole number of steps from min {low}")
    elif (high - low) // step > 10_000:
        yield Finding(path + ("step",), "a range question has at most 10000 steps")


def _default(question: Question, path: Path, view: SpecView) -> Iterator[Finding]:
    if question.read_only:
        if question.type is QuestionType.NOTE:
            yield Finding(path + ("read_only",), "a note is read-only already")
        elif question.default is None and question.type is not QuestionType.CALCULATE:
            yield Finding(
                path + ("read_only",),
                "a read_only question shows its default: give one (or make it a note)",
            )
    if question.default is None:
        return
    if not takes_default(question):
        yield Finding(path + ("default",), f"a {question.type.value} question takes no default")
        return
    problem = default_problem(question, _options_of(question, view))
    if problem is not None:
        yield Finding(path + ("default",), f"the default is not a valid answer: {problem.detail}")


def _options_of(question: Question, view: SpecView) -> list[Option]:
    if question.type is QuestionType.LIKERT:
        scale = view.scales.get(question.scale or "")
        return list(scale[1].points) if scale else []
    return list(question.options or [])


def _disclosure(question: Question, path: Path, view: SpecView) -> Iterator[Finding]:
    role = question.disclosure
    if question.discloses is not None:
        yield from _discloses(question, path + ("discloses",), view)
    if role is Disclosure.FREE_TEXT and question.type is not QuestionType.TEXT:
        yield Finding(path + ("disclosure",), "free_text is only for text questions")
    if role is Disclosure.QUASI_IDENTIFIER:
        if question.type not in QUASI_IDENTIFIER_TYPES:
            yield Finding(
                path + ("disclosure",),
                "a quasi_identifier is a single_choice or likert question "
                "(its hierarchy groups answer codes)",
            )
        elif not question.hierarchy:
            yield Finding(path + ("hierarchy",), "a quasi_identifier needs a hierarchy")
        else:
            yield from _hierarchy(question, path, view)
    elif question.hierarchy is not None:
        yield Finding(path + ("hierarchy",), "a hierarchy is only for a quasi_identifier")


def _discloses(question: Question, path: Path, view: SpecView) -> Iterator[Finding]:
    """`discloses`: the answers of a sensitive choice question whose disclosure harms."""
    if question.disclosure is not Disclosure.SENSITIVE or not question.is_choice:
        yield Finding(path, "discloses is only for a sensitive choice question")
        return
    if not question.discloses:
        yield Finding(path, "an empty discloses list protects nothing: leave it out")
    codes = {(type(o.code), o.code) for o in _options_of(question, view)}
    seen: set[tuple[type, int | str]] = set()
    for index, code in enumerate(question.discloses or []):
        key = (type(code), code)
        if key in seen:
            yield Finding(path + (index,), f"code {code!r} is named twice")
        elif codes and key not in codes:
            known = ", ".join(str(o.code) for o in _options_of(question, view))
            yield Finding(path + (index,), f"{code!r} is not one of its codes ({known})")
        seen.add(key)


def _hierarchy(question: Question, path: Path, view: SpecView) -> Iterator[Finding]:
    assert question.hierarchy is not None
    below = [option.code for option in _options_of(question, view)]
    if not below:
        return  # the missing options or scale are reported already
    names = Counter(level.level for level in question.hierarchy)
    what = "answer code"
    for index, level in enumerate(question.hierarchy):
        where = path + ("hierarchy", index)
        if names[level.level] > 1:
            yield Finding(where + ("level",), f"level name {level.level!r} is used twice")
        codes = Counter(group.code for group in level.groups)
        owner: dict[object, object] = {}
        for group_index, group in enumerate(level.groups):
            group_path = where + ("groups", group_index)
            if codes[group.code] > 1:
                yield Finding(group_path + ("code",), f"group code {group.code!r} is used twice")
            yield from _text(group_path + ("label",), group.label, view)
            if not group.members:
                yield Finding(group_path + ("members",), "a group needs members")
            for member in group.members:
                if member not in below:
                    yield Finding(
                        group_path + ("members",), f"{member!r} is not an {what} of the level below"
                    )
                elif member in owner:
                    yield Finding(
                        group_path + ("members",),
                        f"{member!r} is in two groups ({owner[member]!r} and {group.code!r})",
                    )
                else:
                    owner[member] = group.code
        missing = [code for code in below if code not in owner]
        if missing:
            listed = ", ".join(repr(code) for code in missing)
            yield Finding(where + ("groups",), f"{listed} belong to no group of {level.level}")
        if len(level.groups) >= len(below):
            yield Finding(
                where + ("groups",),
                f"level {level.level} has {len(level.groups)} groups for {len(below)} codes "
                "below: each level must have fewer groups than the one below",
            )
        below = list(dict.fromkeys(group.code for group in level.groups))
        what = "group code"


def _piping(
    path: Path, text: Mapping[str, str] | None, entry: QuestionEntry, view: SpecView
) -> Iterator[Finding]:
    """A `${q}` shown in a text names an earlier question with an answer, as a reference in
    an expression does (piping.py shows it)."""
    known = _known(view)
    for code, words in (text or {}).items():
        for name in sorted(piped_references(words)):
            for finding in _reference(Ref(name), path + (code,), entry.ordinal, None, known):
                yield Finding(finding.path, finding.message)  # a text has no expression column


# --- expressions ---------------------------------------------------------------------------


def _known(view: SpecView) -> dict[str, QuestionEntry]:
    known: dict[str, QuestionEntry] = {}
    for entry in view.questions:
        if entry.id is not None:
            known.setdefault(entry.id, entry)  # a duplicate id is reported on its own
    return known


def _expression(
    text: str, *, path: Path, before: int, owner: Question | None, view: SpecView
) -> Iterator[Finding]:
    """Parse and type-check: `before` is the ordinal every reference must precede."""
    try:
        expression = compile_expression(text)
    except ExpressionError as error:
        yield Finding(path, f"syntax error: {error.reason}", error.column)
        return
    known = _known(view)
    for node in walk(expression.tree):
        if isinstance(node, Ref):
            yield from _reference(node, path, before, owner, known)
        elif isinstance(node, Current) and owner is None:
            yield Finding(
                path, "'.' (the answer itself) is only allowed in a constraint", node.column
            )
        elif isinstance(node, Call):
            yield from _call(node, path, before, owner, known, view)
        elif isinstance(node, Compare):
            yield from _comparison(node, path, before, owner, known, view)


def _reference(
    node: Ref,
    path: Path,
    before: int,
    owner: Question | None,
    known: dict[str, QuestionEntry],
) -> Iterator[Finding]:
    entry = known.get(node.name)
    if entry is None:
        yield Finding(path, f"unknown question ${{{node.name}}}", node.column)
    elif owner is not None and node.name == owner.id:
        yield Finding(path, "use '.' for the question's own answer", node.column)
    elif entry.ordinal == before:
        yield Finding(path, f"${{{node.name}}} refers to this question itself", node.column)
    elif entry.ordinal > before:
        yield Finding(
            path,
            f"${{{node.name}}} is asked later: a reference must point to an earlier question",
            node.column,
        )
    elif entry.question is not None and entry.question.type is QuestionType.NOTE:
        yield Finding(path, f"${{{node.name}}} is a note: it has no answer", node.column)


def _subject(
    node: Node,
    before: int,
    owner: Question | None,
    known: dict[str, QuestionEntry],
) -> tuple[str, Question] | None:
    """The question a node stands for (a usable reference or '.'), else None."""
    if isinstance(node, Current) and owner is not None:
        return "this answer", owner
    if isinstance(node, Ref):
        entry = known.get(node.name)
        if entry is not None and entry.question is not None and entry.ordinal < before:
            return f"${{{node.name}}}", entry.question
    return None


def _code_problem(literal: Node, name: str, question: Question, view: SpecView) -> str | None:
    if not isinstance(literal, Number | String):
        return None
    codes = [option.code for option in _options_of(question, view)]
    if not codes or any(compare("=", code, literal.value) for code in codes):
        return None
    shown = format_number(literal.value) if isinstance(literal, Number) else repr(literal.value)
    listed = ", ".join(str(code) for code in dict.fromkeys(codes))
    return f"{shown} is not a code of {name} (its codes: {listed})"


def _call(
    node: Call,
    path: Path,
    before: int,
    owner: Question | None,
    known: dict[str, QuestionEntry],
    view: SpecView,
) -> Iterator[Finding]:
    if node.name == "jr:choice-name":
        yield from _choice_name(node, path, known, view)
        return
    if node.name == "column" and path[-1] != "choice_filter":
        yield Finding(
            path, "column() reads an option's column: only in a choice_filter", node.column
        )
        return
    if node.name in _NUMBER_FUNCTIONS:
        yield from _number_arguments(node, path, before, owner, known)
        return
    if node.name not in ("selected", "count-selected", "selected-at"):
        return
    target = node.args[0]
    if not isinstance(target, Ref | Current):
        yield Finding(path, f"{node.name}() takes a question, like ${{q}}", target.column)
        return
    subject = _subject(target, before, owner, known)
    if subject is None:
        return  # an unknown or later reference is reported on its own
    name, question = subject
    if not question.is_choice:
        yield Finding(
            path,
            f"{node.name}() needs a choice question; {name} is a {question.type.value} question",
            target.column,
        )
        return
    if node.name == "selected":
        code = node.args[1]
        if not isinstance(code, Number | String):
            yield Finding(path, "selected() takes a code as its second argument", code.column)
            return
        problem = _code_problem(code, name, question, view)
        if problem:
            yield Finding(path, problem, code.column)


# The functions of one number: a multi_choice or rank answer (a list) or a word is none.
_NUMBER_FUNCTIONS = frozenset({"int", "round", "floor", "ceiling", "abs"})


def _number_arguments(
    node: Call,
    path: Path,
    before: int,
    owner: Question | None,
    known: dict[str, QuestionEntry],
) -> Iterator[Finding]:
    for argument in node.args:
        if isinstance(argument, String) and as_number(argument.value) is None:
            yield Finding(
                path,
                f"{node.name}() takes a number; {quote(argument.value)} is not one",
                argument.column,
            )
        subject = _subject(argument, before, owner, known)
        if subject is not None and kind_of(subject[1]).listed:
            yield Finding(
                path,
                f"{node.name}() takes a number; {subject[0]} is a "
                f"{subject[1].type.value} question "
                "(use count-selected(), selected-at() or sum())",
                argument.column,
            )


def _choice_name(
    node: Call, path: Path, known: dict[str, QuestionEntry], view: SpecView
) -> Iterator[Finding]:
    """jr:choice-name(code, '${q}'): q is a choice question (asked anywhere: its options,
    not its answer, are read), and a literal code is one of its codes."""
    named = node.args[1]
    match = CHOICE_QUESTION.fullmatch(named.value) if isinstance(named, String) else None
    if match is None:  # pragma: no cover - the parser allows nothing else
        return
    entry = known.get(match.group(1))
    if entry is None:
        yield Finding(path, f"unknown question {named.value}", named.column)
        return
    if entry.question is None:
        return  # a broken question is reported on its own
    if not entry.question.is_choice:
        yield Finding(
            path,
            f"jr:choice-name() needs a choice question; {named.value} is a "
            f"{entry.question.type.value} question",
            named.column,
        )
        return
    problem = _code_problem(node.args[0], named.value, entry.question, view)
    if problem:
        yield Finding(path, problem, node.args[0].column)


def _comparison(
    node: Compare,
    path: Path,
    before: int,
    owner: Question | None,
    known: dict[str, QuestionEntry],
    view: SpecView,
) -> Iterator[Finding]:
    for side, other in ((node.left, node.right), (node.right, node.left)):
        # selected-at(${q}, n) is one of q's codes: compared as a single answer of q.
        one_code = isinstance(side, Call) and side.name == "selected-at"
        target = side.args[0] if isinstance(side, Call) and one_code else side
        subject = _subject(target, before, owner, known)
        if subject is None:
            continue
        name, question = subject
        if kind_of(question).listed and not one_code:
            yield Finding(
                path,
                f"{name} is a {question.type.value} question: use selected({_shown(side)}, code) "
                "or count-selected()",
                side.column,
            )
        elif question.is_choice:
            problem = _code_problem(other, name, question, view)
            if problem:
                yield Finding(path, problem, other.column)


def _shown(node: Node) -> str:
    return "." if isinstance(node, Current) else "${" + node.name + "}"  # type: ignore[union-attr]
