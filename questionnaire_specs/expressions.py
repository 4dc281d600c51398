"""The expression language of `relevant` and `constraint`: parse, print, evaluate.

Parsed by a lark grammar (expressions.lark) into small immutable nodes, evaluated by our own
interpreter over a mapping of answers. Nothing here ever calls eval or exec. The empty value
(an unanswered or not relevant question) is None; see README.md for its rules.
sync_server/site/static/expressions.js evaluates the same trees with the same results: a rule
changed here is changed there (tests/sync_server/site/browser_kit/test_expressions_js.py).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import lark

from questionnaire_specs.expression_regex import PatternError, matches, safe_pattern

MAX_LENGTH = 2000
MAX_DEPTH = 200  # keeps the recursive printer and evaluator far from the stack limit

# name -> (fewest, most) arguments; most None: any number
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "jr:choice-name": (2, 2),
    "string-length": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "regex": (2, 2),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "translate": (3, 3),
    "number": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "int": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "sum": (1, 1),
    "column": (1, 1),
}


def takes(name: str, count: int) -> bool:
    """Whether function `name` takes `count` arguments."""
    if name not in FUNCTIONS:
        return False
    fewest, most = FUNCTIONS[name]
    return fewest <= count and (most is None or count <= most)


def _arity(name: str) -> str:
    fewest, most = FUNCTIONS[name]
    if most is None:
        return f"at least {fewest} argument(s)"
    if fewest == most:
        return f"{fewest} argument(s)"
    return f"{fewest} to {most} arguments"


# jr:choice-name's second argument: the question whose option labels it reads, as XLSForm
# writes it ('${q}': a string, since the answer of q is not what is meant).
CHOICE_QUESTION = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")

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
    op: str  # + - * / mod
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
        if not takes(name, len(args)):
            raise ExpressionError(
                f"{name}() takes {_arity(name)}, not {len(args)}", column, text, source
            )
        _literal_arguments(name, args, text, source)
        return Call(name, args, column)
    raise ExpressionError(f"unexpected {kind}", column, text, source)  # pragma: no cover


def _literal_arguments(name: str, args: tuple[Node, ...], text: str, source: str) -> None:
    """The arguments that must be written out: checked when the expression is read."""
    if name == "regex":
        pattern = args[1]
        if not isinstance(pattern, String):
            raise ExpressionError(
                "regex() takes its pattern as a quoted string", pattern.column, text, source
            )
        try:
            safe_pattern(pattern.value)
        except PatternError as error:
            raise ExpressionError(
                f"regex() pattern: {error.reason}", pattern.column + 1 + error.offset, text, source
            ) from None
    if name == "jr:choice-name":
        question = args[1]
        if not (isinstance(question, String) and CHOICE_QUESTION.fullmatch(question.value)):
            raise ExpressionError(
                "jr:choice-name() names its question as a quoted '${q}'",
                question.column,
                text,
                source,
            )


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

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "compare": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "mod": 6,
}
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


def _modulo(a: int | float, b: int | float) -> int | float | None:
    # XPath's mod truncates: the result has the sign of the dividend (as JavaScript's %).
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    a, b = float(a), float(b)
    if math.isinf(a):
        return math.nan  # math.fmod raises; XPath (and JavaScript) say NaN
    return math.fmod(a, b)


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
    if op == "mod":
        return _modulo(a, b)  # type: ignore[arg-type]
    raise ValueError(f"unknown operator {op}")


def selected(answer: object, code: object) -> bool:
    if answer is None:
        return False
    if isinstance(answer, list | tuple):
        return any(compare("=", item, code) for item in answer)
    return compare("=", answer, code)


def _items(answer: object) -> list[object]:
    """The chosen codes: a multi_choice answer's list, one answer alone, empty none."""
    if answer is None:
        return []
    if isinstance(answer, list | tuple):
        return list(answer)
    return [answer]


def count_selected(answer: object) -> int:
    return len(_items(answer))


def selected_at(answer: object, index: object) -> object:
    position = _index(index)
    items = _items(answer)
    if position is None or not 0 <= position < len(items):
        return None
    return items[position]


def is_blank(value: object) -> bool:
    """XPath's empty string: unanswered, '' or nothing chosen (coalesce skips it)."""
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


# --- conversions: the one text and the one number of any value ---------------------------


def as_number(value: object) -> int | float | None:
    """XPath's number(): text that reads as a number is one; empty (XPath's NaN) otherwise."""
    if isinstance(value, bool):
        return int(value)
    if is_number(value):
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        return _as_number(value)
    return None


def _float_text(value: float) -> str:
    # XPath's string() of a number: no exponent, no trailing ".0", the shortest digits.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def as_text(value: object) -> str:
    """XPath's string(): empty is '', true is 'true', 2.0 is '2', chosen codes '1 3'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, list | tuple):
        return " ".join(as_text(item) for item in value)
    return str(value)


def _index(value: object) -> int | None:
    number = as_number(value)
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        return None
    return math.trunc(number)


def string_length(value: object) -> int:
    return len(as_text(value))


# --- numbers -------------------------------------------------------------------------------

_PLACES = 10**6  # beyond this many places a rounding changes nothing or leaves 0


def _digits(value: int | float) -> tuple[str, int]:
    """The shortest digits of |value| and how many of them precede the decimal point."""
    if isinstance(value, int):
        digits = str(abs(value))
        return digits, len(digits)
    decimal = Decimal(repr(abs(value))).normalize()
    sign, digit_tuple, exponent = decimal.as_tuple()
    digits = "".join(map(str, digit_tuple))
    return digits, len(digits) + int(exponent)


def round_number(value: object, places: object = 0) -> int | float | None:
    """XPath's round(): to `places` decimals, a tie towards positive infinity (round(2.5) is
    3, round(-2.5) is -2), on the number as written (round(2.675, 2) is 2.68)."""
    number, count = as_number(value), _index(places)
    if number is None or count is None:
        return None
    count = max(-_PLACES, min(_PLACES, count))
    if isinstance(number, float) and (not math.isfinite(number) or number == 0):
        return number
    if isinstance(number, int) and count >= 0:
        return number
    digits, point = _digits(number)
    keep = point + count
    if keep >= len(digits):
        return number
    negative = number < 0
    kept = int(digits[:keep]) if keep > 0 else 0
    if keep >= 0:
        rest = digits[keep:]
        tie = rest[0] == "5" and not rest[1:].strip("0")
        if rest[0] > "5" or (rest[0] == "5" and not tie) or (tie and not negative):
            kept += 1
    exponent = point - max(keep, 0)
    if isinstance(number, int):
        magnitude = kept * 10**exponent
        return -magnitude if negative else magnitude
    return float(f"{'-' if negative else ''}{kept}e{exponent}")


def _whole(value: object, how: str) -> int | float | None:
    number = as_number(value)
    if number is None or isinstance(number, int):
        return number
    if how == "int":
        return math.trunc(number) if math.isfinite(number) else None
    if not math.isfinite(number):
        return number
    return float(math.floor(number) if how == "floor" else math.ceil(number))


def absolute(value: object) -> int | float | None:
    number = as_number(value)
    return None if number is None else abs(number)


def extreme(values: list[object], how: str) -> int | float | None:
    """min() or max() of numbers and chosen codes; empty if any is empty or not a number."""
    if any(value is None for value in values):
        return None
    numbers = [as_number(item) for value in values for item in _items(value)]
    if not numbers or any(number is None for number in numbers):
        return None
    if any(isinstance(number, float) and math.isnan(number) for number in numbers):
        return math.nan
    best = numbers[0]
    for number in numbers[1:]:
        if (number < best) if how == "min" else (number > best):  # type: ignore[operator]
            best = number
    return best


def total(value: object) -> int | float | None:
    """sum(): of the chosen codes of a multi_choice answer (0 when none), or one number."""
    result: int | float | None = 0
    for item in _items(value):
        number = as_number(item)
        if number is None:
            return None
        result = arithmetic("+", result, number)
    return result


# --- text ----------------------------------------------------------------------------------


def substring(text: object, start: object, *end: object) -> str | None:
    """JavaRosa's substr(): code points from `start` (0-based) up to `end` (exclusive; the
    end of the text when left out); an index that is not a number gives empty."""
    characters = as_text(text)
    first = _index(start)
    last = _index(end[0]) if end else len(characters)
    if first is None or last is None:
        return None
    first = max(0, min(len(characters), first))
    last = max(0, min(len(characters), last))
    return characters[first:last]


def translated(text: object, source: object, target: object) -> str:
    """XPath's translate(): each character of `source` becomes the one at its place in
    `target`, or goes when `target` is shorter."""
    replacement: dict[str, str] = {}
    to = as_text(target)
    for position, character in enumerate(as_text(source)):
        replacement.setdefault(character, to[position] if position < len(to) else "")
    return "".join(replacement.get(character, character) for character in as_text(text))


Choices = Mapping[str, Sequence[tuple[object, str]]]


def choice_name(value: object, question: str, choices: Choices | None) -> str | None:
    """jr:choice-name(): the label, in the respondent's language, of the option `value` of
    question `question`; `choices` holds each choice question's (code, label) pairs."""
    options = (choices or {}).get(question)
    if value is None or options is None or isinstance(value, list | tuple):
        return None
    for code, label in options:
        if compare("=", code, value):
            return label
    return None


# --- the evaluator ------------------------------------------------------------------------

_ONE_ARGUMENT = {
    "count-selected": count_selected,
    "string-length": string_length,
    "number": as_number,
    "string": as_text,
    "boolean": truthy,
    "int": lambda value: _whole(value, "int"),
    "floor": lambda value: _whole(value, "floor"),
    "ceiling": lambda value: _whole(value, "ceiling"),
    "abs": absolute,
    "sum": total,
}


def evaluate(
    node: Node,
    answers: Mapping[str, object],
    current: object = None,
    choices: Choices | None = None,
) -> object:
    """The value of `node` over `answers`; `current` is `.`, and `choices` the option labels
    jr:choice-name() reads (see choice_name)."""
    if isinstance(node, Number | String):
        return node.value
    if isinstance(node, Ref):
        return answers.get(node.name)
    if isinstance(node, Current):
        return current
    if isinstance(node, Compare):
        return compare(
            node.op,
            evaluate(node.left, answers, current, choices),
            evaluate(node.right, answers, current, choices),
        )
    if isinstance(node, Logic):
        left = truthy(evaluate(node.left, answers, current, choices))
        if node.op == "and":
            return left and truthy(evaluate(node.right, answers, current, choices))
        return left or truthy(evaluate(node.right, answers, current, choices))
    if isinstance(node, Arithmetic):
        return arithmetic(
            node.op,
            evaluate(node.left, answers, current, choices),
            evaluate(node.right, answers, current, choices),
        )
    if isinstance(node, Not):
        return not truthy(evaluate(node.operand, answers, current, choices))
    if isinstance(node, Minus):
        operand = evaluate(node.operand, answers, current, choices)
        return -operand if is_number(operand) else None  # type: ignore[operator]
    if isinstance(node, Call) and node.name == "column":
        return option_column(current, getattr(node.args[0], "value", None))
    if isinstance(node, Call):
        return _call(node, lambda child: evaluate(child, answers, current, choices), choices)
    raise TypeError(f"cannot evaluate {node!r}")


def option_column(row: object, column: object) -> object:
    """column('c') in a choice_filter: the column `c` of the option being filtered (the
    expression's context item, `current`, as in XPath's predicate); `name` is its code.
    Empty for a column the option does not have, or outside a choice_filter."""
    if not isinstance(row, Mapping) or not isinstance(column, str):
        return None
    return row.get(column)


def _call(node: Call, value: Callable[[Node], object], choices: Choices | None) -> object:
    name, args = node.name, node.args
    # The branches that are not taken are not evaluated.
    if name == "if":
        return value(args[1]) if truthy(value(args[0])) else value(args[2])
    if name == "coalesce":
        first = value(args[0])
        return value(args[1]) if is_blank(first) else first
    if name == "regex":
        return matches(args[1].value, as_text(value(args[0])))  # type: ignore[union-attr]
    if name == "jr:choice-name":
        question = CHOICE_QUESTION.fullmatch(args[1].value).group(1)  # type: ignore[union-attr]
        return choice_name(value(args[0]), question, choices)
    values = [value(arg) for arg in args]
    if name in _ONE_ARGUMENT:
        return _ONE_ARGUMENT[name](values[0])
    if name == "selected":
        return selected(values[0], values[1])
    if name == "selected-at":
        return selected_at(values[0], values[1])
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "concat":
        return "".join(as_text(item) for item in values)
    if name == "contains":
        return as_text(values[1]) in as_text(values[0])
    if name == "starts-with":
        return as_text(values[0]).startswith(as_text(values[1]))
    if name == "ends-with":
        return as_text(values[0]).endswith(as_text(values[1]))
    if name == "substr":
        return substring(*values)
    if name == "translate":
        return translated(*values)
    if name == "round":
        return round_number(*values)
    if name in ("min", "max"):
        return extreme(values, name)
    raise TypeError(f"cannot evaluate {name}()")


# --- the compiled expression -------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready to evaluate any number of times."""

    text: str
    tree: Node = field(compare=False)
    source: str = field(default="<expr>", compare=False)
    references: frozenset[str] = field(default=frozenset(), compare=False)
    uses_current: bool = field(default=False, compare=False)

    def evaluate(
        self, answers: Mapping[str, object], current: object = None, choices: Choices | None = None
    ) -> object:
        return evaluate(self.tree, answers, current, choices)

    def is_true(
        self, answers: Mapping[str, object], current: object = None, choices: Choices | None = None
    ) -> bool:
        """As a condition: an empty result is false."""
        return truthy(self.evaluate(answers, current, choices))

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
