"""The expression language: parsing, errors with columns, printing, evaluation."""

from __future__ import annotations

import pytest

from questionnaire_specs import ExpressionError, compile_expression
from questionnaire_specs.expressions import (
    Call,
    Compare,
    Current,
    Logic,
    Not,
    Number,
    Ref,
    String,
    parse,
    to_text,
)


def test_parses_references_literals_and_precedence() -> None:
    tree = parse("${a} = 1 or ${b} != 'x' and not ${c} > 2.5")
    assert tree == Logic(
        "or",
        Compare("=", Ref("a"), Number(1)),
        Logic(
            "and",
            Compare("!=", Ref("b"), String("x")),
            Not(Compare(">", Ref("c"), Number(2.5))),
        ),
    )


def test_functions_and_current() -> None:
    tree = parse('count-selected(.) <= 2 and selected(${q}, "a")')
    assert tree == Logic(
        "and",
        Compare("<=", Call("count-selected", (Current(),)), Number(2)),
        Call("selected", (Ref("q"), String("a"))),
    )


def test_references_and_current_are_reported() -> None:
    expression = compile_expression("${a} + ${b} * 2 > string-length(${c})")
    assert expression.references == {"a", "b", "c"}
    assert not expression.uses_current
    assert compile_expression(". > 1").uses_current


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("${a} = ", 8, "incomplete"),
        ("${a} @ 1", 6, "unexpected character '@'"),
        ("${a} < 1 < 2", 10, "unexpected '<'"),
        ("1 or and 2", 6, "unexpected 'and'"),
        ("${a} = 1)", 9, "unexpected ')'"),
        ("foo(1)", 1, "unknown function foo()"),
        ("${a} = 1 and selected(${a})", 14, "takes 2 argument"),
        ("yes", 1, "unexpected character 'y'"),
        ("${1a} = 1", 1, "unexpected character '$'"),
        ("", 1, "empty"),
        ("   ", 1, "empty"),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, source="q.relevant")
    assert caught.value.column == column
    assert reason in caught.value.reason
    assert "q.relevant" in str(caught.value)


def test_deep_nesting_and_length_are_refused_cleanly() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("not " * 250 + "1")
    assert parse("(" * 300 + "1" + ")" * 300) == Number(1)  # parentheses make no nodes
    with pytest.raises(ExpressionError, match="longer than"):
        parse("1 + " * 1000 + "1")


def test_printer_uses_only_needed_parentheses() -> None:
    assert to_text(parse("(${a} = 1) or ((${b} = 2) and (${c} = 3))")) == (
        "${a} = 1 or ${b} = 2 and ${c} = 3"
    )
    assert to_text(parse("(${a} or ${b}) and ${c}")) == "(${a} or ${b}) and ${c}"
    assert to_text(parse("1 - (2 - 3)")) == "1 - (2 - 3)"
    assert to_text(parse("(1 - 2) - 3")) == "1 - 2 - 3"
    assert to_text(parse("not(${a}) = 1")) == "(not ${a}) = 1"
    assert to_text(parse("-(-1)")) == "--1"
    assert parse(to_text(parse("-(-1)"))) == parse("-(-1)")


ANSWERS = {"one": 1, "two": 2, "name": "Ana", "multi": [1, 3], "code": "b", "half": 0.5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${one} = 1", True),
        ("${one} = '1'", True),  # an imported XLSForm writes codes as text
        ("${code} = 'b'", True),
        ("${code} != 'c'", True),
        ("${code} = 1", False),
        ("${code} != 1", True),
        ("${two} * 3 - ${one}", 5),
        ("${two} / 4", 0.5),
        ("${two} / 0", None),
        ("-${two}", -2),
        ("${half} < ${one}", True),
        ("${name} < 'Bob'", True),
        ("selected(${multi}, 3)", True),
        ("selected(${multi}, '3')", True),
        ("selected(${multi}, 2)", False),
        ("selected(${code}, 'b')", True),
        ("count-selected(${multi})", 2),
        ("count-selected(${code})", 1),
        ("string-length(${name})", 3),
        ("string-length(${one})", 1),
        ("not ${one} = 2", True),
        ("${one} = 1 and ${two} = 3 or ${name} = 'Ana'", True),
    ],
)
def test_evaluation(text: str, expected: object) -> None:
    assert compile_expression(text).evaluate(ANSWERS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${gone} = 1", False),
        ("${gone} != 1", False),  # every comparison with empty is false
        ("${gone} < 1", False),
        ("${gone} + 1", None),  # arithmetic with empty is empty
        ("-${gone}", None),
        ("selected(${gone}, 1)", False),
        ("count-selected(${gone})", 0),
        ("string-length(${gone})", 0),
        ("not ${gone} = 1", True),
        ("${gone} + 1 > 0", False),
    ],
)
def test_empty_rules(text: str, expected: object) -> None:
    assert compile_expression(text).evaluate(ANSWERS) == expected


def test_empty_relevant_is_false_and_current_is_the_answer() -> None:
    assert compile_expression("${gone}").is_true({}) is False
    constraint = compile_expression("count-selected(.) <= 2 and not selected(., 9)")
    assert constraint.is_true({}, current=[1, 2])
    assert not constraint.is_true({}, current=[1, 2, 3])
    assert not constraint.is_true({}, current=[9])
