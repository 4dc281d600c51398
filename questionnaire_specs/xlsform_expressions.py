"""Translate XLSForm (XPath) expressions into the spec's expression language.

Only the part of XPath that our language can say is accepted: `${q}`, `.`, numbers, quoted
strings, `= != < <= > >=`, `+ - *`, `div` (becomes `/`), `mod`, `and`, `or`, parentheses and
the functions of our language (expressions.FUNCTIONS: `if()`, `regex()`, `concat()`,
`coalesce()`, `selected-at()`, `jr:choice-name()`, `round()`, `int()` … spelt as XLSForm spells
them) and `not()`. Everything else — other functions (`today()`, `position()`, `pulldata()` …),
paths (`/data/q`, `..`), bare names — is refused, naming what was found and why. Nothing is
evaluated here.

XLSForm writes every choice value as a string (`selected(${q}, '1')`, `${q} = '1'`), while our
choice codes may be integers. When the question (or `.`) is known to have integer codes, such
a quoted integer is written as a number, so the spec's load-time check of literals passes.
And XLSForm's test for an answer, `${q} != ''`, becomes `string-length(${q}) > 0` (see
_answered_tests). jr:choice-name's `'${q}'` names a question: renamed as its references are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from questionnaire_specs.expressions import FUNCTIONS, ExpressionError, parse

# column() is ours: a choice_filter's bare column names are written with it (see _word).
SUPPORTED_FUNCTIONS = frozenset({"not", *FUNCTIONS} - {"column"})
# Why a function real forms use is refused (the others: "not in the expression language").
_REFUSED_FUNCTIONS = {
    "today": "device time could identify the respondent; MSS never records it",
    "now": "device time could identify the respondent; MSS never records it",
    "once": "MSS keeps no value across visits of a question",
    "uuid": "a per-response identifier is made by MSS itself, outside the answers",
    "random": "a draw would differ between the kiosk and the server's check",
    "pulldata": "a station has no external data",
    "instance": "a station has no external data",
    "position": "a release has one row per respondent (no repeats)",
    "indexed-repeat": "a release has one row per respondent (no repeats)",
    "count": "a release has one row per respondent (no repeats)",
    "current": "XPath paths are not supported",
}
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_ARITHMETIC = frozenset({"+", "-", "*", "/", "mod"})
_NAMED_QUESTION = re.compile(r"""(['"])\$\{\s*([^}]*?)\s*\}\1""")
_QUOTED_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_REFERENCE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

_TOKEN = re.compile(
    r"""
     (?P<space>\s+)
    |(?P<ref>\$\{(?P<refname>[^}]*)\})
    |(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.\.|\.|/|\||\[|\]|@)
    |(?P<name>[A-Za-z_][A-Za-z0-9_.:-]*)
    """,
    re.VERBOSE,
)

# XPath syntax that selects nodes rather than computing a value: never meaningful here.
_PATH_SYNTAX = {
    "..": "'..' (a parent path)",
    "/": "'/' (an XPath path; write div to divide)",
    "|": "'|' (a node-set union)",
    "[": "'[' (an XPath predicate)",
    "]": "']' (an XPath predicate)",
    "@": "'@' (an attribute path)",
}


class ExpressionNotSupported(ValueError):
    """The expression uses something our language cannot say; `.reasons` lists each one."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ref, current, number, string, op, function, keyword
    text: str


def translate_expression(
    text: str,
    *,
    current: str | None = None,
    integer_coded: Collection[str] = (),
    ids: Mapping[str, str] | None = None,
    choice_codes: Mapping[str, Mapping[str, int | str]] | None = None,
    columns: Collection[str] | None = None,
    aliases: Mapping[str, Mapping[int, int]] | None = None,
) -> str:
    """Return `text` rewritten in our expression language, or raise ExpressionNotSupported.

    `current` is the question that `.` stands for (in a constraint), and `integer_coded` the
    choice questions whose option codes are integers (see the module docstring). `ids` maps
    an XLSForm name to its spec id where the import renamed it (`q-1` → `q_1`), and
    `choice_codes` a question's choice names to the codes the import gave them. `columns`,
    in a choice_filter, are the choices-sheet columns its bare names read (`cf` becomes
    `column('cf')`, `name` `column('name')`, the option's code). `aliases` holds, per choice
    question whose list repeats a name, each later code of a name → its first code
    (xlsform_choices.py): see _repeated_names.
    """
    tokens = _tokenise(text, ids or {}, columns)
    tokens = _choice_names_to_codes(tokens, current, choice_codes or {})
    tokens = _unquote_integer_codes(tokens, current, set(integer_coded))
    tokens = _answered_tests(tokens)
    tokens = _repeated_names(tokens, current, aliases or {})
    translated = _join(tokens)
    try:
        parse(translated)
    except ExpressionError as error:
        # Refused here, by row, rather than later by the spec checks: a function given the
        # wrong number of arguments, a regex() pattern outside the common subset.
        pattern = error.reason.removeprefix("regex() pattern: ")
        if pattern != error.reason:
            reason = f"has a regex() pattern outside the common subset: {pattern}"
        else:
            reason = f"cannot be read: {error.reason}"
        raise ExpressionNotSupported([reason]) from None
    return translated


def _tokenise(
    text: str, ids: Mapping[str, str], columns: Collection[str] | None = None
) -> list[_Token]:
    reasons: list[str] = []
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            reasons.append(f"unexpected character {text[position]!r} at position {position + 1}")
            break
        position = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "space":
            continue
        if kind == "ref":
            name = match.group("refname").strip()
            name = ids.get(name, name)
            if not _REFERENCE_NAME.fullmatch(name):
                reasons.append(f"${{{name}}} does not name a question")
            tokens.append(_Token("ref", name))
        elif kind == "number":
            tokens.append(_Token("number", _plain_number(value)))
        elif kind == "string":
            # jr:choice-name(${q}, '${q}'): the string names a question, renamed as ${q} is.
            named = _NAMED_QUESTION.fullmatch(value)
            if named is not None:
                name = ids.get(named.group(2), named.group(2))
                value = named.group(1) + "${" + name + "}" + named.group(1)
            tokens.append(_Token("string", value))
        elif kind == "op":
            if value in _PATH_SYNTAX:
                reasons.append(f"uses {_PATH_SYNTAX[value]}, which is not supported")
            tokens.append(_Token("current" if value == "." else "op", value))
        else:
            follows_paren = text[position:].lstrip().startswith("(")
            if columns is not None and not follows_paren and value in {"name", *columns}:
                tokens.append(_Token("column", f"column('{value}')"))
            elif columns is not None and not follows_paren and value not in _WORDS:
                reasons.append(_not_a_column(value, columns))
                tokens.append(_Token("keyword", value))
            else:
                tokens.append(_word(value, follows_paren, reasons))
    if not tokens and not reasons:
        reasons.append("is empty")
    if not reasons:
        _check_parentheses(tokens, reasons)
    if reasons:
        raise ExpressionNotSupported(_unique(reasons))
    return tokens


_WORDS = frozenset({"and", "or", "div", "mod"})  # the operators spelt as words


def _not_a_column(word: str, columns: Collection[str]) -> str:
    """Why a choice_filter's bare name that is no column of the choices is refused."""
    field, axis, _ = word.partition("::")
    if axis and field.lower() in ("label", "hint", "media", "image", "audio", "video"):
        # XPath reads `label::English` as an axis: ODK Validate (JavaRosa) refuses the
        # itemset ("unsupported construct"), and a label is not one text across languages.
        return (
            f"filters on the choices' {field} ({word!r}), which ODK Collect refuses and a "
            "form in several languages cannot do: filter on a column of the choices"
        )
    known = ", ".join(sorted({"name", *columns}))
    # XPath reads a bare name as a path: the child `word` of each choice, which none has, so
    # ODK offers no choice at all (`pastel=yes` compares the column with nothing).
    return (
        f"uses the bare name {word!r}, which is not a column of its choices ({known}): ODK "
        f"reads it as the column {word!r}, which no choice has, so it would offer no choice; "
        f"quote a text ('{word}'), refer to a question as ${{{word}}}"
    )


def _word(word: str, is_call: bool, reasons: list[str]) -> _Token:
    # Operators first: `and(` is `and` followed by a parenthesis, not a call.
    if word in ("and", "or"):
        return _Token("keyword", word)
    if word == "div":
        return _Token("op", "/")
    if word == "mod":
        return _Token("op", "mod")
    if is_call:
        if word in _REFUSED_FUNCTIONS:
            why = _REFUSED_FUNCTIONS[word]
            reasons.append(f"uses the function {word}(), which is not supported: {why}")
        elif word not in SUPPORTED_FUNCTIONS:
            reasons.append(f"uses the function {word}(), which is not supported")
        return _Token("function", word)
    reasons.append(f"uses the bare name {word!r}; refer to a question as ${{{word}}}")
    return _Token("keyword", word)


def _plain_number(text: str) -> str:
    # Our grammar wants digits on both sides of a decimal point.
    if text.startswith("."):
        text = "0" + text
    return text.rstrip(".") if text.endswith(".") else text


def _check_parentheses(tokens: list[_Token], reasons: list[str]) -> None:
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
            if depth < 0:
                reasons.append("has a ')' without its '('")
                return
    if depth:
        reasons.append("has a '(' that is never closed")


def _choice_names_to_codes(
    tokens: list[_Token], current: str | None, choice_codes: Mapping[str, Mapping[str, int | str]]
) -> list[_Token]:
    """Write a choice name compared with (or `selected` of) its question as the option code."""

    def codes_of(token: _Token) -> Mapping[str, int | str] | None:
        if token.kind == "ref":
            return choice_codes.get(token.text)
        if token.kind == "current" and current is not None:
            return choice_codes.get(current)
        return None

    result = list(tokens)
    for index, token in enumerate(tokens):
        if token.kind != "string":
            continue
        before = tokens[index - 2 : index]
        after = tokens[index + 1 : index + 3]
        subject: _Token | None = None
        if len(before) == 2 and before[1].text in _COMPARISONS:
            subject = _compared_question(tokens, index - 2)
        elif len(after) == 2 and after[0].text in _COMPARISONS:
            subject = _compared_question(tokens, index + 2)
        elif (
            index >= 4
            and tokens[index - 4] == _Token("function", "selected")
            and tokens[index - 1] == _Token("op", ",")
        ):
            subject = tokens[index - 2]
        codes = codes_of(subject) if subject is not None else None
        name = token.text[1:-1]
        if codes is None or name not in codes:
            continue
        code = codes[name]
        result[index] = (
            _Token("number", str(code)) if isinstance(code, int) else _Token("string", f"'{code}'")
        )
    return result


def _compared_question(tokens: list[_Token], position: int) -> _Token | None:
    """The question whose code the operand at `position` is: `${q}`, `.`, or the q of
    `selected-at(${q}, n)` (the call seen from its name or from its closing parenthesis)."""
    token = tokens[position]
    if token.kind in ("ref", "current"):
        return token
    start = position
    if token == _Token("op", ")"):
        depth = 0
        for start in range(position, -1, -1):
            depth += (
                {")": 1, "(": -1}.get(tokens[start].text, 0) if tokens[start].kind == "op" else 0
            )
            if depth == 0:
                break
        start -= 1
    call = tokens[max(start, 0) : start + 4]
    if (
        start >= 0
        and len(call) == 4
        and call[0] == _Token("function", "selected-at")
        and call[1] == _Token("op", "(")
        and call[2].kind in ("ref", "current")
        and call[3] == _Token("op", ",")
    ):
        return call[2]
    return None


def _unquote_integer_codes(
    tokens: list[_Token], current: str | None, integer_coded: set[str]
) -> list[_Token]:
    def is_integer_coded(token: _Token | None) -> bool:
        if token is None:
            return False
        if token.kind == "ref":
            return token.text in integer_coded
        return token.kind == "current" and current is not None and current in integer_coded

    result = list(tokens)
    for index, token in enumerate(tokens):
        if token.kind != "string" or not _QUOTED_INTEGER.fullmatch(token.text[1:-1]):
            continue
        before = tokens[index - 2 : index]
        after = tokens[index + 1 : index + 3]
        compared = (
            len(before) == 2
            and before[1].text in _COMPARISONS
            and is_integer_coded(_compared_question(tokens, index - 2))
        ) or (
            len(after) == 2
            and after[0].text in _COMPARISONS
            and is_integer_coded(_compared_question(tokens, index + 2))
        )
        selected_arg = (
            index >= 4
            and tokens[index - 4] == _Token("function", "selected")
            and tokens[index - 1] == _Token("op", ",")
            and is_integer_coded(tokens[index - 2])
        )
        if compared or selected_arg:
            result[index] = _Token("number", token.text[1:-1])
    return result


def _repeated_names(
    tokens: list[_Token], current: str | None, aliases: Mapping[str, Mapping[int, int]]
) -> list[_Token]:
    """Where a list repeats a name, let each of its codes stand for the name, as in XLSForm.

    An answer compared with something is written `if(${q} = 3, 1, ${q})`: a later code of a
    repeated name becomes its first, which is the code the name itself was given (a compared
    name, a later choice_filter's column values). `selected(${q}, 1)` becomes
    `(selected(${q}, 1) or selected(${q}, 3))`. `selected-at()` and `sum()` of such a question
    are refused: their result could not stand for the name.
    """

    def aliases_of(token: _Token) -> Mapping[int, int] | None:
        if token.kind == "ref":
            return aliases.get(token.text) or None
        if token.kind == "current" and current is not None:
            return aliases.get(current) or None
        return None

    reasons: list[str] = []
    result: list[_Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        found = aliases_of(token)
        call = tokens[index - 2] if index >= 2 and tokens[index - 1].text == "(" else None
        if found is None:
            result.append(token)
        elif call is not None and call.kind == "function" and call.text in ("selected-at", "sum"):
            reasons.append(
                f"uses {call.text}() of {_spelling(token)}, whose list holds a choice name "
                "twice (allow_choice_duplicates): compare the answer with = instead"
            )
            result.append(token)
        elif call == _Token("function", "selected") and index + 3 < len(tokens):
            # selected ( ${q} , code ) : one test per code of the name.
            code = tokens[index + 2]
            later = [str(c) for c, first in found.items() if str(first) == code.text]
            if code.kind != "number" or not later or tokens[index + 3].text != ")":
                result.append(token)
            else:
                result.pop()
                result.pop()
                tests = [code.text, *later]
                result.append(_Token("op", "("))
                for number, one in enumerate(tests):
                    if number:
                        result.append(_Token("keyword", "or"))
                    result += [call, _Token("op", "("), token, _Token("op", ",")]
                    result += [_Token("number", one), _Token("op", ")")]
                result.append(_Token("op", ")"))
                index += 4
        elif (index and tokens[index - 1].text in _COMPARISONS) or (
            index + 1 < len(tokens) and tokens[index + 1].text in _COMPARISONS
        ):
            # if(${q} = 3, 1, if(${q} = 5, 2, ${q})): nested, the last branch the answer.
            opened = 0
            for later, first in found.items():
                result += [_Token("function", "if"), _Token("op", "("), token, _Token("op", "=")]
                result += [_Token("number", str(later)), _Token("op", ",")]
                result += [_Token("number", str(first)), _Token("op", ",")]
                opened += 1
            result.append(token)
            result += [_Token("op", ")")] * opened
        else:
            result.append(token)
        index += 1
    if reasons:
        raise ExpressionNotSupported(_unique(reasons))
    return result


def _answered_tests(tokens: list[_Token]) -> list[_Token]:
    """Rewrite XLSForm's "is it answered?" idiom, `${q} = ''` and `${q} != ''`.

    In XPath an unanswered question is the empty string, so `${q} = ''` is true for it; in our
    language a comparison with an unanswered question is false. `string-length()` of an
    unanswered question is 0 in both, and works for every question type.
    """
    result: list[_Token] = []
    index = 0
    while index < len(tokens):
        window = tokens[index : index + 3]
        before = result[-1] if result else None
        after = tokens[index + 3] if index + 3 < len(tokens) else None
        alone = not (before and before.text in _ARITHMETIC) and not (
            after and after.text in _ARITHMETIC
        )
        if len(window) == 3 and window[1].text in ("=", "!=") and window[1].kind == "op" and alone:
            subject = _answered_subject(window[0], window[2]) or _answered_subject(
                window[2], window[0]
            )
            if subject is not None:
                result += [
                    _Token("function", "string-length"),
                    _Token("op", "("),
                    subject,
                    _Token("op", ")"),
                    _Token("op", "=" if window[1].text == "=" else ">"),
                    _Token("number", "0"),
                ]
                index += 3
                continue
        result.append(tokens[index])
        index += 1
    return result


def _answered_subject(subject: _Token, literal: _Token) -> _Token | None:
    is_empty = literal.kind == "string" and literal.text in ("''", '""')
    return subject if is_empty and subject.kind in ("ref", "current") else None


def _join(tokens: list[_Token]) -> str:
    wrapped = _wrap_compared_negations(tokens)
    out = ""
    previous: _Token | None = None
    for token in wrapped:
        if previous is not None and _space_between(previous, token):
            out += " "
        out += _spelling(token)
        previous = token
    return out


def _spelling(token: _Token) -> str:
    if token.kind == "ref":
        return "${" + token.text + "}"
    return token.text


def _space_between(previous: _Token, token: _Token) -> bool:
    if previous.kind == "function" or previous.text == "(" or token.text in (")", ","):
        return False
    return previous.kind != "unary"


def _wrap_compared_negations(tokens: list[_Token]) -> list[_Token]:
    """Mark unary minus, and bracket `not(…)` when it is an operand.

    XPath's not() is a function, so `not(${a}) = 1` compares its result; in our grammar `not`
    binds looser than `=`, so the call is put in parentheses to keep XPath's meaning.
    """
    result: list[_Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.text == "-" and token.kind == "op" and _starts_operand(result):
            result.append(_Token("unary", "-"))
            index += 1
            continue
        if token == _Token("function", "not"):
            end = _closing_paren(tokens, index + 1)
            call = _wrap_compared_negations(tokens[index + 1 : end + 1])
            neighbours = [result[-1] if result else None]
            neighbours.append(tokens[end + 1] if end + 1 < len(tokens) else None)
            operand = any(
                n is not None and n.kind in ("op", "unary") and _is_operator(n.text)
                for n in neighbours
            )
            group = [token, *call]
            if operand:
                group = [_Token("op", "("), *group, _Token("op", ")")]
            result.extend(group)
            index = end + 1
            continue
        result.append(token)
        index += 1
    return result


def _is_operator(text: str) -> bool:
    return text in _COMPARISONS or text in _ARITHMETIC


def _starts_operand(before: list[_Token]) -> bool:
    if not before:
        return True
    last = before[-1]
    return last.kind in ("keyword", "unary") or (
        last.kind == "op" and (last.text in ("(", ",") or _is_operator(last.text))
    )


def _closing_paren(tokens: list[_Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].text == "(" and tokens[index].kind == "op":
            depth += 1
        elif tokens[index].text == ")" and tokens[index].kind == "op":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))
