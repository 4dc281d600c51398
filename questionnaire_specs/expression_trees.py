"""The parsed expression tree as JSON: what the online site's browser interprets.

The one place that defines the tree's JSON form (sync_server/site/static/expressions.js
reads it). Each node is a list whose first item names its kind:

    ["int", "digits"]           an integer literal, as text: exact at any size
    ["float", "repr"]           a decimal literal, Python's repr ("inf" when it overflows)
    ["str", "text"]             a string literal
    ["ref", "question_id"]      ${question_id}
    ["current"]                 .  (the answer being checked by a constraint)
    ["neg", node]               -node
    ["not", node]               not node
    ["logic", "and"|"or", left, right]
    ["cmp", "="|"!="|"<"|"<="|">"|">=", left, right]
    ["arith", "+"|"-"|"*"|"/"|"mod", left, right]
    ["call", name, [args...]]   any function of expressions.FUNCTIONS but regex
    ["regex", subject, "pattern", "javascript"]
                                regex(subject, 'pattern'), with the pattern already written
                                for the browser's RegExp (flag "u") by expression_regex.py,
                                so the browser never translates a pattern itself

Numbers keep Python's int/float distinction because the evaluator's results depend on it
(1 / 2 and 1.0 / 2 agree, but int(), round() and + keep the kind: 2 + 1 is 3, 2.0 + 1 is 3.0).
"""

from __future__ import annotations

from typing import Any

from questionnaire_specs.expression_regex import PatternError, safe_pattern
from questionnaire_specs.expressions import (
    CHOICE_QUESTION,
    Arithmetic,
    Call,
    Compare,
    Current,
    Logic,
    Minus,
    Node,
    Not,
    Number,
    Ref,
    String,
    takes,
)

Tree = list[Any]


class TreeFormatError(ValueError):
    """A JSON document that is not an expression tree."""


def to_tree(node: Node) -> Tree:
    """The JSON form of a parsed expression (see the module docstring)."""
    if isinstance(node, Number):
        if isinstance(node.value, bool):
            raise TypeError("a number literal is not a boolean")
        if isinstance(node.value, int):
            return ["int", str(node.value)]
        return ["float", repr(float(node.value))]
    if isinstance(node, String):
        return ["str", node.value]
    if isinstance(node, Ref):
        return ["ref", node.name]
    if isinstance(node, Current):
        return ["current"]
    if isinstance(node, Minus):
        return ["neg", to_tree(node.operand)]
    if isinstance(node, Not):
        return ["not", to_tree(node.operand)]
    if isinstance(node, Logic):
        return ["logic", node.op, to_tree(node.left), to_tree(node.right)]
    if isinstance(node, Compare):
        return ["cmp", node.op, to_tree(node.left), to_tree(node.right)]
    if isinstance(node, Arithmetic):
        return ["arith", node.op, to_tree(node.left), to_tree(node.right)]
    if isinstance(node, Call) and node.name == "regex":
        subject, pattern = node.args
        assert isinstance(pattern, String)  # the parser allows nothing else
        source = pattern.value
        return ["regex", to_tree(subject), source, safe_pattern(source).javascript]
    if isinstance(node, Call):
        return ["call", node.name, [to_tree(arg) for arg in node.args]]
    raise TypeError(f"not an expression node: {node!r}")


_BINARY = {
    "logic": (Logic, {"and", "or"}),
    "cmp": (Compare, {"=", "!=", "<", "<=", ">", ">="}),
    "arith": (Arithmetic, {"+", "-", "*", "/", "mod"}),
}


def from_tree(tree: Any) -> Node:
    """The node back from its JSON form; TreeFormatError for anything else."""
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise TreeFormatError("a tree node is a list that starts with its kind")
    kind, rest = tree[0], tree[1:]
    if kind == "int" and len(rest) == 1 and isinstance(rest[0], str):
        return Number(int(rest[0]))
    if kind == "float" and len(rest) == 1 and isinstance(rest[0], str):
        return Number(float(rest[0]))
    if kind == "str" and len(rest) == 1 and isinstance(rest[0], str):
        return String(rest[0])
    if kind == "ref" and len(rest) == 1 and isinstance(rest[0], str):
        return Ref(rest[0])
    if kind == "current" and not rest:
        return Current()
    if kind in ("neg", "not") and len(rest) == 1:
        return (Minus if kind == "neg" else Not)(from_tree(rest[0]))
    if kind in _BINARY and len(rest) == 3 and rest[0] in _BINARY[kind][1]:
        node_type = _BINARY[kind][0]
        return node_type(rest[0], from_tree(rest[1]), from_tree(rest[2]))
    if kind == "call" and len(rest) == 2 and isinstance(rest[1], list):
        name, args = rest
        if name == "regex" or not takes(name, len(args)):
            raise TreeFormatError(f"no function {name!r} of {len(args)} argument(s)")
        call = Call(name, tuple(from_tree(arg) for arg in args))
        if name == "jr:choice-name" and not (
            isinstance(call.args[1], String) and CHOICE_QUESTION.fullmatch(call.args[1].value)
        ):
            raise TreeFormatError("jr:choice-name() names its question as '${q}'")
        return call
    if kind == "regex" and len(rest) == 3 and all(isinstance(item, str) for item in rest[1:]):
        try:
            safe_pattern(rest[1])
        except PatternError as error:
            raise TreeFormatError(f"not a regex() pattern: {error}") from None
        return Call("regex", (from_tree(rest[0]), String(rest[1])))
    raise TreeFormatError(f"not a tree node of kind {kind!r}")
