"""Property tests: the parser, the printer and the evaluator against a reference."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire_specs import ExpressionError, compile_expression
from questionnaire_specs.expressions import (
    FUNCTIONS,
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
    evaluate,
    parse,
    to_text,
)

NAMES = st.sampled_from(["a", "b", "c", "q_1", "Zeta9"])
COMPARISONS = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])

leaves = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(Number),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False)
    .filter(lambda d: d != d.to_integral_value())
    .map(lambda d: Number(float(d))),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="'"), max_size=8).map(String),
    NAMES.map(Ref),
    st.just(Current()),
)


# Patterns of regex()'s subset (questionnaire_specs/expression_regex.py), without a quote.
PATTERNS = st.sampled_from(
    [
        "^[0-9]+$",
        "^$",
        "a",
        "[^a-c]",
        "(ab)+",
        "\\d{2,3}",
        "^(\\+|00)?[0-9]{1,4}$",
        "x|y|",
        ".",
        "\\s",
        "^\\w+\\.?$",
        "[é😀-😂]",
        "^-?[0-9]+(\\.[0-9]+)?$",
        "[A-Z]{2}\\D*",
        "^.{0,3}$",
    ]
)


def _call(name: str, *args: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.tuples(*args).map(lambda values: Call(name, tuple(values)))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    """Every operator and every function of the language, with its arities."""
    fixed = {
        name: _call(name, *[children] * fewest)
        for name, (fewest, most) in FUNCTIONS.items()
        if fewest == most and name not in ("regex", "jr:choice-name")
    }
    return st.one_of(
        children.map(Minus),
        children.map(Not),
        st.builds(Arithmetic, st.sampled_from(["+", "-", "*", "/", "mod"]), children, children),
        st.builds(Compare, COMPARISONS, children, children),
        st.builds(Logic, st.sampled_from(["and", "or"]), children, children),
        *fixed.values(),
        _call("round", children) | _call("round", children, children),
        _call("substr", children, children) | _call("substr", children, children, children),
        *(
            st.lists(children, min_size=1, max_size=3).map(lambda a, n=name: Call(n, tuple(a)))
            for name in ("concat", "min", "max")
        ),
        st.builds(lambda a, p: Call("regex", (a, String(p))), children, PATTERNS),
        st.builds(
            lambda a, q: Call("jr:choice-name", (a, String("${" + q + "}"))), children, NAMES
        ),
    )


def test_the_generator_knows_every_function() -> None:
    # A function added to the language without a generator here would go untested.
    assert set(FUNCTIONS) == {
        *(name for name, (fewest, most) in FUNCTIONS.items() if fewest == most),
        "round",
        "substr",
        "concat",
        "min",
        "max",
    }


trees = st.recursive(leaves, _extend, max_leaves=25)


@given(trees)
def test_printed_trees_parse_back_to_the_same_tree(tree: Node) -> None:
    assert parse(to_text(tree)) == tree


@given(trees)
def test_printing_is_a_fixed_point(tree: Node) -> None:
    printed = to_text(tree)
    assert to_text(parse(printed)) == printed


EXPRESSION_CHARACTERS = st.sampled_from(
    list("${}()., '\"=!<>+-*/0123456789abcdeflnorstu_\t\n") + ["and", "or", "not", "${a}"]
)


@given(st.one_of(st.text(max_size=60), st.lists(EXPRESSION_CHARACTERS, max_size=30).map("".join)))
@settings(max_examples=300)
def test_parser_raises_only_expression_errors(text: str) -> None:
    try:
        compile_expression(text)
    except ExpressionError as error:
        assert 1 <= error.column <= len(text) + 1 or len(text) > 2000


answer_values = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=4),
    st.lists(st.integers(0, 4), max_size=3),
    st.booleans(),
)
answer_maps = st.dictionaries(NAMES, answer_values)


@given(trees, answer_maps, answer_values)
def test_evaluation_never_raises(tree: Node, answers: dict[str, object], current: object) -> None:
    # float arithmetic on huge values may overflow, as Python itself does
    with contextlib.suppress(OverflowError):
        evaluate(tree, answers, current)


# --- evaluation against a plain-Python reference ---------------------------------------------
# The strategies build the expression text and, alongside, a function computing what it must
# evaluate to, written directly from the README's rules.

Reference = Callable[[Mapping[str, object]], object]


def _number_leaf() -> st.SearchStrategy[tuple[str, Reference]]:
    literal = st.integers(0, 20).map(lambda n: (str(n), lambda _answers, n=n: n))
    reference = NAMES.map(lambda name: ("${" + name + "}", lambda answers, k=name: answers.get(k)))
    return st.one_of(literal, reference)


def _arith(op: str, left: object, right: object) -> object:
    if left is None or right is None:
        return None
    if op == "+":
        return left + right  # type: ignore[operator]
    if op == "-":
        return left - right  # type: ignore[operator]
    if op == "*":
        return left * right  # type: ignore[operator]
    return None if right == 0 else left / right  # type: ignore[operator]


def _numbers(children: st.SearchStrategy[tuple[str, Reference]]):
    def combine(op: str, left: tuple[str, Reference], right: tuple[str, Reference]):
        return (
            f"({left[0]} {op} {right[0]})",
            lambda answers: _arith(op, left[1](answers), right[1](answers)),
        )

    return st.builds(combine, st.sampled_from("+-*/"), children, children)


numbers = st.recursive(_number_leaf(), _numbers, max_leaves=6)

_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "=": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,  # type: ignore[operator]
    "<=": lambda x, y: x <= y,  # type: ignore[operator]
    ">": lambda x, y: x > y,  # type: ignore[operator]
    ">=": lambda x, y: x >= y,  # type: ignore[operator]
}


def _comparison(op: str, left: tuple[str, Reference], right: tuple[str, Reference]):
    def reference(answers: Mapping[str, object]) -> bool:
        x, y = left[1](answers), right[1](answers)
        return False if x is None or y is None else _COMPARE[op](x, y)

    return f"{left[0]} {op} {right[0]}", reference


def _conditions(children: st.SearchStrategy[tuple[str, Reference]]):
    def logic(op: str, left: tuple[str, Reference], right: tuple[str, Reference]):
        if op == "and":
            return f"({left[0]}) and ({right[0]})", lambda a: left[1](a) and right[1](a)
        return f"({left[0]}) or ({right[0]})", lambda a: left[1](a) or right[1](a)

    negation = children.map(lambda c: (f"not ({c[0]})", lambda a, c=c: not c[1](a)))
    return st.one_of(st.builds(logic, st.sampled_from(["and", "or"]), children, children), negation)


conditions = st.recursive(
    st.builds(_comparison, COMPARISONS, numbers, numbers), _conditions, max_leaves=6
)
numeric_answers = st.dictionaries(NAMES, st.one_of(st.none(), st.integers(-20, 20)))


@given(conditions, numeric_answers)
def test_conditions_agree_with_the_reference(
    condition: tuple[str, Reference], answers: dict[str, object]
) -> None:
    text, reference = condition
    assert compile_expression(text).evaluate(answers) is reference(answers)


@given(numbers, numeric_answers)
def test_arithmetic_agrees_with_the_reference(
    number: tuple[str, Reference], answers: dict[str, object]
) -> None:
    text, reference = number
    assert compile_expression(text).evaluate(answers) == reference(answers)
