"""The patterns regex() accepts: one small subset that Python's `re` and the browser's RegExp
run alike, and that cannot backtrack catastrophically.

XLSForm's regex() is Java's; Python and JavaScript differ from it and from each other (what
`\\d`, `\\w`, `\\s`, `.` and `$` match, Unicode, escapes). So a pattern is parsed here, refused
at load time when it leaves the subset, and written out for each engine with the differences
spelled explicitly: `\\d` is [0-9], `\\w` [A-Za-z0-9_], `\\s` [ \\t\\n\\r\\f\\v] (ASCII, in both),
`.` any character but a line break, `$` the very end of the text (Python's `\\Z`).

The subset: literal characters, `.`, `^`, `$`, classes `[a-z0-9_]` and `[^...]`, the escapes
`\\d \\D \\w \\W \\s \\S \\t \\n \\r` and an escaped punctuation character, groups `(...)` and
`(?:...)`, `|`, and the quantifiers `* + ? {n} {n,} {n,m}` (also lazy, with `?`). Refused:
back-references, look-arounds, `\\b`, Unicode classes and flags.

Catastrophic backtracking comes from a repeated group that can match one text in many ways:
so a group repeated by anything but `?` may hold neither a quantifier nor an alternative
(`(a+)+`, `(a|aa)*` are refused; `(ab)+`, `(\\+|00)?` are fine). Patterns are at most
MAX_PATTERN characters and counts at most MAX_COUNT. regex() is a search, as JavaRosa's:
anchor with `^...$` to test the whole answer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

MAX_PATTERN = 200
MAX_COUNT = 1000

_LINE_BREAKS = "\\n\\r\\u2028\\u2029"
_SHORTHAND = {"d": "0-9", "w": "A-Za-z0-9_", "s": " \\t\\n\\r\\f\\v"}
_CONTROL = {"t": "\\t", "n": "\\n", "r": "\\r"}
# Punctuation that may be escaped (both engines accept each of these escaped, even with
# JavaScript's `u` flag), and what must be escaped to be literal.
_ESCAPABLE = set("\\.*+?()[]{}|^$/-")
_SPECIAL = set("\\.*+?()[]{}|^$")
_IN_CLASS_SPECIAL = set("\\]^-[")
_PYTHON_SET_OPERATORS = set("&~")


class PatternError(ValueError):
    """A pattern outside the subset; `offset` is 0-based in the pattern."""

    def __init__(self, reason: str, offset: int) -> None:
        self.reason = reason
        self.offset = offset
        super().__init__(f"{reason} (at character {offset + 1} of the pattern)")


@dataclass(frozen=True)
class SafePattern:
    source: str
    python: str  # for re.search
    javascript: str  # for new RegExp(…, "u").test


@dataclass
class _Group:
    repeats: bool = False  # holds a quantifier (at any depth)
    alternates: bool = False  # holds a `|` (at any depth)


def _literal(char: str) -> str:
    if char in _SPECIAL or char == "/":
        return "\\" + char
    return char


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        self.python: list[str] = []
        self.javascript: list[str] = []

    def emit(self, python: str, javascript: str | None = None) -> None:
        self.python.append(python)
        self.javascript.append(python if javascript is None else javascript)

    def peek(self) -> str:
        return self.source[self.at] if self.at < len(self.source) else ""

    def fail(self, reason: str, offset: int | None = None) -> PatternError:
        return PatternError(reason, self.at if offset is None else offset)

    # alternatives: sequence ('|' sequence)*
    def alternatives(self, group: _Group, depth: int) -> None:
        self.sequence(group, depth)
        while self.peek() == "|":
            group.alternates = True
            self.at += 1
            self.emit("|")
            self.sequence(group, depth)

    def sequence(self, group: _Group, depth: int) -> None:
        while self.peek() not in ("", "|", ")"):
            start = self.at
            inner = self.atom(depth)
            quantified = self.quantifier(start, inner)
            if quantified:
                group.repeats = True
            if inner is not None:
                group.repeats |= inner.repeats
                group.alternates |= inner.alternates

    def atom(self, depth: int) -> _Group | None:
        """One atom; a group returns what it holds, anything else None."""
        char = self.peek()
        if char == "(":
            return self.group(depth)
        self.at += 1
        if char == "[":
            self.char_class()
        elif char == ".":
            self.emit(f"[^{_LINE_BREAKS}]")
        elif char == "^":
            self.emit("^")
        elif char == "$":
            self.emit("\\Z", "$")
        elif char == "\\":
            self.escape()
        elif char in "*+?{":
            raise self.fail(f"{char!r} has nothing to repeat", self.at - 1)
        elif char in "]}":
            raise self.fail(f"a literal {char!r} is written \\{char}", self.at - 1)
        else:
            self.emit(_literal(char))
        return None

    def group(self, depth: int) -> _Group:
        if depth >= 20:
            raise self.fail("groups are nested too deeply")
        open_at = self.at
        self.at += 1
        if self.source.startswith("?:", self.at):
            self.at += 2
        elif self.peek() == "?":
            raise self.fail("only (...) and (?:...) groups are supported (no look-arounds)")
        self.emit("(?:")
        inner = _Group()
        self.alternatives(inner, depth + 1)
        if self.peek() != ")":
            raise self.fail("a '(' is never closed", open_at)
        self.at += 1
        self.emit(")")
        return inner

    def quantifier(self, start: int, inner: _Group | None) -> bool:
        char = self.peek()
        if char not in ("*", "+", "?", "{"):
            return False
        if self.source[start] in "^$":
            raise self.fail("an anchor cannot be repeated")
        at = self.at
        if char == "{":
            match = re.compile(r"\{([0-9]{1,4})(,([0-9]{0,4}))?\}").match(self.source, self.at)
            if match is None:
                raise self.fail("a '{' starts a count {n}, {n,} or {n,m} (a literal is \\{)")
            low = int(match.group(1))
            high = None if match.group(3) in (None, "") else int(match.group(3))
            if match.group(2) is None:
                high = low
            if low > MAX_COUNT or (high is not None and (high > MAX_COUNT or high < low)):
                raise self.fail(f"a count is at most {MAX_COUNT}, and {{n,m}} needs n <= m")
            self.at = match.end()
            text = match.group()
            optional = (low, high) == (0, 1)
        else:
            self.at += 1
            text = char
            optional = char == "?"
        if self.peek() == "?":  # lazy
            self.at += 1
            text += "?"
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail(f"{self.peek()!r} has nothing to repeat")
        if inner is not None and not optional and (inner.repeats or inner.alternates):
            raise self.fail(
                "a repeated group may not hold a repetition or an alternative "
                "(it could backtrack without end)",
                at,
            )
        self.emit(text)
        return True

    def escape(self) -> None:
        at = self.at - 1
        char = self.peek()
        if not char:
            raise self.fail("the pattern ends with a lone '\\'", at)
        self.at += 1
        if char.lower() in _SHORTHAND:
            members = _SHORTHAND[char.lower()]
            self.emit(f"[^{members}]" if char.isupper() else f"[{members}]")
        elif char in _CONTROL:
            self.emit(_CONTROL[char])
        elif char in _ESCAPABLE:
            # JavaScript's `u` flag refuses `\-` outside a class: written plainly there.
            self.emit(_literal(char))
        else:
            raise self.fail(f"the escape \\{char} is not supported", at)

    def char_class(self) -> None:
        open_at = self.at - 1
        negated = self.peek() == "^"
        if negated:
            self.at += 1
        python: list[str] = []
        javascript: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail("a '[' is never closed", open_at)
            if char == "]":
                self.at += 1
                break
            py, js, single = self.class_item()
            # `a-z` is a range; a '-' before ']' (or at the end) is itself.
            ahead = self.source[self.at : self.at + 2]
            if single is not None and ahead.startswith("-") and ahead not in ("-", "-]"):
                self.at += 1
                end_py, end_js, end = self.class_item()
                if end is None or ord(end) < ord(single):
                    raise self.fail("a range a-z needs two characters in order")
                py, js = f"{py}-{end_py}", f"{js}-{end_js}"
            python.append(py)
            javascript.append(js)
        if not python:
            raise self.fail("an empty [] matches nothing", open_at)
        caret = "^" if negated else ""
        self.emit(f"[{caret}{''.join(python)}]", f"[{caret}{''.join(javascript)}]")

    def class_item(self) -> tuple[str, str, str | None]:
        """One member of a class, for Python and JavaScript, and the character it is (None
        for a set such as \\d)."""
        at = self.at
        char = self.peek()
        self.at += 1
        if char == "\\":
            char = self.peek()
            if not char:
                raise self.fail("the pattern ends with a lone '\\'", at)
            self.at += 1
            if char in _SHORTHAND:
                return _SHORTHAND[char], _SHORTHAND[char], None
            if char.lower() in _SHORTHAND:
                raise self.fail(f"\\{char} is not supported inside [...]", at)
            if char in _CONTROL:
                return _CONTROL[char], _CONTROL[char], {"t": "\t", "n": "\n", "r": "\r"}[char]
            if char not in _ESCAPABLE:
                raise self.fail(f"the escape \\{char} is not supported", at)
        elif char == "[":
            raise self.fail("a literal '[' inside [...] is written \\[", at)
        if char in _IN_CLASS_SPECIAL or char in _ESCAPABLE:
            return "\\" + char, "\\" + char, char
        if char in _PYTHON_SET_OPERATORS:
            # Python warns of set operations (`&&`, `~~`); JavaScript's `u` refuses `\\&`.
            return "\\" + char, char, char
        return char, char, char


def safe_pattern(source: str) -> SafePattern:
    """The pattern written for each engine, or PatternError when it leaves the subset."""
    if len(source) > MAX_PATTERN:
        raise PatternError(f"a pattern is at most {MAX_PATTERN} characters", MAX_PATTERN)
    for offset, char in enumerate(source):
        if "\ud800" <= char <= "\udfff" or (ord(char) < 32 and char not in "\t"):
            raise PatternError("control characters are not allowed in a pattern", offset)
    reader = _Reader(source)
    reader.alternatives(_Group(), 0)
    if reader.at < len(source):
        raise reader.fail("a ')' without its '('")
    return SafePattern(source, "".join(reader.python), "".join(reader.javascript))


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(safe_pattern(source).python)


def matches(source: str, text: str) -> bool:
    """regex(text, source): does the pattern occur in the text?"""
    return _compiled(source).search(text) is not None
