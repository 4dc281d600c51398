"""expressions.js and questionnaire_specs/expressions.py give the same result on generated
expressions and answers (the generators are the spec engine's own property-test strategies),
many cases per page call; where Python raises, the browser raises too."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from questionnaire_specs import compile_expression
from questionnaire_specs.expression_regex import PatternError, matches, safe_pattern
from questionnaire_specs.expression_trees import from_tree, to_tree
from questionnaire_specs.expressions import Node, evaluate
from tests.questionnaire_specs.test_expressions_properties import (
    NAMES,
    answer_values,
    trees,
)

# Besides the spec engine's answers: numbers written as text (compared as numbers), Python's
# whitespace, text past U+FFFF (ordered by code point), floats at the edges.
SPACES = st.sampled_from([" ", "\t", "\u3000", "\x1c", "\u00a0", "\ufeff", "\u200b", ""])
NUMERIC_TEXT = st.builds(
    lambda a, n, b: a + n + b,
    SPACES,
    st.one_of(st.integers(-30, 30).map(str), st.decimals(-10, 10, places=2).map(str)),
    SPACES,
)
extra_values = st.one_of(
    NUMERIC_TEXT,
    st.sampled_from(["\U0001f600", "\uffff", "\ue000", "a\U00010000", "True", "1e5", "-0"]),
    st.floats(),  # NaN, infinities, -0.0, huge
    st.integers(-(10**30), 10**30),
    st.lists(st.one_of(st.integers(0, 4), NUMERIC_TEXT), max_size=3),
)
values = st.one_of(answer_values, extra_values)
answer_maps = st.dictionaries(NAMES, values)
CASES = st.lists(st.tuples(trees, answer_maps, values), min_size=1, max_size=60)


def tagged(value: Any) -> Any:
    """A Python value as JSON that keeps int, float and bool apart (and NaN, -0.0, big ints)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": format(value, "x")}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, str):
        return {"s": value}
    if isinstance(value, list | tuple):
        return {"l": [tagged(item) for item in value]}
    raise TypeError(f"no tag for {value!r}")


# jr:choice-name's context: option labels of the choice questions, integer and text codes.
CHOICES: dict[str, list[tuple[int | str, str]]] = {
    "a": [(1, "One"), (2, "Two"), (3, "Three")],
    "b": [("x", "Ex"), ("2", "Deux"), ("y", "")],
    "q_1": [(0, "Zero 😀")],
}


def python_outcome(tree: Node, answers: dict[str, Any], current: Any) -> Any:
    try:
        return tagged(evaluate(tree, answers, current, CHOICES))
    except (OverflowError, ValueError):  # huge ints: as Python itself raises
        return "error"


EVALUATE = """async ([cases, choices]) => {
  const x = await import('/expressions.js');
  const untag = (v) => {
    if (v === null) return null;
    if ('b' in v) return v.b;
    if ('i' in v) return v.i.startsWith('-') ? -BigInt('0x' + v.i.slice(1)) : BigInt('0x' + v.i);
    const special = {nan: NaN, inf: Infinity, '-inf': -Infinity};
    if ('f' in v) return new x.Float(special[v.f] ?? Number(v.f));
    if ('s' in v) return v.s;
    return v.l.map(untag);
  };
  const tag = (v) => {
    if (v === null) return null;
    if (typeof v === 'boolean') return {b: v};
    if (typeof v === 'bigint') return {i: v.toString(16)};
    if (typeof v === 'number') return {f: x.floatRepr(v)};
    if (typeof v === 'string') return {s: v};
    if (Array.isArray(v)) return {l: v.map(tag)};
    return {bug: String(v)};
  };
  return cases.map(([tree, answers, current]) => {
    const plain = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, untag(v)]));
    try { return tag(x.evaluate(tree, plain, untag(current), choices)); }
    catch (e) { return e instanceof x.EvaluationError ? 'error' : 'bug: ' + e; }
  });
}"""


def _run(page: Page, cases: list[tuple[Node, dict[str, Any], Any]]) -> None:
    payload = [
        [to_tree(tree), {k: tagged(v) for k, v in answers.items()}, tagged(current)]
        for tree, answers, current in cases
    ]
    got = page.evaluate(EVALUATE, [payload, CHOICES])
    for (tree, answers, current), browser in zip(cases, got, strict=True):
        expected = python_outcome(tree, answers, current)
        assert browser == expected, (tree, answers, current)


def test_trees_round_trip_through_json() -> None:
    @settings(max_examples=200)
    @given(trees)
    def check(tree: Node) -> None:
        assert from_tree(json.loads(json.dumps(to_tree(tree)))) == tree

    check()


def test_python_and_the_browser_agree(kit_page: Page) -> None:
    @settings(max_examples=60, deadline=None)
    @given(CASES)
    def check(cases: list[tuple[Node, dict[str, Any], Any]]) -> None:
        _run(kit_page, cases)

    check()


def test_the_edges_written_out(kit_page: Page) -> None:
    """Cases a generator may take long to find: each rule of the README, once."""
    big = "1" + "0" * 400
    texts = [
        "${a} = 1",  # 1 and 1.0 and True are equal
        "${a} + 1",
        "${a} / 0",  # empty, not an error
        "string-length(${a})",  # 'True', '1.0', '1e+16', code points
        "${a} < 'x'",  # not comparable: false
        "${a} != 'x'",  # not comparable: true
        "${a} = 12",  # text as a number, stripped of Python's whitespace (not JavaScript's)
        "selected(${a}, 2)",
        "count-selected(${a})",
        f"{big} / 3",  # exact integers, correctly rounded division
        # halfway at 53 bits but for a remainder far below: rounds up, as Python does
        f"{(2**53 + 1) * 2**100 + 1} / {2**100}",
        "${a} < ${b}",  # code point order: U+FFFF before U+1F600
        f"{big} * {big} / ({big} * 7)",
        f"{big} * {big} * {big} + 0.5",  # too large for a float: an error in both
        "string-length(${a} * ${a})",  # past Python's 4300-digit limit for the big answer
        "-${a}",
        "not ${a}",
        "${a} and ${b} or not ${b}",
        ". > ${a}",
    ]
    answers_list: list[Any] = [
        None, True, False, 0, 1, 1.0, -0.0, 1e16, 2.5, float("nan"), float("inf"),
        "", "x", "\U0001f600", "\uffff", " 12\u3000", "\x1c12", "\ufeff12",
        [], [2, "2"], [1], 10**20, 10**2200,
    ]  # fmt: skip
    cases = [
        (compile_expression(text).tree, {"a": a, "b": b}, b)
        for text in texts
        for a in answers_list
        for b in (None, 1, "12", [2], "\U0001f600", "\ue000")
    ]
    _run(kit_page, cases)


def test_plain_javascript_numbers_read_as_the_site_holds_them(kit_page: Page) -> None:
    """The site's answers are plain JSON: an integral number is an integer, others floats."""
    text = "string-length(${a}) + ${a} * 2"
    tree = to_tree(compile_expression(text).tree)
    got = kit_page.evaluate(
        """async ([tree, values]) => {
          const x = await import('/expressions.js');
          const repr = (v) => (typeof v === 'number' ? x.floatRepr(v) : String(v));
          return values.map((a) => repr(x.evaluate(tree, {a})));
        }""",
        [tree, [3, 2.5, -7]],
    )
    expected = [str(compile_expression(text).evaluate({"a": a})) for a in (3, 2.5, -7)]
    assert got == expected


def test_the_functions_edges_written_out(kit_page: Page) -> None:
    """Each function's edges once: empty, NaN, -0.0, ties, code points, huge integers."""
    texts = [
        "${a} mod ${b}",
        "${a} mod 0",
        "if(${a}, ${b}, 'no')",
        "coalesce(${a}, ${b})",
        "int(${a})",
        "round(${a})",
        "round(${a}, ${b})",
        "round(${a}, 2)",
        "round(${a}, -1)",
        "floor(${a})",
        "ceiling(${a})",
        "abs(${a})",
        "number(${a})",
        "string(${a})",
        "boolean(${a})",
        "string-length(${a})",
        "concat(${a}, '|', ${b})",
        "sum(${a})",
        "min(${a}, ${b})",
        "max(${a}, ${b})",
        "selected-at(${a}, ${b})",
        "count-selected(${a})",
        "contains(${a}, ${b})",
        "starts-with(${a}, ${b})",
        "ends-with(${a}, ${b})",
        "substr(${a}, ${b})",
        "substr(${a}, 1, ${b})",
        "translate(${a}, 'a1😀', 'B')",
        "regex(${a}, '^-?[0-9]+(\\.[0-9]+)?$')",
        "regex(${a}, '^.$')",
        "regex(${a}, '\\s')",
        "jr:choice-name(${a}, '${a}')",
        "jr:choice-name(${b}, '${b}')",
        "true() = ${a}",
    ]
    values: list[Any] = [
        None, True, False, 0, 1, -1, 7, -7, 3, 2.5, -2.5, 0.5, -0.5, 2.675, 1.005, -0.0, 0.0,
        1e16, 1e-7, 5e-324, 1.7976931348623157e308, float("nan"), float("inf"), float("-inf"),
        10**20, -(10**20), 10**4300, "", "x", " 12 ", "1.50", "a1😀\U0001f600", "\n",
        "٣", [], [1, 3], [3, 1, 2], [2, "x"], ["2"], 15, -15, 25, -25, 125,
    ]  # fmt: skip
    small: list[Any] = [None, 0, 1, 2, -1, 1.5, -2, 3.0, "", "x", "2", [1], float("nan"), 10**6]
    cases = [
        (compile_expression(text).tree, {"a": a, "b": b}, None)
        for text in texts
        for a in values
        for b in (small if "${b}" in text else [None])
    ]
    _run(kit_page, cases)


@given(st.text(st.sampled_from(list("ab0.^$|()[]-*+?{}1,\\dsw é😀")), max_size=12))
@settings(max_examples=300)
def test_regex_patterns_are_safe_or_refused(pattern: str) -> None:
    try:
        safe_pattern(pattern)
    except PatternError as error:
        assert 0 <= error.offset <= len(pattern)


def test_python_and_the_browser_match_patterns_alike(kit_page: Page) -> None:
    """Generated patterns of the subset and texts: re.search and RegExp(…, 'u') agree."""
    pattern_characters = st.sampled_from(
        [*"ab0.^$|()-*+?", "[a-c]", "[^0-9]", "\\d", "\\w", "\\s", "\\D", "{1,2}", "é", "😀"]
    )
    subjects = st.text(st.sampled_from(list("ab0 9\n\r\t\u2028\u00a0é😀_-.")), max_size=6)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.lists(pattern_characters, max_size=8), subjects), max_size=50))
    def check(cases: list[tuple[list[str], str]]) -> None:
        usable = []
        for parts, subject in cases:
            try:
                usable.append((safe_pattern("".join(parts)), subject))
            except PatternError:
                continue
        got = kit_page.evaluate(
            "(cases) => cases.map(([p, s]) => new RegExp(p, 'u').test(s))",
            [[pattern.javascript, subject] for pattern, subject in usable],
        )
        expected = [matches(pattern.source, subject) for pattern, subject in usable]
        assert got == expected, usable

    check()
