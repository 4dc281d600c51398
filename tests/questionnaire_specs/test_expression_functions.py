"""The functions and `mod` of the expression language: their results (XPath 1.0 / JavaRosa,
with the empty rules of README "Expressions"), regex()'s safe subset, and the load checks."""

from __future__ import annotations

import math

import pytest

from questionnaire_specs import ExpressionError, compile_expression
from questionnaire_specs.expression_regex import PatternError, matches, safe_pattern
from questionnaire_specs.expressions import parse, to_text
from tests.questionnaire_specs.documents import only, text

ANSWERS = {
    "n": 7,
    "neg": -7,
    "half": 2.5,
    "price": 2.675,
    "word": "Ana",
    "numeric": " 12 ",
    "multi": [1, 3],
    "none_chosen": [],
    "code": 2,
    "blank": "",
    "yes": True,
}
CHOICES = {"code": [(1, "One"), (2, "Two")], "multi": [(1, "Red"), (3, "Blue")]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mod truncates, as XPath's (the sign of the dividend); by zero: empty, as /
        ("${n} mod 3", 1),
        ("${neg} mod 3", -1),
        ("${n} mod -3", 1),
        ("5.5 mod 2", 1.5),
        ("${n} mod 0", None),
        ("${n} * 2 mod 5", 4),  # as tight as *, left to right
        ("${gone} mod 2", None),
        # if, coalesce: only the branch taken is evaluated
        ("if(${n} > 5, 'big', 'small')", "big"),
        ("if(${gone}, 1, 2)", 2),
        ("coalesce(${gone}, 9)", 9),
        ("coalesce(${blank}, 'b')", "b"),
        ("coalesce(${none_chosen}, 0)", 0),
        ("coalesce(${word}, 'b')", "Ana"),
        # numbers: number() reads text; empty is XPath's NaN
        ("int(-3.7)", -3),
        ("int(${numeric}) + 1", 13),
        ("int(${word})", None),
        ("int(${gone})", None),
        ("number('1.50')", 1.5),
        ("number(${yes})", 1),
        ("round(${half})", 3.0),
        ("round(-2.5)", -2.0),  # a tie goes towards positive infinity, as XPath's round
        ("round(${price}, 2)", 2.68),  # the number as written, not its binary neighbour
        ("round(1.005, 2)", 1.01),
        ("round(-1.005, 2)", -1.0),
        ("round(1250, -2)", 1300),
        ("round(-1250, -2)", -1200),
        ("round(7, 2)", 7),
        ("round(${gone})", None),
        ("floor(-0.5)", -1.0),
        ("ceiling(-0.5)", 0.0),
        ("ceiling(2)", 2),
        ("abs(${neg})", 7),
        ("sum(${multi})", 4),
        ("sum(${none_chosen})", 0),
        ("sum(${gone})", 0),
        ("sum(${n})", 7),
        ("min(${multi}, 2)", 1),
        ("max(${multi}, 2.5)", 3),
        ("max(${multi}, ${gone})", None),
        # text: XPath's string() of every value
        ("string(2.0)", "2"),
        ("string(0.1 + 0.2)", "0.30000000000000004"),
        ("string(${yes})", "true"),
        ("string(${multi})", "1 3"),
        ("string(${gone})", ""),
        ("concat(${word}, '-', ${n}, '-', ${gone}, ${half})", "Ana-7-2.5"),
        ("string-length(${word})", 3),
        ("string-length(2.0)", 1),
        ("string-length(${multi})", 3),
        ("contains(${word}, 'n')", True),
        ("starts-with(${word}, 'An')", True),
        ("ends-with(${word}, 'x')", False),
        ("substr('hello', 1, 3)", "el"),
        ("substr('hello', 3)", "lo"),
        ("substr('hello', 1, ${gone})", None),
        ("translate('abcab', 'ab', 'A')", "AcA"),
        ("boolean(${blank})", False),
        ("boolean('0')", True),
        ("true() and not false()", True),
        # choices
        ("selected-at(${multi}, 1)", 3),
        ("selected-at(${multi}, 2)", None),
        ("selected-at(${code}, 0)", 2),
        ("count-selected(${none_chosen})", 0),
        ("jr:choice-name(${code}, '${code}')", "Two"),
        ("jr:choice-name(selected-at(${multi}, 1), '${multi}')", "Blue"),
        ("jr:choice-name('1', '${code}')", "One"),  # an XLSForm's text code
        ("jr:choice-name(9, '${code}')", None),
        ("jr:choice-name(${multi}, '${multi}')", None),
        ("jr:choice-name(${gone}, '${code}')", None),
        # regex: a search, on the text of the value
        ("regex(${numeric}, '^ [0-9]+ $')", True),
        ("regex(${word}, '^[a-z]+$')", False),
        ("regex(${gone}, '^$')", True),
        ("regex(${n}, '^\\d$')", True),
    ],
)
def test_functions(text: str, expected: object) -> None:
    result = compile_expression(text).evaluate(ANSWERS, choices=CHOICES)
    assert result == expected
    assert type(result) is type(expected)  # int and float are kept apart


def test_nan_and_infinity_are_written_as_xpath_does() -> None:
    answers = {"nan": math.nan, "inf": math.inf, "tiny": 1e-7, "big": 1e22}
    texts = {"nan": "NaN", "inf": "Infinity", "tiny": "0.0000001", "big": "1" + "0" * 22}
    for name, written in texts.items():
        assert compile_expression(f"string(${{{name}}})").evaluate(answers) == written
    assert math.isnan(compile_expression("round(${nan})").evaluate(answers))
    assert compile_expression("int(${inf})").evaluate(answers) is None
    assert math.isnan(compile_expression("${inf} mod 2").evaluate(answers))


def test_without_choices_a_choice_name_is_empty() -> None:
    assert compile_expression("jr:choice-name(1, '${code}')").evaluate(ANSWERS) is None


@pytest.mark.parametrize(
    "text",
    ["${a} mod ${b} * 2", "${a} * (${b} mod 2)", "-${a} mod 2", "if(true(), 1, 2)", "concat('a')"],
)
def test_new_syntax_prints_and_parses_back(text: str) -> None:
    assert to_text(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("if(1, 2)", "if() takes 3 argument(s), not 2", 1),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments, not 3", 1),
        ("concat()", "concat() takes at least 1 argument(s), not 0", 1),
        ("true(1)", "true() takes 0 argument(s), not 1", 1),
        ("regex(., ${a})", "regex() takes its pattern as a quoted string", 10),
        ("regex(., '(a+)+')", "regex() pattern: a repeated group may not hold", 15),
        ("regex(., 'a\\b')", "regex() pattern: the escape \\b is not supported", 12),
        ("jr:choice-name(., 'q')", "jr:choice-name() names its question as a quoted '${q}'", 19),
        ("pow(2, 3)", "unknown function pow()", 1),
    ],
)
def test_refused_when_read(text: str, reason: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert caught.value.reason.startswith(reason)
    assert caught.value.column == column


# --- regex()'s subset ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "python", "javascript"),
    [
        ("^[0-9]{10}$", "^[0-9]{10}\\Z", "^[0-9]{10}$"),  # $ is the very end in both
        ("\\d+\\s\\w", "[0-9]+[ \\t\\n\\r\\f\\v][A-Za-z0-9_]", None),  # ASCII in both
        (".", "[^\\n\\r\\u2028\\u2029]", None),
        ("^(\\+|00)?[0-9]+$", "^(?:\\+|00)?[0-9]+\\Z", "^(?:\\+|00)?[0-9]+$"),
        ("[a-c&]\\-", "[a-c\\&]-", "[a-c&]-"),  # what each engine accepts escaped
    ],
)
def test_patterns_are_written_for_each_engine(
    pattern: str, python: str, javascript: str | None
) -> None:
    written = safe_pattern(pattern)
    assert written.python == python
    assert written.javascript == (python if javascript is None else javascript)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+", "a repeated group may not hold a repetition or an alternative"),
        ("(a|aa)*", "a repeated group may not hold a repetition or an alternative"),
        ("((a)?){3}", "a repeated group may not hold a repetition or an alternative"),
        ("(?=a)", "only (...) and (?:...) groups"),
        ("(a)\\1", "the escape \\1 is not supported"),
        ("\\p{L}", "the escape \\p is not supported"),
        ("a**", "'*' has nothing to repeat"),
        ("^*", "an anchor cannot be repeated"),
        ("a{1001}", "a count is at most 1000"),
        ("a{", "a '{' starts a count"),
        ("[z-a]", "a range a-z needs two characters in order"),
        ("[]", "an empty [] matches nothing"),
        ("[\\D]", "\\D is not supported inside [...]"),
        ("(a", "a '(' is never closed"),
        ("a)", "a ')' without its '('"),
        ("a" * 201, "a pattern is at most 200 characters"),
    ],
)
def test_patterns_outside_the_subset_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError) as caught:
        safe_pattern(pattern)
    assert caught.value.reason.startswith(reason)


def test_patterns_that_stay_safe_are_accepted() -> None:
    for pattern in [
        "(ab)+",
        "(\\+|00)?",
        "(a+)?",
        "(?:[0-9]{3}-)?[0-9]{4}",
        "x*?y",
        "[-a]",
        "[a-]",
    ]:
        safe_pattern(pattern)


def test_a_search_not_a_full_match_and_ascii_classes() -> None:
    assert matches("[0-9]", "ab3")
    assert not matches("^[0-9]+$", "12\n")  # Python's $ would match before the newline
    assert not matches("\\d", "\u0663")  # an Arabic-Indic digit is not [0-9]
    assert matches("^.$", "\U0001f600")  # one code point
    assert not matches("^.$", "\n")


def test_a_pathological_subject_is_quick() -> None:
    # The classic (a+)+$ is refused; what remains is linear or polynomial on a short text.
    assert not matches("^[a-z]+[0-9]+$", "a" * 5000 + "!")


# --- the load-time checks ----------------------------------------------------------------------


def _with_multi(doc) -> None:
    doc["questions"].insert(
        1,
        {
            "id": "multi",
            "type": "multi_choice",
            "label": text("Pick"),
            "options": [{"code": 1, "label": text("A")}, {"code": 2, "label": text("B")}],
        },
    )


@pytest.mark.parametrize(
    ("relevant", "message"),
    [
        ("selected-at(${age}, 0) = 1", "selected-at() needs a choice question; ${age} is a number"),
        ("selected-at(1, 0) = 1", "selected-at() takes a question"),
        ("jr:choice-name(1, '${nope}') = 'x'", "unknown question ${nope}"),
        ("jr:choice-name(1, '${age}') = 'x'", "jr:choice-name() needs a choice question; ${age}"),
        ("jr:choice-name(3, '${consent}') = 'x'", "3 is not a code of ${consent}"),
        ("int(${multi}) > 1", "int() takes a number; ${multi} is a multi_choice question"),
        ("round(${age}, 'two') > 1", "round() takes a number; 'two' is not one"),
        ("selected-at(${multi}, 0) = 5", "5 is not a code of ${multi} (its codes: 1, 2)"),
    ],
)
def test_function_checks(doc, problems_of, relevant: str, message: str) -> None:
    _with_multi(doc)
    doc["questions"].append(
        {"id": "last", "type": "note", "label": text("Bye"), "relevant": relevant}
    )
    assert message in only(problems_of(doc), "last", "relevant").message


def test_functions_that_fit_the_spec_pass_the_checks(doc, problems_of) -> None:
    _with_multi(doc)
    doc["questions"].append(
        {
            "id": "last",
            "type": "note",
            "label": text("Bye"),
            "relevant": (
                "jr:choice-name(${consent}, '${consent}') = 'Yes' or sum(${multi}) mod 2 = 1"
                " or regex(${comment}, '^[A-Z]') or round(${age} div 10, 0) > 2"
                " or selected-at(${multi}, 0) = 1 or if(${age} > 3, 1, 0) = 1"
            ).replace(" div ", " / "),
        }
    )
    assert problems_of(doc) == []
