"""What a calculation yields, read from its expression: the column kind it is released as.

A calculation's value is stored as text ("4", "2.5", "true"), as XLSForm keeps it; a release
wants the number. The kind is decided from the expression alone (never from the data, so
every wave of a spec releases one type), as XPath types it:

- `integer`: a whole-number literal; `int()`, `count-selected()`, `string-length()`,
  `floor()`, `ceiling()`, `round(x)` (and `round(x, places)` with places ≤ 0); `+ - * mod`,
  `abs()`, `min()`, `max()`, `number()`, `sum()` of integers; a reference to an integer
  number, a range, a choice question with integer codes or an integer calculation;
- `decimal`: any other number (`/` always: XPath's div is real division);
- `text`: everything else — text, a `multi_choice` answer ("1 3"), a code that is text,
  a truth value ("true"), `concat()`, `jr:choice-name()`, `selected-at()`…

`if()` and `coalesce()` take the kind of their branches (a quoted '' is XLSForm's empty and
does not count). The calculate question's declared `calculation_type` (XLSForm's
`bind::type`) wins over all this: question_types.py's `release` reads this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from questionnaire_specs.expressions import (
    Arithmetic,
    Call,
    Minus,
    Node,
    Number,
    Ref,
    String,
)

if TYPE_CHECKING:
    from questionnaire_specs.models import Question, Spec

INTEGER, DECIMAL, TEXT = "integer", "decimal", "text"
_EMPTY = "empty"  # XLSForm's '' in a branch: no kind of its own
_INTEGER_CODES = "integer codes"  # a multi_choice answer of integer codes: text but to sum()
_WHOLE = frozenset({"int", "count-selected", "string-length", "floor", "ceiling"})
_SAME_NUMBER = frozenset({"abs", "number", "min", "max", "sum"})  # integer if all integer
_BRANCHES = {"if": slice(1, None), "coalesce": slice(0, None)}

RefKind = Callable[[str], str]  # a referenced question's id → the kind of its value


def calculation_kind(question: Question, spec: Spec | None = None) -> str:
    """The release kind of a calculate question (see the module docstring)."""
    if question.calculation_type is not None:
        return question.calculation_type
    expression = question.calculation_expression
    if expression is None:
        return TEXT
    found = node_kind(expression.tree, _ref_kinds(spec))
    return found if found in (INTEGER, DECIMAL) else TEXT


def _ref_kinds(spec: Spec | None) -> RefKind:
    def kind(name: str) -> str:
        if spec is None:
            return DECIMAL  # a number of unknown kind: arithmetic on it is still a number
        try:
            question = spec.question(name)
        except KeyError:
            return TEXT
        return answer_kind(question, spec)

    return kind


def answer_kind(question: Question, spec: Spec) -> str:
    """The kind of a question's value as an expression reads it."""
    from questionnaire_specs.question_types import kind_of

    release = kind_of(question).release(question, spec)
    if release in (INTEGER, DECIMAL):
        return release
    if release in ("code", "codes"):
        codes = [option.code for option in spec.options_for(question)]
        if codes and all(type(code) is int for code in codes):
            return INTEGER if release == "code" else _INTEGER_CODES
    return TEXT


def node_kind(node: Node, ref_kind: RefKind) -> str:
    """The kind of the value `node` yields (`empty` for a quoted '')."""
    if isinstance(node, Number):
        return INTEGER if float(node.value).is_integer() else DECIMAL
    if isinstance(node, String):
        return _EMPTY if node.value == "" else TEXT
    if isinstance(node, Ref):
        return ref_kind(node.name)
    if isinstance(node, Minus):
        return _numeric(node_kind(node.operand, ref_kind))
    if isinstance(node, Arithmetic):
        if node.op == "/":
            return DECIMAL
        return _all_integer([node.left, node.right], ref_kind)
    if isinstance(node, Call):
        return _call_kind(node, ref_kind)
    return TEXT  # a comparison, and, or, not: a truth value, stored as "true" / "false"


def _call_kind(node: Call, ref_kind: RefKind) -> str:
    if node.name in _WHOLE:
        return INTEGER
    if node.name == "round":
        places = node.args[1] if len(node.args) > 1 else Number(0)
        negative = isinstance(places, Minus) and isinstance(places.operand, Number)
        if negative or (isinstance(places, Number) and places.value <= 0):
            return INTEGER
        return DECIMAL
    if node.name in _SAME_NUMBER:
        # sum, min and max of a multi_choice answer work on its codes.
        codes_count = node.name in ("sum", "min", "max")
        return _all_integer(list(node.args), ref_kind, codes_count=codes_count)
    if node.name in _BRANCHES:
        kinds = {node_kind(arg, ref_kind) for arg in node.args[_BRANCHES[node.name]]} - {_EMPTY}
        if not kinds:
            return _EMPTY
        if kinds <= {INTEGER}:
            return INTEGER
        if kinds <= {INTEGER, DECIMAL}:
            return DECIMAL
        return kinds.pop() if len(kinds) == 1 else TEXT
    return TEXT


def _numeric(kind: str) -> str:
    return INTEGER if kind == INTEGER else DECIMAL


def _all_integer(nodes: list[Node], ref_kind: RefKind, *, codes_count: bool = False) -> str:
    whole = {INTEGER, _INTEGER_CODES} if codes_count else {INTEGER}
    kinds = [node_kind(node, ref_kind) for node in nodes]
    return INTEGER if kinds and all(kind in whole for kind in kinds) else DECIMAL
