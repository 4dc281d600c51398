"""Expressions compiled to nested closures: the same results as `expressions.evaluate`, without
walking and dispatching on the tree at every evaluation.

The processor evaluates every relevance and constraint of every response, so the per-node
isinstance chain of the tree walker was a large part of its time. Each node here becomes one
closure over its children's closures, built once per expression; the operators call the very
functions the tree walker calls (compare, arithmetic, truthy, the function table), so a rule
still lives in one place. A function call hands its argument nodes to the same `_call` the
walker uses, with their closures looked up by node identity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from questionnaire_specs.expressions import (
    Arithmetic,
    Call,
    Choices,
    Compare,
    Current,
    Logic,
    Minus,
    Node,
    Not,
    Number,
    Ref,
    String,
    _call,
    arithmetic,
    compare,
    is_number,
    option_column,
    truthy,
)

Closure = Callable[[Mapping[str, object], object, "Choices | None"], object]


def closure_of(node: Node) -> Closure:
    """A function of (answers, current, choices) equal to evaluate(node, …)."""
    if isinstance(node, Number | String):
        constant = node.value
        return lambda _answers, _current, _choices: constant
    if isinstance(node, Ref):
        name = node.name
        return lambda answers, _current, _choices: answers.get(name)
    if isinstance(node, Current):
        return lambda _answers, current, _choices: current
    if isinstance(node, Compare):
        return _compare(node)
    if isinstance(node, Logic):
        return _logic(node)
    if isinstance(node, Arithmetic):
        op, left, right = node.op, closure_of(node.left), closure_of(node.right)
        return lambda a, c, ch: arithmetic(op, left(a, c, ch), right(a, c, ch))
    if isinstance(node, Not):
        operand = closure_of(node.operand)
        return lambda a, c, ch: not truthy(operand(a, c, ch))
    if isinstance(node, Minus):
        return _minus(closure_of(node.operand))
    if isinstance(node, Call) and node.name == "column":
        column = getattr(node.args[0], "value", None)
        return lambda _answers, current, _choices: option_column(current, column)
    if isinstance(node, Call):
        return _function(node)
    raise TypeError(f"cannot evaluate {node!r}")


def _compare(node: Compare) -> Closure:
    op, left, right = node.op, closure_of(node.left), closure_of(node.right)
    if isinstance(node.left, Ref) and isinstance(node.right, Number):
        # The shape of nearly every relevance (`${consent} = 1`): no closure calls at all.
        name, constant = node.left.name, node.right.value
        return lambda a, _c, _ch: compare(op, a.get(name), constant)
    return lambda a, c, ch: compare(op, left(a, c, ch), right(a, c, ch))


def _logic(node: Logic) -> Closure:
    left, right = closure_of(node.left), closure_of(node.right)
    if node.op == "and":
        return lambda a, c, ch: truthy(left(a, c, ch)) and truthy(right(a, c, ch))
    return lambda a, c, ch: truthy(left(a, c, ch)) or truthy(right(a, c, ch))


def _minus(operand: Closure) -> Closure:
    def run(a: Mapping[str, object], c: object, ch: Choices | None) -> object:
        value = operand(a, c, ch)
        return -value if is_number(value) else None  # type: ignore[operator]

    return run


def _function(node: Call) -> Closure:
    by_node = {id(arg): closure_of(arg) for arg in node.args}

    def run(a: Mapping[str, object], c: object, ch: Choices | None) -> object:
        return _call(node, lambda child: by_node[id(child)](a, c, ch), ch)

    return run
