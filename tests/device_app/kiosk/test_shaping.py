"""Arabic shaping and bidi per visual line, without a window (a fixed-width measure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from device_app.kiosk.shaping import Script, Shaper, has_arabic, is_arabic, script_runs


def width(text: str) -> float:
    return 10.0 * len(text)


def test_arabic_lines_come_in_reading_order_and_each_is_reordered_alone() -> None:
    shaper = Shaper()
    text = "واحد اثنان ثلاثة أربعة خمسة ستة"
    logical = shaper.wrap(text, 120, width)
    assert len(logical) > 1
    assert logical[0].startswith("واحد")  # the first line holds the first words
    visual = shaper.visual_lines(text, 120, width, rtl=True)
    # each visual line is its own logical line reversed (shaped): the first word is at the
    # right end of the FIRST line, not spread over the paragraph
    assert visual[0].endswith(shaper.reshape("واحد")[::-1])
    assert all(not has_arabic(c) or "\ufe70" <= c <= "\ufeff" for c in visual[0].replace(" ", ""))


def test_brackets_are_mirrored_in_right_to_left_text() -> None:
    visual = Shaper().visual("نعم (لا)", rtl=True)
    assert visual.startswith("(") and visual.endswith(shaper_reversed("نعم"))


def shaper_reversed(word: str) -> str:
    return Shaper().reshape(word)[::-1]


def test_latin_text_is_left_alone() -> None:
    assert Shaper().visual("Déclaration (douane)", rtl=False) == "Déclaration (douane)"


def test_a_word_longer_than_the_line_is_cut_not_overflowing() -> None:
    lines = Shaper().wrap("a" * 25, 100, width)
    assert all(width(line) <= 100 for line in lines)
    assert "".join(lines) == "a" * 25


def test_runs_split_by_script_and_neutrals_join_their_neighbours() -> None:
    runs = script_runs("المحطة: st_12 (x)")
    assert [script for _, script in runs] == [Script.ARABIC, Script.LATIN]
    assert runs[0][0] == "المحطة: "
    assert script_runs("نعم 12") == [("نعم 12", Script.ARABIC)]


# --- the fast paths give what the plain rules give ----------------------------------------


def runs_by_the_rules(line: str) -> list[tuple[str, Script]]:
    """script_runs as first written, one character at a time: the reference."""
    runs: list[tuple[str, Script]] = []
    pending = ""
    for char in line:
        if is_arabic(char):
            script = Script.ARABIC
        elif char in " !,-.:0123456789\u00a0\u00ab\u00bb" or "\u200b" <= char <= "\u2011":
            if runs:
                runs[-1] = (runs[-1][0] + char, runs[-1][1])
            else:
                pending += char
            continue
        else:
            script = Script.LATIN
        if runs and runs[-1][1] is script:
            runs[-1] = (runs[-1][0] + char, script)
        else:
            runs.append((pending + char, script))
            pending = ""
    if pending:
        runs.append((pending, Script.LATIN))
    return runs


MIXED = st.text(alphabet=st.sampled_from(list("ab é(_)-.,: 12\u00ab\u200bنعملا\ufefb\u0660")))


@given(MIXED)
@settings(max_examples=300, deadline=None)
def test_script_runs_match_the_rules_character_by_character(line: str) -> None:
    assert script_runs(line) == runs_by_the_rules(line)
    assert has_arabic(line) == any(is_arabic(c) for c in line)


def test_is_arabic_knows_the_script_blocks() -> None:
    assert all(is_arabic(c) for c in "\u0600\u06ff\u0750\u08a0\ufb50\ufdff\ufe70\ufeff")
    assert not any(is_arabic(c) for c in "aé1 -\u05d0\u0700\u2010")


@given(st.lists(st.sampled_from(["a", "bb", "ccc ", "dddd", "نعم", "  "]), max_size=30),
       st.integers(30, 200))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_wrapping_keeps_every_word_and_each_line_fits(words: list[str], room: int) -> None:
    text = " ".join(words)
    lines = Shaper().wrap(text, room, width)
    assert " ".join(line for line in lines if line).split() == text.split() or room < 40
    assert all(width(line) <= room for line in lines)
    if width(" ".join(text.split())) <= room:
        assert lines == [" ".join(text.split())]  # a text that fits stays one line
