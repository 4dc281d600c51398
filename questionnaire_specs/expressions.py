"""The expression language of `relevant` and `constraint`: parse, print, evaluate.

Parsed by a lark grammar (expressions.lark) into small immutable nodes, evaluated by our own
interpreter over a mapping of answers. Nothing here ever calls eval or exec. The empty value
(an unanswered or not relevant question) is None; see README.md for its rules.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import lark

MAX_LENGTH = 2000
MAX_DEPTH = 200  # keeps the recursive printer and evaluator far from the stack limit

# name -> number of arguments
FUNCTIONS: dict[str, int] = {"selected": 2, "count-selected": 1, "string-length": 1}

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class ExpressionError(Exception):
    """An expression that cannot be parsed; `column` is 1-based inside the expression."""

    def __init__(self, reason: str, column: int, text: str, source: str = "<expr>") -> None:
        self.reason = reason
        self.column = column
        self.text = text
        self.source = source
        super().__init__(f"{source}: {reason} (column {column} of {text!r})")


# --- nodes -------------------------------------------------------------------------------
# `column` is where the node starts (1-based); it takes no part in equality, so a parsed and
# a printed-then-parsed expression compare equal.


@dataclass(frozen=True)
class Number:
    value: int | float
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class String:
    value: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Ref:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Current:
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Minus:
    operand: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Arithmetic:
    op: str  # + - * /
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    operand: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Logic:
    op: str  # and, or
    left: Node
    right: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    column: int = field(default=0, compare=False)


Node = Number | String | Ref | Current | Minus | Arithmetic | Compare | Not | Logic | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Minus | Not):
        return (node.operand,)
    if isinstance(node, Arithmetic | Compare | Logic):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


# --- parsing -----------------------------------------------------------------------------


@functools.cache
def _parser() -> lark.Lark:
    grammar = (Path(__file__).with_name("expressions.lark")).read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


_READABLE = {
    "RPAR": "')'",
    "LPAR": "'('",
    "COMMA": "','",
    "DOT": "'.'",
    "$END": "the end",
}


def _describe(token: lark.Token) -> str:
    if token.type == "$END":
        return "the end of the expression"
    return repr(str(token))


def _syntax_error(error: lark.exceptions.LarkError, text: str, source: str) -> ExpressionError:
    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        return ExpressionError(
            f"unexpected character {char!r}", error.pos_in_stream + 1, text, source
        )
    if isinstance(error, lark.exceptions.UnexpectedEOF):
        return ExpressionError("the expression is incomplete", len(text) + 1, text, source)
    if isinstance(error, lark.exceptions.UnexpectedToken):
        token = error.token
        if token.type == "$END":
            return ExpressionError("the expression is incomplete", len(text) + 1, text, source)
        start = token.start_pos if token.start_pos is not None else 0
        return ExpressionError(f"unexpected {_describe(token)}", start + 1, text, source)
    return ExpressionError(f"cannot parse: {error}", 1, text, source)


def _depth(tree: lark.Tree) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(tree, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, lark.Tree):
            stack.extend((child, depth + 1) for child in item.children)
    return deepest


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _column(item: lark.Tree | lark.Token) -> int:
    if isinstance(item, lark.Token):
        return (item.start_pos or 0) + 1
    return (getattr(item.meta, "start_pos", 0) or 0) + 1


def _build(item: lark.Tree | lark.Token, text: str, source: str) -> Node:
    column = _column(item)
    if isinstance(item, lark.Token):  # pragma: no cover - the grammar wraps every token
        raise ExpressionError(f"unexpected {item!r}", column, text, source)
    kind, kids = item.data, item.children
    if kind == "number":
        return Number(_number(str(kids[0])), column)
    if kind == "string":
        return String(str(kids[0])[1:-1], column)
    if kind == "ref":
        return Ref(str(kids[0])[2:-1], column)
    if kind == "current":
        return Current(column)
    if kind == "minus":
        return Minus(_build(kids[1], text, source), column)
    if kind == "negation":
        return Not(_build(kids[1], text, source), column)
    if kind in ("logic", "compare", "arithmetic"):
        left, op, right = kids
        node_type = {"logic": Logic, "compare": Compare, "arithmetic": Arithmetic}[kind]
        return node_type(str(op), _build(left, text, source), _build(right, text, source), column)
    if kind == "call":
        name = str(kids[0])[:-1].rstrip()
        args = tuple(_build(arg, text, source) for arg in kids[1:] if arg is not None)
        if name == "not" and len(args) == 1:
            return Not(args[0], column)
        if name not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise ExpressionError(
                f"unknown function {name}() (known: {known})", column, text, source
            )
        if len(args) != FUNCTIONS[name]:
            raise ExpressionError(
                f"{name}() takes {FUNCTIONS[name]} argument(s), not {len(args)}",
                column,
                text,
                source,
            )
        return Call(name, args, column)
    raise ExpressionError(f"unexpected {kind}", column, text, source)  # pragma: no cover


def parse(text: str, *, source: str = "<expr>") -> Node:
    """Parse `text` into a tree; any problem is an ExpressionError naming the column."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", 1, str(text), source)
    if not text.strip():
        raise ExpressionError("the expression is empty", 1, text, source)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH, text, source
        )
    try:
        tree = _parser().parse(text)
    except lark.exceptions.LarkError as error:
        raise _syntax_error(error, text, source) from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError("the expression is nested too deeply", 1, text, source)
    return _build(tree, text, source)


# --- printing ----------------------------------------------------------------------------

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6}
_ATOM = 8


def precedence(node: Node) -> int:
    """How tightly `node` binds when printed: a child that binds less needs brackets."""
    if isinstance(node, Logic):
        return _PRECEDENCE[node.op]
    if isinstance(node, Not):
        return 3
    if isinstance(node, Compare):
        return 4
    if isinstance(node, Arithmetic):
        return _PRECEDENCE[node.op]
    if isinstance(node, Minus):
        return 7
    return _ATOM


def format_number(value: int | float) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"no literal for {value!r}")
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def quote(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError("a string literal cannot hold both kinds of quote")


def to_text(node: Node) -> str:
    """Print a tree back as an expression, with only the parentheses it needs."""

    def wrap(child: Node, minimum: int) -> str:
        printed = to_text(child)
        return f"({printed})" if precedence(child) < minimum else printed

    if isinstance(node, Number):
        return format_number(node.value)
    if isinstance(node, String):
        return quote(node.value)
    if isinstance(node, Ref):
        return "${" + node.name + "}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Minus):
        return "-" + wrap(node.operand, 7)
    if isinstance(node, Not):
        return "not " + wrap(node.operand, 3)
    if isinstance(node, Logic | Arithmetic):
        mine = precedence(node)
        return f"{wrap(node.left, mine)} {node.op} {wrap(node.right, mine + 1)}"
    if isinstance(node, Compare):
        return f"{wrap(node.left, 5)} {node.op} {wrap(node.right, 5)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(arg) for arg in node.args)})"
    raise TypeError(f"not an expression node: {node!r}")


# --- evaluation --------------------------------------------------------------------------


def is_number(value: object) -> bool:
    return isinstance(value, int | float)


def truthy(value: object) -> bool:
    """How a value counts as a condition: empty, 0, '' and [] are false."""
    return bool(value) if value is not None else False


def _as_number(value: str) -> int | float | None:
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return _number(text)


def _comparable(left: object, right: object) -> tuple[object, object] | None:
    """Bring two values to one kind, or None when they cannot be compared."""
    if is_number(left) and is_number(right):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    # An option code 1 and the text '1' (as imported XLSForms write it) are the same answer.
    if is_number(left) and isinstance(right, str):
        converted = _as_number(right)
        return None if converted is None else (left, converted)
    if isinstance(left, str) and is_number(right):
        converted = _as_number(left)
        return None if converted is None else (converted, right)
    return None


def compare(op: str, left: object, right: object) -> bool:
    """Comparison with the empty rules: anything compared with empty is false."""
    if left is None or right is None:
        return False
    pair = _comparable(left, right)
    if pair is None:
        return op == "!="
    a, b = pair
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    if op == ">=":
        return a >= b  # type: ignore[operator]
    raise ValueError(f"unknown comparison {op}")


def arithmetic(op: str, left: object, right: object) -> int | float | None:
    if not (is_number(left) and is_number(right)):
        return None
    a, b = left, right
    if op == "+":
        return a + b  # type: ignore[operator]
    if op == "-":
        return a - b  # type: ignore[operator]
    if op == "*":
        return a * b  # type: ignore[operator]
    if op == "/":
        return None if b == 0 else a / b  # type: ignore[operator]
    raise ValueError(f"unknown operator {op}")


def selected(answer: object, code: object) -> bool:
    if answer is None:
        return False
    if isinstance(answer, list | tuple):
        return any(compare("=", item, code) for item in answer)
    return compare("=", answer, code)


def count_selected(answer: object) -> int:
    if answer is None:
        return 0
    if isinstance(answer, list | tuple):
        return len(answer)
    return 1


def string_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value)
    return len(str(value))


def evaluate(node: Node, answers: Mapping[str, object], current: object = None) -> object:
    if isinstance(node, Number | String):
        return node.value
    if isinstance(node, Ref):
        return answers.get(node.name)
    if isinstance(node, Current):
        return current
    if isinstance(node, Minus):
        value = evaluate(node.operand, answers, current)
        return -value if is_number(value) else None  # type: ignore[operator]
    if isinstance(node, Not):
        return not truthy(evaluate(node.operand, answers, current))
    if isinstance(node, Logic):
        left = truthy(evaluate(node.left, answers, current))
        if node.op == "and":
            return left and truthy(evaluate(node.right, answers, current))
        return left or truthy(evaluate(node.right, answers, current))
    if isinstance(node, Compare):
        return compare(
            node.op, evaluate(node.left, answers, current), evaluate(node.right, answers, current)
        )
    if isinstance(node, Arithmetic):
        return arithmetic(
            node.op, evaluate(node.left, answers, current), evaluate(node.right, answers, current)
        )
    if isinstance(node, Call):
        values = [evaluate(arg, answers, current) for arg in node.args]
        if node.name == "selected":
            return selected(values[0], values[1])
        if node.name == "count-selected":
            return count_selected(values[0])
        if node.name == "string-length":
            return string_length(values[0])
    raise TypeError(f"cannot evaluate {node!r}")


# --- the compiled expression -------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready to evaluate any number of times."""

    text: str
    tree: Node = field(compare=False)
    source: str = field(default="<expr>", compare=False)
    references: frozenset[str] = field(default=frozenset(), compare=False)
    uses_current: bool = field(default=False, compare=False)

    def evaluate(self, answers: Mapping[str, object], current: object = None) -> object:
        return evaluate(self.tree, answers, current)

    def is_true(self, answers: Mapping[str, object], current: object = None) -> bool:
        """As a condition: an empty result is false."""
        return truthy(self.evaluate(answers, current))

    def __str__(self) -> str:
        return self.text


def compile_expression(text: str, *, source: str = "<expr>") -> Expression:
    tree = parse(text, source=source)
    nodes = list(walk(tree))
    return Expression(
        text=text,
        tree=tree,
        source=source,
        references=frozenset(n.name for n in nodes if isinstance(n, Ref)),
        uses_current=any(isinstance(n, Current) for n in nodes),
    )
